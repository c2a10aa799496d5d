package slides

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aignostics/aignostics/checksum"
	"github.com/google/go-cmp/cmp"
)

// fixtures is the root testdata copy of ../shared/testdata/slides.
const fixtures = "../testdata/slides"

// scanAll collects a scan's entries; a scan error fails the test.
func scanAll(t *testing.T, paths []string, opts Options) []Entry {
	t.Helper()
	var out []Entry
	for e, err := range Scan(context.Background(), paths, opts) {
		if err != nil {
			t.Fatalf("scan %v: %v", paths, err)
		}
		out = append(out, e)
	}
	return out
}

// byPath indexes entries by their path relative to dir.
func byPath(t *testing.T, dir string, es []Entry) map[string]Entry {
	t.Helper()
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]Entry{}
	for _, e := range es {
		rel, err := filepath.Rel(abs, e.Path)
		if err != nil {
			t.Fatal(err)
		}
		m[filepath.ToSlash(rel)] = e
	}
	return m
}

// TestScanFixturesMatchExpected: every value of expected.json, checksums
// included, through a scan of the fixture folder; the rest skipped with
// reasons, the cut TIFF an error.
func TestScanFixturesMatchExpected(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join(fixtures, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var expected struct {
		Slides []map[string]any `json:"slides"`
	}
	if err := json.Unmarshal(b, &expected); err != nil {
		t.Fatal(err)
	}
	got := byPath(t, fixtures, scanAll(t, []string{fixtures}, Options{Parallel: 2}))
	for _, want := range expected.Slides {
		rel := want["path"].(string)
		e, ok := got[rel]
		if !ok || e.Slide == nil {
			t.Errorf("%s: %+v, want a slide", rel, e)
			continue
		}
		var have map[string]any
		j, _ := json.Marshal(e)
		_ = json.Unmarshal(j, &have)
		want["path"] = e.Slide.Path // absolute; expected.json's is relative
		want["external_id"] = rel   // relative to the PATH argument
		if diff := cmp.Diff(want, have); diff != "" {
			t.Errorf("%s (-expected.json +scan):\n%s", rel, diff)
		}
	}
	for rel, reason := range map[string]string{
		"not-slides/readme.txt":     "text file",
		"not-slides/photo.png":      "PNG image",
		"dicom-pyramid/level-1.dcm": "a lower-resolution level of the pyramid of ",
		"dicom-pyramid/label.dcm":   "the LABEL image of the pyramid of ",
		"README.md":                 "text file",
	} {
		if e := got[rel]; !strings.HasPrefix(e.Skipped, reason) || e.Slide != nil || e.Err != nil {
			t.Errorf("%s: %+v, want skipped %q", rel, e, reason)
		}
	}
	if e := got["not-slides/truncated.tiff"]; e.Err == nil || !strings.Contains(e.Err.Error(), "truncated.tiff: TIFF IFD 0") {
		t.Errorf("truncated.tiff: %+v, want an error naming the file and IFD 0", e)
	}
	if len(got) != 12 {
		t.Errorf("%d entries, want 12 (every file once)", len(got))
	}
}

// copyFile copies src to dst, making dst's directory.
func copyFile(t testing.TB, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestScanExternalIDs: relative to the PATH given (a file PATH: its name),
// absolute, or the name.
func TestScanExternalIDs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	copyFile(t, filepath.Join(fixtures, "aperio.svs"), filepath.Join(dir, "a", "case 1", "x.svs"))
	copyFile(t, filepath.Join(fixtures, "generic-pyramid.tiff"), filepath.Join(dir, "b", "y.tiff"))
	paths := []string{filepath.Join(dir, "a"), filepath.Join(dir, "b", "y.tiff")}
	for _, tc := range []struct {
		mode ExternalID
		want []string
	}{
		{"", []string{"case 1/x.svs", "y.tiff"}},
		{ExternalIDRelative, []string{"case 1/x.svs", "y.tiff"}},
		{ExternalIDAbsolute, []string{filepath.Join(dir, "a", "case 1", "x.svs"), filepath.Join(dir, "b", "y.tiff")}},
		{ExternalIDName, []string{"x.svs", "y.tiff"}},
	} {
		var got []string
		for _, e := range scanAll(t, paths, Options{ExternalID: tc.mode, NoChecksum: true}) {
			got = append(got, e.Slide.ExternalID)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%q: %s", tc.mode, diff)
		}
	}
	if _, err := ParseExternalID("basename"); err == nil {
		t.Error("ParseExternalID accepted basename")
	}
}

// TestScanMappings: mappings match the absolute path anywhere, apply in
// order (the later wins), set metadata and the fields they may.
func TestScanMappings(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	copyFile(t, filepath.Join(fixtures, "aperio.svs"), filepath.Join(dir, "lung", "x.svs"))
	copyFile(t, filepath.Join(fixtures, "bigendian-strips.tiff"), filepath.Join(dir, "breast", "y.tiff"))
	var ms []Mapping
	for _, s := range []string{
		`.*:staining_method=H&E,tissue=OTHER`,
		`/lung/:tissue=LUNG,disease=LUNG_CANCER`,
		`\.tiff$:tissue=BREAST,disease=BREAST_CANCER,resolution_mpp=0.3,tumor_grade=G2`,
	} {
		m, err := ParseMapping(s)
		if err != nil {
			t.Fatal(err)
		}
		ms = append(ms, m)
	}
	got := byPath(t, dir, scanAll(t, []string{dir}, Options{Mappings: ms, NoChecksum: true}))
	lung, breast := got["lung/x.svs"].Slide, got["breast/y.tiff"].Slide
	if diff := cmp.Diff(map[string]string{"staining_method": "H&E", "tissue": "LUNG", "disease": "LUNG_CANCER"}, lung.Metadata); diff != "" {
		t.Errorf("lung: %s", diff)
	}
	if diff := cmp.Diff(map[string]string{"staining_method": "H&E", "tissue": "BREAST", "disease": "BREAST_CANCER", "tumor_grade": "G2"}, breast.Metadata); diff != "" {
		t.Errorf("breast: %s", diff)
	}
	if *breast.ResolutionMPP != 0.3 || *breast.MPPY != 0.5 || *lung.ResolutionMPP != 0.252 {
		t.Errorf("mpp: breast %v/%v, lung %v", *breast.ResolutionMPP, *breast.MPPY, *lung.ResolutionMPP)
	}
	wantMeta := map[string]any{"checksum_base64_crc32c": "", "width_px": int64(600), "height_px": int64(400),
		"resolution_mpp": 0.3, "media_type": "image/tiff", "staining_method": "H&E", "tumor_grade": "G2",
		"specimen": map[string]any{"tissue": "BREAST", "disease": "BREAST_CANCER"}}
	delete(wantMeta, "checksum_base64_crc32c") // not computed: left out
	if diff := cmp.Diff(wantMeta, breast.InputMetadata()); diff != "" {
		t.Errorf("InputMetadata: %s", diff)
	}
}

func TestParseMapping(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, pattern, err string
		keys             []string
	}{
		{in: ".*:tissue=LUNG", pattern: ".*", keys: []string{"tissue"}},
		{in: `C:\\slides:tissue=LUNG,disease=LUNG_CANCER`, pattern: `C:\\slides`, keys: []string{"tissue", "disease"}},
		{in: "a:b:staining_method=H&E", pattern: "a:b", keys: []string{"staining_method"}},
		{in: ".*:width_px=1000,height_px=800,media_type=image/tiff", pattern: ".*", keys: []string{"width_px", "height_px", "media_type"}},
		{in: "tissue=LUNG", err: "want REGEX:key=value"},
		{in: ".*:", err: "want REGEX:key=value"},
		{in: ".*:tissue", err: "want REGEX:key=value"},
		{in: ".*:tissue=LUNG,", err: "want REGEX:key=value"},
		{in: "(:tissue=LUNG", err: "error parsing regexp"},
		{in: ".*:checksum_base64_crc32c=AAAAAA==", err: "cannot be set"},
		{in: ".*:external_id=x", err: "cannot be set"},
		{in: ".*:width_px=wide", err: "whole number"},
		{in: ".*:resolution_mpp=-1", err: "above 0"},
		{in: ".*:resolution_mpp=NaN", err: "above 0"},
	} {
		m, err := ParseMapping(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), tc.in) {
				t.Errorf("%q: %v, want an error naming it with %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || m.Pattern.String() != tc.pattern || !cmp.Equal(m.Keys, tc.keys) {
			t.Errorf("%q: %v %v %v", tc.in, m.Pattern, m.Keys, err)
		}
	}
}

