package wsi

import (
	"encoding/binary"
	"fmt"
)

// Bounds on a TIFF's directory structure, far above any real slide.
const (
	maxIFDs       = 1024 // directories, main chain and SubIFDs together
	maxIFDEntries = 4096 // entries in one directory
	maxSubIFDs    = 64   // SubIFDs of one directory
	maxDescBytes  = 64 << 10
	maxDimension  = 1 << 40 // pixels along one axis
)

// TIFF tags this package reads (TIFF 6.0 section 8 and the SubIFDs note).
const (
	tagNewSubfileType   = 254
	tagSubfileType      = 255
	tagImageWidth       = 256
	tagImageLength      = 257
	tagImageDescription = 270
	tagStripOffsets     = 273
	tagStripByteCounts  = 279
	tagXResolution      = 282
	tagYResolution      = 283
	tagResolutionUnit   = 296
	tagTileWidth        = 322
	tagTileOffsets      = 324
	tagTileByteCounts   = 325
	tagSubIFDs          = 330
)

// NewSubfileType bits.
const (
	subfileReduced = 1 // a reduced-resolution version of another image
	subfileMask    = 4 // a transparency mask
)

// tiffTypeSize is the size in bytes of one value of a TIFF field type, 0
// for types a reader must skip (TIFF 6.0 section 2; BigTIFF adds 16-18).
func tiffTypeSize(typ uint16) int {
	switch typ {
	case 1, 2, 6, 7: // BYTE, ASCII, SBYTE, UNDEFINED
		return 1
	case 3, 8: // SHORT, SSHORT
		return 2
	case 4, 9, 11, 13: // LONG, SLONG, FLOAT, IFD
		return 4
	case 5, 10, 12, 16, 17, 18: // RATIONAL, SRATIONAL, DOUBLE, LONG8, SLONG8, IFD8
		return 8
	}
	return 0
}

// rational is a TIFF RATIONAL: num/den.
type rational struct{ num, den uint32 }

// ifd is what one image file directory says, for the tags this package uses.
type ifd struct {
	index       int   // position in the walk (0 = the first directory)
	offset      int64 // where it starts
	sub         bool  // reached through SubIFDs
	width       int64
	height      int64
	newSubfile  uint32
	oldSubfile  uint32
	tiled       bool
	description string // at most maxDescBytes
	xres, yres  rational
	resUnit     uint16 // 0 when absent
	subIFDs     []int64
}

// tiffFile walks the directories of a TIFF or BigTIFF file.
type tiffFile struct {
	s       *source
	bo      binary.ByteOrder
	big     bool
	visited map[int64]bool
	ifds    []*ifd
}

// readTIFF reads the header and every directory (the main chain, then the
// SubIFDs of each). Loops and too many directories are errors.
func readTIFF(s *source) (*tiffFile, error) {
	s.format = "TIFF"
	h, err := s.at(0, 8, "header")
	if err != nil {
		return nil, err
	}
	t := &tiffFile{s: s, visited: map[int64]bool{}}
	switch string(h[:2]) {
	case "II":
		t.bo = binary.LittleEndian
	case "MM":
		t.bo = binary.BigEndian
	default:
		return nil, s.failf("header", "byte order %q is neither II nor MM", h[:2])
	}
	var first int64
	switch v := t.bo.Uint16(h[2:]); v {
	case 42:
		first = int64(t.bo.Uint32(h[4:]))
	case 43:
		t.big = true
		s.format = "BigTIFF"
		if bs, z := t.bo.Uint16(h[4:]), t.bo.Uint16(h[6:]); bs != 8 || z != 0 {
			return nil, s.failf("header", "offset size %d (constant %d); BigTIFF needs 8 (0)", bs, z)
		}
		b, err := s.at(8, 8, "first IFD offset")
		if err != nil {
			return nil, err
		}
		o := t.bo.Uint64(b)
		if o > uint64(s.size) {
			return nil, s.fail(fmt.Sprintf("first IFD offset %d", o), fmt.Errorf("%w (%d bytes)", ErrTruncated, s.size))
		}
		first = int64(o)
	default:
		return nil, s.failf("header", "version %d is neither 42 (TIFF) nor 43 (BigTIFF)", v)
	}
	if first == 0 {
		return nil, s.failf("header", "no image file directory (first IFD offset 0)")
	}
	if err := t.chain(first, false); err != nil {
		return nil, err
	}
	// SubIFDs of the main chain (and of SubIFDs, breadth first); the slice
	// grows while it is walked.
	for i := 0; i < len(t.ifds); i++ {
		for _, off := range t.ifds[i].subIFDs {
			if err := t.chain(off, true); err != nil {
				return nil, err
			}
		}
	}
	return t, nil
}

