package wsi

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var (
	le = binary.LittleEndian
	be = binary.BigEndian
)

const aperioDesc = "Aperio Image Library v12.0.15 \r\n46000x32914 [0,100 46000x32914] (256x256) JPEG/RGB Q=70|AppMag = 20|StripeWidth = 2040|ScanScope ID = SS1234|MPP = 0.4990|Filename = label"

// TestSyntheticFiles: layouts the fixtures do not have, built here.
func TestSyntheticFiles(t *testing.T) {
	t.Parallel()
	type want struct {
		Format         Format
		Width, Height  int64
		MPPX, MPPY     float64
		Levels         int
		ObjectivePower float64
	}
	cases := []struct {
		name string
		file []byte
		want want
	}{
		{"aperio layout: level 0, stripped thumbnail, levels, label, macro",
			buildTIFF(le, false,
				image(4000, 3000, true, 32, desc(aperioDesc)),
				image(400, 300, false, 32, desc("Aperio Image Library v12.0.15\r\n4000x3000 -> 400x300 JPEG/RGB Q=30")),
				image(1000, 750, true, 32, desc("Aperio Image Library v12.0.15\r\n4000x3000 -> 1000x750 JPEG/RGB Q=70")),
				image(250, 187, true, 32),
				image(500, 500, false, 32, subfile(1), desc("Aperio Image Library v12.0.15\nlabel 500x500")),
				image(1500, 500, false, 32, subfile(9), desc("Aperio Image Library v12.0.15\nmacro 1500x500"))),
			want{FormatAperio, 4000, 3000, 0.499, 0.499, 3, 20}},
		{"generic: the first directory is a small overview; level 0 is the largest",
			buildTIFF(le, false,
				image(300, 200, true, 32),
				image(3000, 2000, true, 32, xres(20000, 1), yres(10000, 1), resUnit(unitCentimeter)),
				image(1500, 1000, true, 32, subfile(1)),
				image(750, 500, true, 32, subfile(1)),
				image(64, 64, true, 32, subfile(subfileMask))),
			want{FormatGenericTIFF, 3000, 2000, 0.5, 1, 3, 0}},
		{"levels in SubIFDs (as OME-TIFF writers do)",
			buildTIFF(be, false,
				image(2048, 1024, true, 32, xres(100000, 1), yres(100000, 1), subIFDs(0x1000, 0x2000))),
			want{}}, // replaced below: SubIFD offsets depend on layout
		{"no ResolutionUnit means inch",
			buildTIFF(le, false, image(100, 100, false, 32, xres(254000, 10), yres(127000, 10))),
			want{FormatGenericTIFF, 100, 100, 1, 2, 1, 0}},
		{"ResolutionUnit none gives no mpp",
			buildTIFF(le, false, image(100, 100, false, 32, xres(100, 1), yres(100, 1), resUnit(unitNone))),
			want{FormatGenericTIFF, 100, 100, 0, 0, 1, 0}},
		{"a zero resolution gives no mpp",
			buildTIFF(be, true, image(100, 100, true, 32, xres(0, 1), yres(5, 0), resUnit(unitInch))),
			want{FormatGenericTIFF, 100, 100, 0, 0, 1, 0}},
		{"BigTIFF big endian, LONG8 sizes",
			buildTIFF(be, true, tIFD{entries: []tEntry{
				{tag: tagImageWidth, typ: 16, vals: []uint64{70000}},
				{tag: tagImageLength, typ: 16, vals: []uint64{50000}},
				{tag: tagTileWidth, typ: 3, vals: []uint64{256}},
				{tag: tagTileOffsets, typ: 16, vals: []uint64{32, 32}},
				{tag: tagTileByteCounts, typ: 16, vals: []uint64{16, 16}},
			}}),
			want{FormatGenericTIFF, 70000, 50000, 0, 0, 1, 0}},
		{"Aperio without MPP",
			buildTIFF(le, false, image(100, 100, true, 32, desc("Aperio Image Library|AppMag = 40"))),
			want{FormatAperio, 100, 100, 0, 0, 1, 40}},
		{"DICOM explicit VR, undefined-length sequences and items",
			wsiDCM("1.2.840.10008.1.2.4.50", false, "VOLUME", "1.2.3.7", 40000, 30000, `0.0002425\0.0002475`),
			want{FormatDICOM, 40000, 30000, 0.2475, 0.2425, 1, 0}},
		{"DICOM implicit VR, defined lengths",
			wsiDCM(tsImplicitLE, true, "VOLUME", "1.2.3.7", 4000, 3000, `0.0005\0.0005`),
			want{FormatDICOM, 4000, 3000, 0.5, 0.5, 1, 0}},
		{"DICOM implicit VR, undefined lengths",
			wsiDCM(tsImplicitLE, false, "VOLUME", "", 4000, 3000, `0.001\0.002`),
			want{FormatDICOM, 4000, 3000, 2, 1, 1, 0}},
		{"DICOM without pixel spacing",
			wsiDCM("1.2.840.10008.1.2.1", true, "VOLUME", "", 10, 20, ""),
			want{FormatDICOM, 10, 20, 0, 0, 1, 0}},
	}
	// The SubIFD case: build once to learn where the directories land.
	{
		f := buildTIFF(be, false, // the same layout, with a tag nobody reads in place of SubIFDs
			image(2048, 1024, true, 32, xres(100000, 1), yres(100000, 1), tEntry{tag: 331, typ: 13, vals: []uint64{1, 2}}),
			image(1024, 512, true, 32, subfile(1)),
			image(512, 256, true, 32, subfile(1)))
		// Point the SubIFDs at the second and third directories and end
		// the main chain after the first.
		main := buildTIFF(be, false,
			tIFD{entries: image(2048, 1024, true, 32, xres(100000, 1), yres(100000, 1),
				subIFDs(ifdOffset(t, f, 1), ifdOffset(t, f, 2))).entries, nextSet: true},
			tIFD{entries: image(1024, 512, true, 32, subfile(1)).entries, nextSet: true},
			image(512, 256, true, 32, subfile(1)))
		cases[2].file = main
		cases[2].want = want{FormatGenericTIFF, 2048, 1024, 0.254, 0.254, 3, 0}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			info, err := InspectReader(bytes.NewReader(tc.file), int64(len(tc.file)), "built")
			if err != nil {
				t.Fatal(err)
			}
			got := want{info.Format, info.Width, info.Height, info.MPPX, info.MPPY, info.Levels, info.ObjectivePower}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Error(diff)
			}
			if info.Size != int64(len(tc.file)) {
				t.Errorf("Size %d, want %d", info.Size, len(tc.file))
			}
		})
	}
}

