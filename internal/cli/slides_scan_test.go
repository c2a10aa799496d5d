package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aignostics/aignostics/slides"
)

// slideFixtures is the root testdata copy of ../shared/testdata/slides.
const slideFixtures = "../../testdata/slides"

// slidesDir copies three slides (an Aperio SVS, a generic TIFF and the
// DICOM pyramid) into a new folder.
func slidesDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"aperio.svs", "generic-pyramid.tiff", "dicom-pyramid/level-0.dcm", "dicom-pyramid/level-1.dcm", "dicom-pyramid/label.dcm"} {
		b, err := os.ReadFile(filepath.Join(slideFixtures, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestSlidesScanFor: --for checks every slide against the version's input
// schema as runs create does, all problems at once (exit 2), or says they
// are valid (exit 0).
func TestSlidesScanFor(t *testing.T) {
	t.Parallel()
	e := newRunsEnv(t)
	dir := slidesDir(t)
	he := "--mapping=.*:staining_method=H&E,tissue=LUNG,disease=LUNG_CANCER"

	r := e.ok("slides", "scan", dir, "--for", "he-tme", he, "-o", "json")
	if !strings.Contains(r.stderr, "3 slide(s) valid for he-tme:1.2.0") {
		t.Errorf("stderr %q", r.stderr)
	}
	var objs []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &objs); err != nil || len(objs) != 5 {
		t.Fatalf("stdout %q: %v", r.stdout, err)
	}
	e.ok("slides", "scan", dir, "--for", "test-app:1.0.0", "-o", "json")

	// No specimen, no staining: two problems per slide, each named.
	r = e.fails(2, []string{"6 problem(s) with the slides for he-tme:1.2.0",
		`item 0 (external_id "aperio.svs"): input artifact "whole_slide_image": metadata`,
		`external_id "dicom-pyramid/level-0.dcm"`, "specimen", "staining_method"},
		"slides", "scan", dir, "--for", "he-tme", "-o", "text")
	if !strings.Contains(r.stdout, "aperio.svs") {
		t.Errorf("the slides were not printed before the problems: %q", r.stdout)
	}
	// In JSON, one error object holds them all.
	r = e.fails(2, []string{`"error":"invalid"`, "checksum_base64_crc32c"}, "slides", "scan", dir, "--for", "test-app", "--no-checksum", "-o", "jsonl")
	if n := strings.Count(strings.TrimSpace(r.stderr), "\n"); n != 0 {
		t.Errorf("stderr has %d extra lines: %q", n, r.stderr)
	}
	// Two slides of one name: with --external-id name, one id twice, a
	// problem with --for and a warning without.
	dup := filepath.Join(dir, "again")
	if err := os.MkdirAll(dup, 0o755); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "aperio.svs"))
	if err := os.WriteFile(filepath.Join(dup, "aperio.svs"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	e.fails(2, []string{"duplicate external_id"}, "slides", "scan", dir, "--for", "test-app", "--external-id", "name", "-o", "json")
	r = e.ok("slides", "scan", dir, "--external-id", "name", "-o", "json")
	if !strings.Contains(r.stderr, `warning: 2 slides have the external id "aperio.svs"`) {
		t.Errorf("no warning of the duplicate id: %q", r.stderr)
	}
	e.fails(2, []string{"not_found"}, "slides", "scan", dir, "--for", "no-such-app", "-o", "json")
	e.fails(2, []string{"--for"}, "slides", "scan", dir, "--for", "test-app:1:2", "-o", "json")
}

// TestSlidesScanCSV: --csv writes the Python SDK's CSV of the slides,
// read back by slides.ReadCSVFile; a folder that cannot hold it is an
// error before the scan.
func TestSlidesScanCSV(t *testing.T) {
	t.Parallel()
	e := newRunsEnv(t)
	dir := slidesDir(t)
	csv := filepath.Join(e.dir, "slides.csv")
	r := e.ok("slides", "scan", dir, "--csv", csv, "--mapping", "/dicom-:tissue=LIVER", "-o", "jsonl")
	var want []slides.Slide
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var s slides.Slide
		if err := json.Unmarshal([]byte(line), &s); err != nil {
			t.Fatal(err)
		}
		if s.ExternalID != "" {
			s.Format, s.Levels, s.SizeBytes, s.MPPY = "", 0, 0, nil
			want = append(want, s)
		}
	}
	got, err := slides.ReadCSVFile(csv)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || len(want) != 3 {
		t.Fatalf("%d slides in the CSV, %d printed", len(got), len(want))
	}
	for i := range got {
		g, _ := json.Marshal(got[i])
		w, _ := json.Marshal(want[i])
		if string(g) != string(w) {
			t.Errorf("CSV row %d:\n got %s\nwant %s", i, g, w)
		}
	}
	if got[1].ExternalID != "dicom-pyramid/level-0.dcm" || got[1].Metadata["tissue"] != "LIVER" {
		t.Errorf("mapping not in the CSV: %+v", got[1])
	}
	notDir := filepath.Join(e.dir, "file")
	if err := os.WriteFile(notDir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	r = e.fails(2, []string{"--csv", "is not a directory"}, "slides", "scan", dir, "--csv", filepath.Join(notDir, "x.csv"), "-o", "json")
	if r.stdout != "" {
		t.Errorf("scanned before failing: %q", r.stdout)
	}
}

// TestSlidesScanProgress: on a terminal, a live line on stderr, fitted to
// its width, that is cleared before the table and at the end.
func TestSlidesScanProgress(t *testing.T) {
	t.Parallel()
	e := newRunsEnv(t)
	e.tty, e.width = true, 40
	r := e.ok("slides", "scan", slidesDir(t))
	checkLiveLines(t, r.stderr, 40)
	last := r.stderr[strings.LastIndex(r.stderr, "\r"):]
	if !strings.Contains(r.stderr, "3/3 slides, 1.7 MiB of 1.7 MiB") || !strings.HasPrefix(last, "\r\x1b[K") || !strings.HasSuffix(last, "\n3 slide(s), 1.7 MiB; 2 skipped; 0 unreadable\n") {
		t.Errorf("stderr %q", r.stderr)
	}
	if !strings.HasPrefix(r.stdout, "EXTERNAL_ID") || strings.Contains(r.stdout, "\x1b") {
		t.Errorf("stdout %q", r.stdout)
	}
}
