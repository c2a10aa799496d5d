package e2e

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// slideFixtures is the root testdata copy of ../shared/testdata/slides.
const slideFixtures = "../testdata/slides"

// copyTree copies the folder src to dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSlidesScanMixedFolder: the binary on a folder of slides (Aperio,
// generic pyramids, BigTIFF, big-endian strips), a DICOM pyramid, files
// that are no slides and a cut TIFF: one object per slide with the values
// of expected.json, the pyramid once, the others skipped with reasons, the
// cut file an error and exit 1; without it, exit 0.
func TestSlidesScanMixedFolder(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	copyTree(t, slideFixtures, dir)
	b, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var expected struct {
		Slides []map[string]any `json:"slides"`
	}
	if err := json.Unmarshal(b, &expected); err != nil {
		t.Fatal(err)
	}
	c := newCLI(t, nil)

	r := c.run(nil, "", "slides", "scan", dir, "-o", "jsonl")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1 (a cut file)\nstderr: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, `"error":"failed"`) || !strings.Contains(r.stderr, "1 file(s) that look like slides could not be read") {
		t.Errorf("stderr %q", r.stderr)
	}
	objects := map[string]map[string]any{}
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var o map[string]any
		if err := json.Unmarshal([]byte(line), &o); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		rel, _ := filepath.Rel(dir, o["path"].(string))
		objects[filepath.ToSlash(rel)] = o
	}
	if len(objects) != 12 {
		t.Errorf("%d objects, want one per file (12)", len(objects))
	}
	for _, want := range expected.Slides {
		rel := want["path"].(string)
		got := objects[rel]
		want["path"] = filepath.Join(dir, filepath.FromSlash(rel))
		want["external_id"] = rel
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %s = %v, want %v", rel, k, got[k], v)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d fields, want %d: %v", rel, len(got), len(want), got)
		}
	}
	for rel, reason := range map[string]string{
		"not-slides/readme.txt":     "text file",
		"not-slides/photo.png":      "PNG image",
		"README.md":                 "text file",
		"expected.json":             "text file",
		"dicom-pyramid/level-1.dcm": "a lower-resolution level of the pyramid of " + filepath.Join(dir, "dicom-pyramid", "level-0.dcm"),
		"dicom-pyramid/label.dcm":   "the LABEL image of the pyramid of " + filepath.Join(dir, "dicom-pyramid", "level-0.dcm"),
	} {
		if o := objects[rel]; o["skipped"] != reason || len(o) != 2 {
			t.Errorf("%s: %v, want skipped %q", rel, o, reason)
		}
	}
	if o := objects["not-slides/truncated.tiff"]; !strings.Contains(o["error"].(string), "truncated.tiff: TIFF IFD 0") || len(o) != 2 {
		t.Errorf("truncated.tiff: %v", o)
	}

	// Without the cut file: exit 0, and -o json is one array.
	if err := os.Remove(filepath.Join(dir, "not-slides", "truncated.tiff")); err != nil {
		t.Fatal(err)
	}
	r = c.run(nil, "", "slides", "scan", dir, "-o", "json", "--csv", filepath.Join(dir, "slides.csv"))
	if r.code != 0 {
		t.Fatalf("exit %d\nstderr: %s", r.code, r.stderr)
	}
	var all []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &all); err != nil || len(all) != 11 {
		t.Fatalf("%d objects, %v", len(all), err)
	}
	csv, err := os.ReadFile(filepath.Join(dir, "slides.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(csv), "\r\n"), "\r\n")
	if len(lines) != 6 || lines[0] != "external_id;checksum_base64_crc32c;resolution_mpp;width_px;height_px;staining_method;tissue;disease;platform_bucket_url;path" {
		t.Errorf("CSV %q", csv)
	}
	if want := "aperio.svs;lFtxlQ==;0.252;1200;900;;;;;" + filepath.Join(dir, "aperio.svs"); lines[1] != want {
		t.Errorf("CSV row %q, want %q", lines[1], want)
	}

	// Bad paths and flags: exit 2, one line.
	for _, args := range [][]string{
		{"slides", "scan", filepath.Join(dir, "nope")},
		{"slides", "scan", dir, "--external-id", "basename"},
		{"slides", "scan", dir, "--mapping", "no-colon"},
		{"slides", "scan"},
	} {
		r := c.run(nil, "", args...)
		if r.code != 2 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || r.stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, r.code, r.stdout, r.stderr)
		}
	}
}
