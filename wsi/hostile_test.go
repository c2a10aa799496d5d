package wsi

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// maxAlloc bounds what inspecting any file may allocate.
const maxAlloc = 2 << 20

// inspectBytes inspects b as the file "hostile" and reports the bytes
// allocated meanwhile.
func inspectBytes(b []byte) (Info, error, uint64) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	info, err := InspectReader(bytes.NewReader(b), int64(len(b)), "hostile")
	runtime.ReadMemStats(&after)
	return info, err, after.TotalAlloc - before.TotalAlloc
}

// patch returns a copy of b with p written at off.
func patch(b []byte, off int, p ...byte) []byte {
	c := append([]byte(nil), b...)
	copy(c[off:], p)
	return c
}

// TestHostileInput: counts, offsets and lengths that lie. Each gives the
// documented error naming the field, with a bounded allocation.
func TestHostileInput(t *testing.T) {
	// Not parallel: allocations are measured.
	plain := buildTIFF(le, false, image(100, 100, false, 32))
	manyIFDs := make([]tIFD, maxIFDs+1)
	for i := range manyIFDs {
		manyIFDs[i] = image(10, 10, false, 32, subfile(1))
	}
	manyIFDs[0] = image(100, 100, false, 32)
	ct := newDCM("1.2.840.10008.1.2.1")
	ct.str(tagSOPClass, "UI", "1.2.840.10008.5.1.4.1.1.2").pixels()
	wsiHead := func(ts string) *dcm {
		d := newDCM(ts)
		d.str(tagImageType, "CS", `ORIGINAL\PRIMARY\VOLUME\NONE`)
		d.str(tagSOPClass, "UI", SOPClassWSI)
		return d
	}
	deep := wsiHead("1.2.840.10008.1.2.1")
	var nest func(d *dcm, n int)
	nest = func(d *dcm, n int) {
		if n == 0 {
			d.str(0x00100010, "PN", "x")
			return
		}
		d.seq(0x00400275, false, func(in *dcm) { nest(in, n-1) })
	}
	nest(deep, maxDepth+2)
	unterminated := wsiHead("1.2.840.10008.1.2.1")
	unterminated.head(0x00400275, "SQ", undefinedLength)
	unterminated.head(tagItem, "", undefinedLength)
	unterminated.str(0x00100010, "PN", "cut here")
	many := wsiHead("1.2.840.10008.1.2.1")
	for range maxElements {
		many.el(0x00090010, "LO", nil)
	}
	overrun := wsiHead("1.2.840.10008.1.2.1")
	overrun.head(tagSharedFunctions, "SQ", 16)
	overrun.head(tagItem, "", 40)
	overrun.b.Write(make([]byte, 64))
	notItem := wsiHead("1.2.840.10008.1.2.1")
	notItem.head(tagSharedFunctions, "SQ", undefinedLength)
	notItem.str(0x00100010, "PN", "not an item")
	withSpacing := func(spacing string) []byte {
		d := wsiHead("1.2.840.10008.1.2.1")
		d.el(tagTotalColumns, "UL", le32(10)).el(tagTotalRows, "UL", le32(10))
		d.seq(tagSharedFunctions, true, func(it *dcm) {
			it.seq(tagPixelMeasures, true, func(in *dcm) { in.str(tagPixelSpacing, "DS", spacing) })
		})
		return d.pixels().b.Bytes()
	}

	cases := []struct {
		name   string
		file   []byte
		err    error  // ErrTruncated, ErrMalformed, ErrUnsupported or ErrNotSlide
		field  string // in the message
		format string
	}{
		{"first IFD beyond the end", patch(plain, 4, 0xff, 0xff, 0, 0), ErrTruncated, "IFD 0 entry count", "TIFF"},
		{"first IFD offset 0", patch(plain, 4, 0, 0, 0, 0), ErrMalformed, "header", "TIFF"},
		{"neither TIFF nor BigTIFF", patch(plain, 2, 44), ErrNotSlide, "", ""},
		{"a header cut after 4 bytes", buildTIFF(le, true, image(1, 1, false, 32))[:4:4], ErrTruncated, "header", "TIFF"},
		{"BigTIFF offset size 4", patch(buildTIFF(le, true, image(1, 1, false, 32)), 4, 4), ErrMalformed, "header", "BigTIFF"},
		{"BigTIFF first IFD far away", patch(buildTIFF(le, true, image(1, 1, false, 32)), 8, 0, 0, 0, 0, 0, 0, 0, 0x80), ErrTruncated, "first IFD offset", "BigTIFF"},
		{"a directory that is its own next", buildTIFF(le, false, tIFD{entries: image(1, 1, false, 32).entries, next: 48, nextSet: true}), ErrMalformed, "a loop", "TIFF"},
		{"next IFD beyond the end", buildTIFF(le, false, tIFD{entries: image(1, 1, false, 32).entries, next: 1 << 30, nextSet: true}), ErrTruncated, "IFD 0 next IFD offset", "TIFF"},
		{"no entries", patch(plain, 48, 0, 0), ErrMalformed, "IFD 0 entry count", "TIFF"},
		{"65535 entries", patch(plain, 48, 0xff, 0xff), ErrMalformed, "IFD 0 entry count", "TIFF"},
		{"BigTIFF 2^63 entries", patch(buildTIFF(le, true, image(1, 1, false, 32)), 48, 0, 0, 0, 0, 0, 0, 0, 0x80), ErrMalformed, "IFD 0 entry count", "BigTIFF"},
		{"more directories than allowed", buildTIFF(le, false, manyIFDs...), ErrMalformed, "IFD chain", "TIFF"},
		{"width 0", buildTIFF(le, false, image(0, 1, false, 32)), ErrMalformed, "ImageWidth", "TIFF"},
		{"no width", buildTIFF(le, false, tIFD{entries: image(1, 1, false, 32).entries[1:]}), ErrMalformed, "no ImageWidth", "TIFF"},
		{"width of unknown type", buildTIFF(le, false, image(1, 1, false, 32, tEntry{tag: tagImageWidth, typ: 99, vals: nil, count: 1})), ErrMalformed, "unknown field type 99", "TIFF"},
		{"width as RATIONAL", buildTIFF(le, false, tIFD{entries: append([]tEntry{{tag: tagImageWidth, typ: 5, vals: []uint64{1, 1}}}, image(1, 1, false, 32).entries[1:]...)}), ErrMalformed, "want an unsigned integer", "TIFF"},
		{"4 billion widths far away", buildTIFF(le, false, tIFD{entries: append([]tEntry{{tag: tagImageWidth, typ: 4, count: 0xffffffff, offset: 8}}, image(1, 1, false, 32).entries[1:]...)}), ErrTruncated, "ImageWidth", "TIFF"},
		{"description of 4 GB", buildTIFF(le, false, image(1, 1, false, 32, tEntry{tag: tagImageDescription, typ: 2, count: 0xffffffff, offset: 8})), ErrTruncated, "ImageDescription", "TIFF"},
		{"BigTIFF description of 2^62 bytes", buildTIFF(le, true, image(1, 1, false, 32, tEntry{tag: tagImageDescription, typ: 2, count: 1 << 62, offset: 8})), ErrTruncated, "ImageDescription", "BigTIFF"},
		{"description as SHORT", buildTIFF(le, false, image(1, 1, false, 32, tEntry{tag: tagImageDescription, typ: 3, vals: []uint64{1}})), ErrMalformed, "want ASCII", "TIFF"},
		{"XResolution as SHORT", buildTIFF(le, false, image(1, 1, false, 32, tEntry{tag: tagXResolution, typ: 3, vals: []uint64{1}})), ErrMalformed, "want RATIONAL", "TIFF"},
		{"a million SubIFDs", buildTIFF(le, false, image(1, 1, false, 32, tEntry{tag: tagSubIFDs, typ: 13, count: 1 << 20, offset: 8})), ErrMalformed, "SubIFDs", "TIFF"},
		{"SubIFD beyond the end", buildTIFF(le, false, image(1, 1, false, 32, subIFDs(1<<30))), ErrTruncated, "SubIFDs", "TIFF"},
		{"SubIFD back to the first directory", buildTIFF(le, false, image(1, 1, false, 32, subIFDs(48))), ErrMalformed, "a loop", "TIFF"},
		{"no strips", buildTIFF(le, false, tIFD{entries: image(1, 1, false, 32).entries[:2]}), ErrMalformed, "no StripOffsets", "TIFF"},
		{"last tile beyond the end (a cut file)", buildTIFF(le, false, image(1, 1, true, 1<<20)), ErrTruncated, "tile 0 data", "TIFF"},
		{"strip counts and offsets disagree", buildTIFF(be, false, image(1, 1, false, 32, tEntry{tag: tagStripByteCounts, typ: 4, vals: []uint64{1, 2, 3}})), ErrMalformed, "StripByteCounts", "TIFF"},
		{"Aperio MPP not a number", buildTIFF(le, false, image(1, 1, true, 32, desc("Aperio|MPP = abc"))), ErrMalformed, `"MPP"`, "TIFF"},
		{"Aperio MPP negative", buildTIFF(le, false, image(1, 1, true, 32, desc("Aperio|MPP = -0.25"))), ErrMalformed, `"MPP"`, "TIFF"},
		{"Aperio AppMag NaN", buildTIFF(le, false, image(1, 1, true, 32, desc("Aperio|AppMag = NaN"))), ErrMalformed, `"AppMag"`, "TIFF"},

		{"DICM and nothing else", append(make([]byte, 128), "DICM"...), ErrTruncated, "file meta information", "DICOM"},
		{"no transfer syntax", func() []byte {
			d := &dcm{explicit: true}
			d.b.Write(make([]byte, 128))
			d.b.WriteString("DICM")
			d.str(0x00020002, "UI", SOPClassWSI)
			d.str(tagSOPClass, "UI", SOPClassWSI)
			return d.b.Bytes()
		}(), ErrMalformed, "no TransferSyntaxUID", "DICOM"},
		{"deflated", wsiHead(tsDeflatedLE).b.Bytes(), ErrUnsupported, "TransferSyntaxUID", "DICOM"},
		{"explicit VR big endian", wsiHead(tsExplicitBE).b.Bytes(), ErrUnsupported, "TransferSyntaxUID", "DICOM"},
		{"not whole-slide microscopy", ct.b.Bytes(), ErrNotSlide, "not VL Whole Slide", ""},
		{"no SOP class", newDCM("1.2.840.10008.1.2.1").str(0x00100010, "PN", "x").pixels().b.Bytes(), ErrMalformed, "no SOPClassUID", "DICOM"},
		{"no size", wsiHead("1.2.840.10008.1.2.1").pixels().b.Bytes(), ErrMalformed, "no TotalPixelMatrixColumns", "DICOM"},
		{"no pixel data", wsiHead("1.2.840.10008.1.2.1").el(tagTotalColumns, "UL", le32(10)).el(tagTotalRows, "UL", le32(10)).b.Bytes(), ErrTruncated, "before the pixel data", "DICOM"},
		{"an element longer than the file", wsiHead("1.2.840.10008.1.2.1").el(0x00100010, "PN", []byte("ab")). /* then lie */ b.Bytes()[:0], ErrNotSlide, "", ""},
		{"a VR that is no VR", patch(wsiHead("1.2.840.10008.1.2.1").str(0x00100010, "PN", "x").b.Bytes(), len(wsiHead("1.2.840.10008.1.2.1").b.Bytes())+4, '1', '2'), ErrMalformed, "VR", "DICOM"},
		{"a value past the end", func() []byte {
			d := wsiHead("1.2.840.10008.1.2.1")
			d.head(0x00100010, "PN", 0xfff0)
			return d.b.Bytes()
		}(), ErrTruncated, "element (0010,0010)", "DICOM"},
		{"an implicit VR length of 4 GB", func() []byte {
			d := wsiHead(tsImplicitLE)
			d.head(0x00100010, "", 0xfffffff0)
			return d.b.Bytes()
		}(), ErrTruncated, "element (0010,0010)", "DICOM"},
		{"sequences nested too deep", deep.b.Bytes(), ErrMalformed, "nested", "DICOM"},
		{"an undefined-length sequence cut short", unterminated.b.Bytes(), ErrTruncated, "element header", "DICOM"},
		{"too many elements", many.b.Bytes(), ErrMalformed, "more than", "DICOM"},
		{"an item longer than its sequence", overrun.b.Bytes(), ErrMalformed, "runs past", "DICOM"},
		{"an element where an item should be", notItem.b.Bytes(), ErrMalformed, "where item 0 should start", "DICOM"},
		{"a public tag's values beyond the end", buildTIFF(le, false, image(1, 1, false, 32, tEntry{tag: 258, typ: 3, count: 3, offset: 1 << 20})), ErrTruncated, "IFD 0 tag 258 values", "TIFF"},
		{"ImageType of 8 KB", newDCM("1.2.840.10008.1.2.1").el(tagImageType, "UT", bytes.Repeat([]byte("A"), 8192)).b.Bytes(), ErrMalformed, "ImageType", "DICOM"},
		{"a 3-byte UL", wsiHead("1.2.840.10008.1.2.1").el(tagTotalColumns, "UL", []byte{1, 2, 3}).b.Bytes(), ErrMalformed, "TotalPixelMatrixColumns", "DICOM"},
		{"PixelSpacing not numbers", withSpacing(`abc\def`), ErrMalformed, "PixelSpacing", "DICOM"},
		{"PixelSpacing of one value", withSpacing(`0.00025`), ErrMalformed, "PixelSpacing", "DICOM"},
		{"PixelSpacing of zero", withSpacing(`0\0`), ErrMalformed, "PixelSpacing", "DICOM"},
		{"PixelSpacing of 1e999", withSpacing(`1e999\1`), ErrMalformed, "PixelSpacing", "DICOM"},
		{"undefined length for a short VR", func() []byte {
			d := wsiHead("1.2.840.10008.1.2.1")
			d.head(0x00100010, "UT", undefinedLength) // UT is long: ok to write, wrong to leave undefined
			return d.b.Bytes()
		}(), ErrMalformed, "undefined length for VR UT", "DICOM"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err, alloc := inspectBytes(tc.file)
			if !errors.Is(err, tc.err) {
				t.Fatalf("%v, want %v", err, tc.err)
			}
			if alloc > maxAlloc {
				t.Errorf("allocated %d bytes", alloc)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "hostile: ") || !strings.Contains(msg, tc.field) {
				t.Errorf("%q does not name the file and %q", msg, tc.field)
			}
			var we *Error
			if tc.format != "" && (!errors.As(err, &we) || we.Format != tc.format) {
				t.Errorf("%#v, want an *Error of format %s", err, tc.format)
			}
		})
	}
}