// chain reads the directory at off and those its next-IFD offsets lead to.
func (t *tiffFile) chain(off int64, sub bool) error {
	for off != 0 {
		if t.visited[off] {
			return t.s.failf(fmt.Sprintf("IFD %d offset", len(t.ifds)), "%d points back to an earlier directory (a loop)", off)
		}
		if len(t.ifds) >= maxIFDs {
			return t.s.failf("IFD chain", "more than %d image file directories", maxIFDs)
		}
		t.visited[off] = true
		d, next, err := t.readIFD(off, len(t.ifds))
		if err != nil {
			return err
		}
		d.sub = sub
		t.ifds = append(t.ifds, d)
		off = next
	}
	return nil
}

// readIFD reads one directory and returns it with the offset of the next.
func (t *tiffFile) readIFD(off int64, index int) (*ifd, int64, error) {
	s := t.s
	field := fmt.Sprintf("IFD %d", index)
	countSize, entrySize, nextSize := 2, 12, 4
	if t.big {
		countSize, entrySize, nextSize = 8, 20, 8
	}
	b, err := s.at(off, countSize, field+" entry count")
	if err != nil {
		return nil, 0, err
	}
	var n uint64
	if t.big {
		n = t.bo.Uint64(b)
	} else {
		n = uint64(t.bo.Uint16(b))
	}
	if n == 0 || n > maxIFDEntries {
		return nil, 0, s.failf(field+" entry count", "%d entries (a directory has 1 to %d)", n, maxIFDEntries)
	}
	entriesOff := off + int64(countSize)
	// Copy the entries: reading their values moves the source's window.
	raw, err := s.at(entriesOff, int(n)*entrySize+nextSize, field+" entries")
	if err != nil {
		return nil, 0, err
	}
	raw = append([]byte(nil), raw...)
	d := &ifd{index: index, offset: off}
	var data dataFields
	for i := range int(n) {
		if err := t.entry(d, raw[i*entrySize:(i+1)*entrySize], field, &data); err != nil {
			return nil, 0, err
		}
	}
	if d.width == 0 || d.height == 0 {
		return nil, 0, t.s.failf(field, "no ImageWidth (256) or ImageLength (257)")
	}
	if err := t.checkData(d, field, &data); err != nil {
		return nil, 0, err
	}
	nb := raw[int(n)*entrySize:]
	var next uint64
	if t.big {
		next = t.bo.Uint64(nb)
	} else {
		next = uint64(t.bo.Uint32(nb))
	}
	if next > uint64(s.size) {
		return nil, 0, s.fail(fmt.Sprintf("%s next IFD offset %d", field, next), fmt.Errorf("%w (%d bytes)", ErrTruncated, s.size))
	}
	return d, int64(next), nil
}

// tiffField is one directory entry: its type, count and the inline bytes
// (the values themselves when they fit, else their offset).
type tiffField struct {
	tag, typ uint16
	count    uint64
	inline   []byte
	name     string
}

