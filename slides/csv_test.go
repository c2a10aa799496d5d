package slides

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func f64(v float64) *float64 { return &v }

// pythonRows are the rows of testdata/python-written.csv (made by
// testdata/python-csv.py with Python's csv module, as the Python SDK
// writes its metadata CSV).
func pythonRows() []Slide {
	return []Slide{
		{Path: "/data/slides/case 1/aperio.svs", ExternalID: "/data/slides/case 1/aperio.svs", MediaType: "image/tiff",
			Checksum: "lFtxlQ==", ResolutionMPP: f64(0.252), WidthPx: 1200, HeightPx: 900,
			Metadata: map[string]string{"staining_method": "H&E", "tissue": "LUNG", "disease": "LUNG_CANCER"}},
		{Path: `/data/slides/semi;colon "quoted".tiff`, ExternalID: `/data/slides/semi;colon "quoted".tiff`, MediaType: "image/tiff",
			Checksum: "0bXQpg==", ResolutionMPP: f64(0.254), WidthPx: 1200, HeightPx: 900, BucketURL: "gs://bucket/user/slides/semi.tiff"},
		{Path: "/data/slides/no-mpp.tiff", ExternalID: "/data/slides/no-mpp.tiff", MediaType: "image/tiff",
			Checksum: "rBVCbQ==", WidthPx: 600, HeightPx: 400},
		{Path: "/data/slides/dicom/level-0.dcm", ExternalID: "/data/slides/dicom/level-0.dcm", MediaType: "application/dicom",
			Checksum: "viwiOA==", ResolutionMPP: f64(0.26), WidthPx: 512, HeightPx: 384,
			Metadata: map[string]string{"staining_method": "H&E", "tissue": "BREAST", "disease": "BREAST_CANCER"}},
		{Path: "/data/slides/whole.tiff", ExternalID: "/data/slides/whole.tiff", MediaType: "image/tiff",
			Checksum: "JZZ+NA==", ResolutionMPP: f64(1), WidthPx: 1200, HeightPx: 900},
	}
}

// TestReadPythonCSV: a CSV written by the Python SDK's csv module reads
// back as its rows (quoted fields, CRLF, 0.0 as no resolution).
func TestReadPythonCSV(t *testing.T) {
	t.Parallel()
	got, err := ReadCSVFile("testdata/python-written.csv")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(pythonRows(), got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestWriteCSVAsPython: the same rows written here are byte for byte what
// Python's csv module wrote.
func TestWriteCSVAsPython(t *testing.T) {
	t.Parallel()
	want, err := os.ReadFile("testdata/python-written.csv")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteCSV(&b, pythonRows()); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), b.String()); diff != "" {
		t.Errorf("(-python +ours):\n%s", diff)
	}
}

// TestCSVRoundTrip: a scan written as CSV reads back as the same slides
// (what a CSV holds); relative external ids get a path column.
func TestCSVRoundTrip(t *testing.T) {
	t.Parallel()
	m, err := ParseMapping(`level-0:staining_method=H&E,tissue=LIVER,disease=LIVER_CANCER,grade=G1`)
	if err != nil {
		t.Fatal(err)
	}
	var scanned []Slide
	for _, e := range scanAll(t, []string{fixtures}, Options{Mappings: []Mapping{m}}) {
		if e.Slide != nil {
			scanned = append(scanned, *e.Slide)
		}
	}
	path := filepath.Join(t.TempDir(), "slides.csv")
	if err := WriteCSVFile(path, scanned); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	header, _, _ := strings.Cut(string(raw), "\r\n")
	if want := strings.Join(CSVColumns, ";") + ";grade;path"; header != want {
		t.Errorf("header %q, want %q", header, want)
	}
	back, err := ReadCSVFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var want []Slide
	for _, s := range scanned {
		s.Format, s.Levels, s.SizeBytes, s.MPPY = "", 0, 0, nil // not in a CSV
		want = append(want, s)
	}
	if diff := cmp.Diff(want, back); diff != "" {
		t.Errorf("(-scanned +read back):\n%s", diff)
	}
}