// ifdOffset is the offset of directory i of a built classic TIFF.
func ifdOffset(t *testing.T, f []byte, i int) uint64 {
	t.Helper()
	tf, err := readTIFF(newSource(bytes.NewReader(f), int64(len(f)), "built"))
	if err != nil {
		t.Fatal(err)
	}
	return uint64(tf.ifds[i].offset)
}

// TestFoldGroups: instances fold by directory and PyramidUID, else by
// SeriesInstanceUID; a lone label is a part of no slide; TIFFs pass.
func TestFoldGroups(t *testing.T) {
	t.Parallel()
	inst := func(path, pyramid, series, flavor string, w int64) Info {
		return Info{Path: path, Format: FormatDICOM, Width: w, Height: w, Levels: 1,
			DICOM: &DICOMInfo{PyramidUID: pyramid, SeriesInstanceUID: series, ImageType: []string{"ORIGINAL", "PRIMARY", flavor}}}
	}
	infos := []Info{
		{Path: "a/x.svs", Format: FormatAperio, Levels: 4},
		inst("a/p1-1.dcm", "P1", "S1", "VOLUME", 100),
		inst("a/p1-0.dcm", "P1", "S1", "VOLUME", 400),
		inst("a/p1-0b.dcm", "P1", "S1", "VOLUME", 400), // a second focal plane: same size
		inst("a/p2-0.dcm", "P2", "S1", "VOLUME", 300),  // another pyramid, same series
		inst("b/p1-0.dcm", "P1", "S1", "VOLUME", 500),  // same pyramid, other directory
		inst("a/s-0.dcm", "", "S9", "volume", 50),
		inst("a/s-1.dcm", "", "S9", "VOLUME", 25),
		inst("a/lonely.dcm", "P3", "S3", "LABEL", 10),
		{Path: "a/short.dcm", Format: FormatDICOM, Width: 7, Height: 7, Levels: 1, DICOM: &DICOMInfo{SeriesInstanceUID: "S4", ImageType: []string{"ORIGINAL"}}},
	}
	copied := inst("a/p1-0-copy.dcm", "P1", "S1", "VOLUME", 400)
	infos[2].DICOM.SOPInstanceUID, copied.DICOM.SOPInstanceUID = "I1", "I1"
	infos = append(infos, copied)
	slides, parts := Fold(infos)
	var got []string
	for _, s := range slides {
		got = append(got, s.Path+" "+string(rune('0'+s.Levels)))
	}
	want := []string{"a/x.svs 4", "a/p1-0.dcm 2", "a/p2-0.dcm 1", "b/p1-0.dcm 1", "a/s-0.dcm 2", "a/short.dcm 1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("slides (-want +got):\n%s", diff)
	}
	of := map[string]string{}
	for _, p := range parts {
		of[p.Path] = p.Of + ": " + p.Reason
	}
	wantOf := map[string]string{
		"a/p1-1.dcm":      "a/p1-0.dcm: a lower-resolution level of the pyramid of a/p1-0.dcm",
		"a/p1-0b.dcm":     "a/p1-0.dcm: another instance of level 0 of the pyramid of a/p1-0.dcm",
		"a/p1-0-copy.dcm": "a/p1-0.dcm: a copy of a/p1-0.dcm (the same SOPInstanceUID)",
		"a/s-1.dcm":       "a/s-0.dcm: a lower-resolution level of the pyramid of a/s-0.dcm",
		"a/lonely.dcm":    ": DICOM LABEL image of a pyramid without a VOLUME instance",
	}
	if diff := cmp.Diff(wantOf, of); diff != "" {
		t.Errorf("parts (-want +got):\n%s", diff)
	}
}