// TestScanOddFiles: links, pipes, empty and foreign files, a root given
// twice, a root that is a link to a directory.
func TestScanOddFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	d := filepath.Join(dir, "d")
	copyFile(t, filepath.Join(fixtures, "aperio.svs"), filepath.Join(d, "real.svs"))
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Symlink("real.svs", filepath.Join(d, "link.svs")))
	must(os.Symlink("nowhere.svs", filepath.Join(d, "broken.svs")))
	must(os.MkdirAll(filepath.Join(dir, "elsewhere"), 0o755))
	must(os.Symlink(filepath.Join(dir, "elsewhere"), filepath.Join(d, "linked-dir")))
	if err := mkfifo(filepath.Join(d, "pipe.tiff")); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	must(os.WriteFile(filepath.Join(d, "empty.svs"), nil, 0o644))
	must(os.WriteFile(filepath.Join(d, "garbage.tiff"), []byte("\x01\x02\x03garbage"), 0o644))
	must(os.WriteFile(filepath.Join(d, "garbage.bin"), []byte("\x01\x02\x03garbage"), 0o644))
	must(os.WriteFile(filepath.Join(d, "photo.tiff"), []byte("\x89PNG\r\n\x1a\nnot really"), 0o644))
	must(os.WriteFile(filepath.Join(d, "._real.svs"), []byte("\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X"), 0o644))
	must(os.Symlink(d, filepath.Join(dir, "via-link")))

	done := make(chan []Entry)
	go func() {
		done <- scanAll(t, []string{filepath.Join(dir, "via-link"), filepath.Join(dir, "via-link", "real.svs")}, Options{})
	}()
	var es []Entry
	select {
	case es = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the scan hangs (opened the pipe?)")
	}
	got := byPath(t, filepath.Join(dir, "via-link"), es)
	type result struct{ Slide, Skipped, Err string }
	summary := map[string]result{}
	for rel, e := range got {
		r := result{Skipped: e.Skipped}
		if e.Slide != nil {
			r.Slide = e.Slide.ExternalID
		}
		if e.Err != nil {
			r.Err = strings.TrimPrefix(e.Err.Error(), e.Path+": ")
		}
		summary[rel] = r
	}
	want := map[string]result{
		"real.svs":     {Slide: "real.svs"},
		"link.svs":     {Slide: "link.svs"},
		"broken.svs":   {Skipped: "broken symbolic link"},
		"linked-dir":   {Skipped: "symbolic link to a directory (not followed)"},
		"pipe.tiff":    {Skipped: "not a regular file"},
		"empty.svs":    {Err: "named like a slide, but not a TIFF or DICOM file (empty file)"},
		"garbage.tiff": {Err: "named like a slide, but not a TIFF or DICOM file (unknown format)"},
		"garbage.bin":  {Skipped: "unknown format"},
		"photo.tiff":   {Skipped: "PNG image"},
		"._real.svs":   {Skipped: "AppleDouble file (macOS metadata)"},
	}
	if diff := cmp.Diff(want, summary); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, e := range es {
		if e.Slide != nil && !strings.HasPrefix(e.Slide.Path, filepath.Join(dir, "via-link")) {
			t.Errorf("path %s is not under the root as given", e.Slide.Path)
		}
	}
}