// entry records one directory entry in d, for the tags this package reads.
func (t *tiffFile) entry(d *ifd, e []byte, field string, data *dataFields) error {
	f := tiffField{tag: t.bo.Uint16(e[0:]), typ: t.bo.Uint16(e[2:])}
	if t.big {
		f.count, f.inline = t.bo.Uint64(e[4:]), e[12:20]
	} else {
		f.count, f.inline = uint64(t.bo.Uint32(e[4:])), e[8:12]
	}
	switch f.tag {
	case tagNewSubfileType, tagSubfileType, tagImageWidth, tagImageLength, tagImageDescription,
		tagStripOffsets, tagStripByteCounts, tagXResolution, tagYResolution, tagResolutionUnit,
		tagTileWidth, tagTileOffsets, tagTileByteCounts, tagSubIFDs:
	default:
		// Not needed, never read; but the values of a public tag must lie
		// in the file (a file cut short fails this). Private tags (32768
		// and up) are the vendors' business.
		if f.tag < 32768 && !t.inFile(f) {
			return t.s.fail(fmt.Sprintf("%s tag %d values", field, f.tag), fmt.Errorf("%w (%d bytes)", ErrTruncated, t.s.size))
		}
		return nil
	}
	f.name = fmt.Sprintf("%s tag %d (%s)", field, f.tag, tagName(f.tag))
	size := tiffTypeSize(f.typ)
	if size == 0 {
		return t.s.failf(f.name, "unknown field type %d", f.typ)
	}
	if f.count == 0 {
		return t.s.failf(f.name, "no values")
	}
	switch f.tag {
	case tagStripOffsets:
		data.stripOffsets = f // checked once the whole directory is known
		return nil
	case tagStripByteCounts:
		data.stripCounts = f
		return nil
	case tagTileOffsets:
		data.tileOffsets, d.tiled = f, true
		return nil
	case tagTileByteCounts:
		data.tileCounts = f
		return nil
	case tagTileWidth:
		return nil
	case tagImageDescription:
		if f.typ != 2 && f.typ != 1 && f.typ != 7 {
			return t.s.failf(f.name, "field type %d, want ASCII", f.typ)
		}
		b, err := t.values(f, 0, maxDescBytes)
		if err != nil {
			return err
		}
		for len(b) > 0 && b[len(b)-1] == 0 {
			b = b[:len(b)-1]
		}
		d.description = string(b)
		return nil
	case tagXResolution, tagYResolution:
		if f.typ != 5 {
			return t.s.failf(f.name, "field type %d, want RATIONAL", f.typ)
		}
		b, err := t.values(f, 0, 1)
		if err != nil {
			return err
		}
		r := rational{t.bo.Uint32(b), t.bo.Uint32(b[4:])}
		if f.tag == tagXResolution {
			d.xres = r
		} else {
			d.yres = r
		}
		return nil
	case tagSubIFDs:
		if f.count > maxSubIFDs {
			return t.s.failf(f.name, "%d SubIFDs (at most %d)", f.count, maxSubIFDs)
		}
		b, err := t.values(f, 0, maxSubIFDs)
		if err != nil {
			return err
		}
		for i := 0; i < len(b); i += size {
			v, err := t.uint(b[i:i+size], f.typ, f.name)
			if err != nil {
				return err
			}
			if v == 0 || v > uint64(t.s.size) {
				return t.s.fail(fmt.Sprintf("%s offset %d", f.name, v), fmt.Errorf("%w (%d bytes)", ErrTruncated, t.s.size))
			}
			d.subIFDs = append(d.subIFDs, int64(v))
		}
		return nil
	}
	b, err := t.values(f, 0, 1)
	if err != nil {
		return err
	}
	v, err := t.uint(b, f.typ, f.name)
	if err != nil {
		return err
	}
	switch f.tag {
	case tagNewSubfileType:
		d.newSubfile = uint32(v)
	case tagSubfileType:
		d.oldSubfile = uint32(v)
	case tagImageWidth, tagImageLength:
		if v == 0 || v > maxDimension {
			return t.s.failf(f.name, "%d pixels", v)
		}
		if f.tag == tagImageWidth {
			d.width = int64(v)
		} else {
			d.height = int64(v)
		}
	case tagResolutionUnit:
		d.resUnit = uint16(min(v, 0xffff))
	}
	return nil
}

// dataFields are the entries that locate an image's strips or tiles.
type dataFields struct{ stripOffsets, stripCounts, tileOffsets, tileCounts tiffField }

// inFile reports whether all of f's values lie in the file (always, for
// types a reader skips).
func (t *tiffFile) inFile(f tiffField) bool {
	size := uint64(tiffTypeSize(f.typ))
	if size == 0 || f.count <= uint64(len(f.inline))/size {
		return true
	}
	var off uint64
	if t.big {
		off = t.bo.Uint64(f.inline)
	} else {
		off = uint64(t.bo.Uint32(f.inline))
	}
	fsize := uint64(t.s.size)
	return f.count <= fsize/size && off <= fsize && f.count*size <= fsize-off
}