// TestCutAnywhere cuts the fixtures and built files at many lengths: each
// gives an *Error, a *NotSlideError or (cut within the pixels) an answer,
// never a panic, always with a bounded allocation. A cut inside a TIFF's
// directories or a DICOM header is always an error.
func TestCutAnywhere(t *testing.T) {
	files := map[string][]byte{
		"aperio":  buildTIFF(le, false, image(4000, 3000, true, 32, desc(aperioDesc)), image(1000, 750, true, 32)),
		"bigtiff": buildTIFF(be, true, image(40, 30, false, 32, xres(1, 1)), image(20, 15, false, 32, subfile(1))),
		"dicom":   wsiDCM(tsImplicitLE, false, "VOLUME", "1.2", 10, 10, `0.001\0.001`),
	}
	for _, name := range []string{"generic-pyramid.tiff", "bigtiff-inch.tiff", "bigendian-strips.tiff", "aperio.svs", "dicom-pyramid/level-0.dcm"} {
		b, err := os.ReadFile(filepath.Join(fixtures, name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = b
	}
	for name, b := range files {
		headerEnd := len(b) // a TIFF: the directories and values come last
		if i := bytes.Index(b, []byte("\xe0\x7f\x10\x00")); strings.Contains(name, "dicom") && i > 0 {
			headerEnd = i // the pixel data element starts here
		}
		// Every length within 64 bytes of a directory or the ends, others
		// sampled.
		start := 0
		near := func(n int) bool { return n < headerEnd+64 || n > len(b)-64 }
		if strings.HasSuffix(name, "tiff") || strings.HasSuffix(name, "svs") {
			f, err := readTIFF(newSource(bytes.NewReader(b), int64(len(b)), name))
			if err != nil {
				t.Fatal(err)
			}
			start = int(f.ifds[0].offset) // libvips writes the directories after the pixels
			near = func(n int) bool {
				for _, d := range f.ifds {
					if n >= int(d.offset)-8 && n < int(d.offset)+64 {
						return true
					}
				}
				return n < 64 || n > len(b)-64
			}
		}
		for n := range len(b) {
			if !near(n) && n%1009 != 0 {
				continue
			}
			var err error
			if n%61 == 0 { // measuring stops the world: sampled
				var alloc uint64
				if _, err, alloc = inspectBytes(b[:n]); alloc > maxAlloc {
					t.Fatalf("%s cut at %d: allocated %d bytes", name, n, alloc)
				}
			} else {
				_, err = InspectReader(bytes.NewReader(b[:n]), int64(n), name)
			}
			var we *Error
			var ns *NotSlideError
			switch {
			case err == nil && n < headerEnd && n >= start:
				t.Fatalf("%s cut at %d: no error", name, n)
			case err != nil && !errors.As(err, &we) && !errors.As(err, &ns):
				t.Fatalf("%s cut at %d: %T %v", name, n, err, err)
			}
		}
	}
}