// TestScanBadPath: a PATH that does not exist ends the scan before any
// entry, with ErrBadPath naming it.
func TestScanBadPath(t *testing.T) {
	t.Parallel()
	n := 0
	var last error
	for e, err := range Scan(context.Background(), []string{fixtures, "/nonexistent/slides"}, Options{}) {
		n++
		last = err
		if e.Path != "" {
			t.Errorf("an entry before the error: %+v", e)
		}
	}
	if n != 1 || !errors.Is(last, ErrBadPath) || !strings.Contains(last.Error(), "/nonexistent/slides") {
		t.Errorf("%d results, last %v; want one ErrBadPath naming the path", n, last)
	}
	for _, err := range Scan(context.Background(), nil, Options{}) {
		if !errors.Is(err, ErrBadPath) {
			t.Errorf("no paths: %v", err)
		}
	}
}

// manyCopies makes n copies of the fixture slides in dir, in sorted name
// order, and returns their names with the CRC32C of each.
func manyCopies(t testing.TB, dir string, n int) ([]string, map[string]string) {
	t.Helper()
	names := []string{"generic-pyramid.tiff", "aperio.svs", "bigtiff-inch.tiff", "bigendian-strips.tiff", "dicom-pyramid/level-0.dcm"}
	sums := map[string]string{}
	var out []string
	for i := range n {
		// One directory each: copies of a DICOM file in one directory
		// are one pyramid.
		src := filepath.Join(fixtures, filepath.FromSlash(names[i%len(names)]))
		name := fmt.Sprintf("%05d/%s", i, filepath.Base(src))
		copyFile(t, src, filepath.Join(dir, filepath.FromSlash(name)))
		b, _ := os.ReadFile(src)
		sums[name] = checksum.Encode(checksum.Sum(b))
		out = append(out, name)
	}
	return out, sums
}

