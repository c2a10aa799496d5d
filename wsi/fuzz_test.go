package wsi

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// checkAnswer holds for whatever bytes were inspected: an answer that
// makes sense, or an error of this package naming the file.
func checkAnswer(t *testing.T, info Info, err error) {
	t.Helper()
	if err != nil {
		var we *Error
		var ns *NotSlideError
		if !errors.As(err, &we) && !errors.As(err, &ns) {
			t.Fatalf("%T %v: want an *Error or a *NotSlideError", err, err)
		}
		return
	}
	if info.Width < 1 || info.Height < 1 || info.Levels < 1 {
		t.Fatalf("%+v: size and levels must be positive", info)
	}
	for _, m := range []float64{info.MPPX, info.MPPY, info.ObjectivePower} {
		if m < 0 || math.IsNaN(m) || math.IsInf(m, 0) {
			t.Fatalf("%+v: resolution %v", info, m)
		}
	}
}

func seedFixtures(f *testing.F, names []string, limit int) {
	for _, name := range names {
		b, err := os.ReadFile(filepath.Join(fixtures, filepath.FromSlash(name)))
		if err != nil {
			f.Fatal(err)
		}
		if limit > 0 && len(b) > limit {
			b = b[:limit]
		}
		f.Add(b)
	}
}

// FuzzTIFF drives the TIFF and BigTIFF directory walker and the level,
// Aperio and resolution logic, seeded with the fixtures and built files.
func FuzzTIFF(f *testing.F) {
	seedFixtures(f, []string{"generic-pyramid.tiff", "aperio.svs", "bigtiff-inch.tiff", "bigendian-strips.tiff", "not-slides/truncated.tiff"}, 0)
	f.Add(buildTIFF(le, false,
		image(4000, 3000, true, 32, desc(aperioDesc)),
		image(400, 300, false, 32),
		image(1000, 750, true, 32),
		image(500, 500, false, 32, subfile(1), desc("Aperio Image Library v12\nlabel 500x500"))))
	f.Add(buildTIFF(be, true, image(3000, 2000, true, 32, xres(20000, 1), yres(10000, 1), resUnit(unitCentimeter)), image(1500, 1000, true, 32, subfile(1))))
	f.Add(buildTIFF(be, false, image(2048, 1024, true, 32, subIFDs(48))))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 8 {
			return
		}
		s := newSource(bytes.NewReader(b), int64(len(b)), "fuzz")
		tf, err := readTIFF(s)
		if err == nil {
			if len(tf.ifds) == 0 || len(tf.ifds) > maxIFDs {
				t.Fatalf("%d directories", len(tf.ifds))
			}
			info, err := tiffInfo(tf)
			checkAnswer(t, info, err)
			return
		}
		checkAnswer(t, Info{}, err)
	})
}

// FuzzDICOM drives the DICOM element reader: the file meta information,
// explicit and implicit VR, sequences and items of defined and undefined
// length, seeded with the fixtures' headers and built files.
func FuzzDICOM(f *testing.F) {
	seedFixtures(f, []string{"dicom-pyramid/level-0.dcm", "dicom-pyramid/level-1.dcm", "dicom-pyramid/label.dcm"}, 2048)
	f.Add(wsiDCM("1.2.840.10008.1.2.4.50", false, "VOLUME", "1.2.3.7", 40000, 30000, `0.0002425\0.0002475`))
	f.Add(wsiDCM(tsImplicitLE, true, "VOLUME", "1.2.3.7", 4000, 3000, `0.0005\0.0005`))
	f.Add(wsiDCM(tsImplicitLE, false, "LABEL", "", 4000, 3000, `0.001\0.002`))
	f.Fuzz(func(t *testing.T, b []byte) {
		info, err := InspectReader(bytes.NewReader(b), int64(len(b)), "fuzz")
		checkAnswer(t, info, err)
		if err == nil && info.Format != FormatDICOM && len(b) >= 132 && string(b[128:132]) == "DICM" {
			t.Fatalf("a DICM file read as %s", info.Format)
		}
	})
}