// values returns at most n values of f starting with value first. All of
// f's values must lie in the file; only the ones returned are read.
func (t *tiffFile) values(f tiffField, first, n uint64) ([]byte, error) {
	size := uint64(tiffTypeSize(f.typ))
	if first >= f.count {
		return nil, nil
	}
	n = min(n, f.count-first)
	if f.count <= uint64(len(f.inline))/size {
		return f.inline[first*size : (first+n)*size], nil
	}
	var off uint64
	if t.big {
		off = t.bo.Uint64(f.inline)
	} else {
		off = uint64(t.bo.Uint32(f.inline))
	}
	fsize := uint64(t.s.size)
	if f.count > fsize/size || off > fsize || f.count*size > fsize-off {
		return nil, t.s.fail(fmt.Sprintf("%s: %d values at offset %d", f.name, f.count, off),
			fmt.Errorf("%w (%d bytes)", ErrTruncated, t.s.size))
	}
	b, err := t.s.at(int64(off+first*size), int(n*size), f.name)
	if err != nil {
		return nil, err
	}
	return append([]byte(nil), b...), nil
}

// checkData checks that the last strip or tile of d ends within the file,
// which a file cut short fails (strips and tiles are written in order).
// Empty (sparse) tiles, offset and byte count 0, are allowed.
func (t *tiffFile) checkData(d *ifd, field string, data *dataFields) error {
	offTag := uint16(tagStripOffsets)
	offs, counts := data.stripOffsets, data.stripCounts
	if d.tiled {
		offTag, offs, counts = tagTileOffsets, data.tileOffsets, data.tileCounts
	}
	if offs.count == 0 {
		return t.s.failf(field, "no %s", tagName(offTag))
	}
	if counts.count == 0 {
		return nil // libtiff infers byte counts of a single strip; nothing to check
	}
	last := offs.count - 1
	ob, err := t.values(offs, last, 1)
	if err != nil {
		return err
	}
	o, err := t.uint(ob, offs.typ, offs.name)
	if err != nil {
		return err
	}
	if counts.count != offs.count {
		return t.s.failf(counts.name, "%d values for %d %s", counts.count, offs.count, tagName(offTag))
	}
	cb, err := t.values(counts, last, 1)
	if err != nil {
		return err
	}
	c, err := t.uint(cb, counts.typ, counts.name)
	if err != nil {
		return err
	}
	if o > uint64(t.s.size) || c > uint64(t.s.size)-o {
		what := "strip"
		if d.tiled {
			what = "tile"
		}
		return t.s.fail(fmt.Sprintf("%s %s %d data (offset %d, %d bytes)", field, what, last, o, c),
			fmt.Errorf("%w (%d bytes)", ErrTruncated, t.s.size))
	}
	return nil
}

// uint reads the first value of an unsigned integer field.
func (t *tiffFile) uint(b []byte, typ uint16, name string) (uint64, error) {
	switch typ {
	case 1:
		return uint64(b[0]), nil
	case 3:
		return uint64(t.bo.Uint16(b)), nil
	case 4, 13:
		return uint64(t.bo.Uint32(b)), nil
	case 16, 18:
		return t.bo.Uint64(b), nil
	}
	return 0, t.s.failf(name, "field type %d, want an unsigned integer", typ)
}

func tagName(tag uint16) string {
	switch tag {
	case tagNewSubfileType:
		return "NewSubfileType"
	case tagSubfileType:
		return "SubfileType"
	case tagImageWidth:
		return "ImageWidth"
	case tagImageLength:
		return "ImageLength"
	case tagImageDescription:
		return "ImageDescription"
	case tagStripOffsets:
		return "StripOffsets"
	case tagStripByteCounts:
		return "StripByteCounts"
	case tagTileByteCounts:
		return "TileByteCounts"
	case tagXResolution:
		return "XResolution"
	case tagYResolution:
		return "YResolution"
	case tagResolutionUnit:
		return "ResolutionUnit"
	case tagTileWidth:
		return "TileWidth"
	case tagTileOffsets:
		return "TileOffsets"
	case tagSubIFDs:
		return "SubIFDs"
	}
	return "?"
}