// TestScanParallelKeepsOrder: with checksums in parallel, entries come in
// walk order with the right checksums, and progress only grows to the
// totals.
func TestScanParallelKeepsOrder(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	names, sums := manyCopies(t, dir, 23)
	var last Progress
	calls := 0
	opts := Options{Parallel: 3, Progress: func(p Progress) {
		if p.BytesDone < last.BytesDone || p.SlidesDone < last.SlidesDone {
			t.Errorf("progress went back: %+v after %+v", p, last)
		}
		last = p
		calls++
	}}
	es := scanAll(t, []string{dir}, opts)
	if len(es) != len(names) {
		t.Fatalf("%d entries, want %d", len(es), len(names))
	}
	var total int64
	for i, e := range es {
		if e.Slide == nil || e.Slide.ExternalID != names[i] || e.Slide.Checksum != sums[names[i]] {
			t.Fatalf("entry %d: %+v, want %s with %s", i, e.Slide, names[i], sums[names[i]])
		}
		total += e.Slide.SizeBytes
	}
	if last.Slides != 23 || last.SlidesDone != 23 || last.Bytes != total || last.BytesDone != total || calls < 23 {
		t.Errorf("final progress %+v after %d calls, want 23 slides and %d bytes", last, calls, total)
	}
}

// TestScanStopsEarly: a consumer that stops, and a cancelled context,
// end the reads; no goroutine stays behind.
func TestScanStopsEarly(t *testing.T) {
	dir := t.TempDir()
	manyCopies(t, dir, 12)
	before := runtime.NumGoroutine()
	for range Scan(context.Background(), []string{dir}, Options{Parallel: 2}) {
		break
	}
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	var last error
	for _, err := range Scan(ctx, []string{dir}, Options{Parallel: 2, Progress: func(Progress) { cancel() }}) {
		n++
		last = err
	}
	if !errors.Is(last, context.Canceled) || n > 2 {
		t.Errorf("cancelled scan: %d results, last %v", n, last)
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if g := runtime.NumGoroutine(); g > before {
		t.Errorf("%d goroutines left behind", g-before)
	}
}

// TestChecksumNoticesChange: a file whose size changed since its header
// was read is an error, not a checksum.
func TestChecksumNoticesChange(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "x")
	if err := os.WriteFile(p, []byte("12345"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := fileCRC32C(context.Background(), p, 4, make([]byte, 2), func(int64) {}); err == nil || !strings.Contains(err.Error(), "changed while it was read") {
		t.Errorf("%v", err)
	}
	sum, err := fileCRC32C(context.Background(), p, 5, make([]byte, 2), func(int64) {})
	if err != nil || sum != checksum.Encode(checksum.Sum([]byte("12345"))) {
		t.Errorf("%s %v", sum, err)
	}
}