// TestPythonReadsOurCSV: Python's csv.DictReader, as the Python SDK reads
// a metadata CSV, gets our values back. Needs python3.
func TestPythonReadsOurCSV(t *testing.T) {
	t.Parallel()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed")
	}
	rows := pythonRows()
	rows[2].ExternalID = "relative/no-mpp.tiff" // makes a path column
	rows[0].Metadata["note"] = "a;b \"c\"\nd"
	path := filepath.Join(t.TempDir(), "ours.csv")
	if err := WriteCSVFile(path, rows); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, "-c", `
import csv, json, sys
with open(sys.argv[1], newline="") as f:
    print(json.dumps(list(csv.DictReader(f, delimiter=";", quotechar='"'))))
`, path).Output()
	if err != nil {
		t.Fatal(err)
	}
	var got []map[string]string
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(rows) {
		t.Fatalf("python read %d rows, want %d", len(got), len(rows))
	}
	for i, s := range rows {
		want := map[string]string{}
		for _, col := range append(append([]string{}, CSVColumns...), "note", "path") {
			want[col] = csvValue(s, col)
		}
		if diff := cmp.Diff(want, got[i]); diff != "" {
			t.Errorf("row %d (-ours +python):\n%s", i, diff)
		}
	}
	if got[0]["note"] != "a;b \"c\"\nd" || got[2]["resolution_mpp"] != "0.0" || got[0]["resolution_mpp"] != "0.252" {
		t.Errorf("python read %q", got)
	}
}

// TestReadCSVProblems: every problem of every row at once, with lines.
func TestReadCSVProblems(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, csv string
		want      []string
	}{
		{"empty", "", []string{"empty: no header row"}},
		{"no external_id column", "id;width_px\r\nx;1\r\n", []string{"line 1: no external_id column (columns: id;width_px)"}},
		{"a column twice", "external_id;tissue;tissue\r\n", []string{`line 1: column "tissue" twice`}},
		{"bad values", "\ufeffexternal_id;checksum_base64_crc32c;resolution_mpp;width_px;height_px\n" +
			"a.svs;nope;0.25;100;100\n" +
			";AAAAAA==;-1;wide;0\n" +
			"c.svs;AAAAAA==;0.25;100;100;extra\n",
			[]string{
				`line 2: checksum_base64_crc32c "nope": not base64 of a CRC32C (4 bytes)`,
				"line 3: external_id is empty",
				`line 3: resolution_mpp "-1": not a number of microns per pixel`,
				`line 3: width_px "wide": not a whole number of pixels`,
				`line 3: height_px "0": not a whole number of pixels`,
				"line 4: 6 fields, the header has 5 (an unquoted ';'?)",
			}},
	} {
		_, err := ReadCSV(strings.NewReader(tc.csv), "/d")
		var ce *CSVError
		if !errors.As(err, &ce) {
			t.Errorf("%s: %v, want a *CSVError", tc.name, err)
			continue
		}
		if diff := cmp.Diff(tc.want, ce.Problems); diff != "" {
			t.Errorf("%s:\n%s", tc.name, diff)
		}
	}
	// A short row is empty values; a relative external id is a path in dir.
	got, err := ReadCSV(strings.NewReader("external_id;tissue;width_px\r\nsub/a.dcm\r\n"), "/csv/dir")
	if err != nil || len(got) != 1 || got[0].Path != "/csv/dir/sub/a.dcm" || got[0].MediaType != "application/dicom" || got[0].Metadata != nil {
		t.Errorf("%+v %v", got, err)
	}
}

// TestWriteCSVFileIsAtomic: a CSV is whole or not there; a failed write
// leaves the old file and no temporary file.
func TestWriteCSVFileIsAtomic(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "slides.csv")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteCSVFile(path, pythonRows()); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); !strings.HasPrefix(string(b), "external_id;") {
		t.Errorf("not replaced: %q", b)
	}
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteCSVFile(filepath.Join(blocker, "x.csv"), pythonRows()); err == nil || !strings.Contains(err.Error(), "x.csv") {
		t.Errorf("under a file: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("left behind: %v", entries)
	}
}

func TestPyFloat(t *testing.T) {
	t.Parallel()
	// repr() of each in Python 3.
	tenth, fifth := 0.1, 0.2
	for f, want := range map[float64]string{tenth + fifth: "0.30000000000000004", 0.252: "0.252", 0.25: "0.25", 1: "1.0", 40: "40.0", 0.0001: "0.0001",
		0.00001: "1e-05", 1.5e-7: "1.5e-07", 1e16: "1e+16", 123456789012345.0: "123456789012345.0", 0: "0.0"} {
		if got := pyFloat(f); got != want {
			t.Errorf("pyFloat(%v) = %q, want %q", f, got, want)
		}
	}
}
