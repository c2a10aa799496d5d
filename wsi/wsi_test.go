package wsi

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fixtures is the root testdata copy of ../shared/testdata/slides: files
// made by libvips, libtiff and pydicom, values read by OpenSlide, tiffinfo
// and dcmdump.
const fixtures = "../testdata/slides"

type expectedSlide struct {
	Path          string   `json:"path"`
	Format        string   `json:"format"`
	MediaType     string   `json:"media_type"`
	WidthPx       int64    `json:"width_px"`
	HeightPx      int64    `json:"height_px"`
	ResolutionMPP *float64 `json:"resolution_mpp"`
	MPPY          *float64 `json:"mpp_y"`
	Levels        int      `json:"levels"`
	SizeBytes     int64    `json:"size_bytes"`
}

func expectedSlides(t *testing.T) []expectedSlide {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtures, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var e struct {
		Slides []expectedSlide `json:"slides"`
	}
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	if len(e.Slides) < 5 {
		t.Fatalf("expected.json lists %d slides", len(e.Slides))
	}
	return e.Slides
}

func mppPtr(v float64) *float64 {
	if v == 0 {
		return nil
	}
	return &v
}

// TestFixturesMatchExpected: every value of expected.json, from Inspect and
// (for the DICOM pyramid) Fold over the directory's instances.
func TestFixturesMatchExpected(t *testing.T) {
	t.Parallel()
	var dicom []Info
	for _, name := range []string{"label.dcm", "level-0.dcm", "level-1.dcm"} {
		info, err := Inspect(filepath.Join(fixtures, "dicom-pyramid", name))
		if err != nil {
			t.Fatal(err)
		}
		dicom = append(dicom, info)
	}
	folded, parts := Fold(dicom)
	if len(folded) != 1 || len(parts) != 2 {
		t.Fatalf("Fold: %d slides, %d parts; want 1 and 2", len(folded), len(parts))
	}
	for _, want := range expectedSlides(t) {
		t.Run(want.Path, func(t *testing.T) {
			path := filepath.Join(fixtures, filepath.FromSlash(want.Path))
			info, err := Inspect(path)
			if err != nil {
				t.Fatal(err)
			}
			if info.Format == FormatDICOM {
				info = folded[0]
			}
			got := expectedSlide{
				Path: want.Path, Format: string(info.Format), MediaType: info.MediaType,
				WidthPx: info.Width, HeightPx: info.Height,
				ResolutionMPP: mppPtr(info.MPPX), MPPY: mppPtr(info.MPPY),
				Levels: info.Levels, SizeBytes: info.Size,
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("-expected.json +Inspect:\n%s", diff)
			}
			if info.Path != path {
				t.Errorf("Path %q, want %q", info.Path, path)
			}
		})
	}
}

// TestFixturesThatAreNoSlides: the text file and the PNG are not slides
// (recognized), the cut TIFF is an error naming the file and the field,
// and the pyramid's other instances are parts of its level 0.
func TestFixturesThatAreNoSlides(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, reason string }{
		{"readme.txt", "text file"},
		{"photo.png", "PNG image"},
	} {
		path := filepath.Join(fixtures, "not-slides", tc.name)
		_, err := Inspect(path)
		var ns *NotSlideError
		if !errors.As(err, &ns) || !errors.Is(err, ErrNotSlide) || ns.Reason != tc.reason || !ns.Recognized {
			t.Errorf("%s: %v, want a NotSlideError %q", tc.name, err, tc.reason)
		}
	}
	path := filepath.Join(fixtures, "not-slides", "truncated.tiff")
	_, err := Inspect(path)
	var we *Error
	if !errors.As(err, &we) || !errors.Is(err, ErrTruncated) || we.Path != path || !strings.Contains(we.Field, "IFD 0") {
		t.Errorf("truncated.tiff: %v, want an ErrTruncated *Error naming IFD 0", err)
	} else if !strings.Contains(err.Error(), path) {
		t.Errorf("the error %q does not name the file", err)
	}

	var infos []Info
	for _, name := range []string{"level-1.dcm", "label.dcm", "level-0.dcm"} {
		info, err := Inspect(filepath.Join(fixtures, "dicom-pyramid", name))
		if err != nil {
			t.Fatal(err)
		}
		infos = append(infos, info)
	}
	slides, parts := Fold(infos)
	level0 := filepath.Join(fixtures, "dicom-pyramid", "level-0.dcm")
	if len(slides) != 1 || slides[0].Path != level0 {
		t.Fatalf("slides %+v, want level-0 alone", slides)
	}
	want := map[string]string{
		"level-1.dcm": "a lower-resolution level of the pyramid of " + level0,
		"label.dcm":   "the LABEL image of the pyramid of " + level0,
	}
	for _, p := range parts {
		if w := want[filepath.Base(p.Path)]; p.Reason != w || p.Of != level0 {
			t.Errorf("part %s: %q of %q, want %q", p.Path, p.Reason, p.Of, w)
		}
	}
}

// TestReaderFormMatchesPath: InspectReader over the same bytes gives the
// same answer, named as asked.
func TestReaderFormMatchesPath(t *testing.T) {
	t.Parallel()
	path := filepath.Join(fixtures, "aperio.svs")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, err := Inspect(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := InspectReader(strings.NewReader(string(b)), int64(len(b)), "memory.svs")
	if err != nil {
		t.Fatal(err)
	}
	want.Path = "memory.svs"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Error(diff)
	}
	if got.ObjectivePower != 40 {
		t.Errorf("AppMag %v, want 40", got.ObjectivePower)
	}
}
