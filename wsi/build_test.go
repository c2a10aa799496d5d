package wsi

import (
	"bytes"
	"encoding/binary"
	"sort"
)

// This file builds small TIFF and DICOM files for the tests and the fuzz
// seeds: headers that say what a test needs, with a few bytes of "pixels".

// tEntry is one TIFF directory entry; vals are its values, written in
// the entry when they fit, else after the directory.
type tEntry struct {
	tag, typ uint16
	vals     []uint64 // integers (RATIONAL: num, den pairs)
	ascii    string   // for ASCII
	count    uint64   // overrides the count written (hostile files)
	offset   uint64   // overrides where the values are said to be
}

type tIFD struct {
	entries []tEntry
	next    uint64 // overrides the next-IFD offset (0: the next one built, or none)
	nextSet bool
}

// image returns the entries of a plain image: size, strips or tiles (one
// data block of 16 bytes at dataOff), and extra entries.
func image(w, h uint64, tiled bool, dataOff uint64, extra ...tEntry) tIFD {
	es := []tEntry{
		{tag: tagImageWidth, typ: 4, vals: []uint64{w}},
		{tag: tagImageLength, typ: 4, vals: []uint64{h}},
	}
	if tiled {
		es = append(es,
			tEntry{tag: tagTileWidth, typ: 3, vals: []uint64{16}},
			tEntry{tag: tagTileOffsets, typ: 4, vals: []uint64{dataOff}},
			tEntry{tag: tagTileByteCounts, typ: 4, vals: []uint64{16}})
	} else {
		es = append(es,
			tEntry{tag: tagStripOffsets, typ: 4, vals: []uint64{dataOff}},
			tEntry{tag: tagStripByteCounts, typ: 4, vals: []uint64{16}})
	}
	return tIFD{entries: append(es, extra...)}
}

func desc(s string) tEntry    { return tEntry{tag: tagImageDescription, typ: 2, ascii: s} }
func subfile(v uint64) tEntry { return tEntry{tag: tagNewSubfileType, typ: 4, vals: []uint64{v}} }
func xres(num, den uint64) tEntry {
	return tEntry{tag: tagXResolution, typ: 5, vals: []uint64{num, den}}
}
func yres(num, den uint64) tEntry {
	return tEntry{tag: tagYResolution, typ: 5, vals: []uint64{num, den}}
}
func resUnit(u uint64) tEntry       { return tEntry{tag: tagResolutionUnit, typ: 3, vals: []uint64{u}} }
func subIFDs(offs ...uint64) tEntry { return tEntry{tag: tagSubIFDs, typ: 13, vals: offs} }

// buildTIFF writes a TIFF (or BigTIFF) file: the header, 16 bytes of
// "pixels" at offset 32, then the directories in order, each followed by
// its values that do not fit in their entries.
func buildTIFF(bo binary.ByteOrder, big bool, ifds ...tIFD) []byte {
	var b bytes.Buffer
	put16 := func(v uint16) { _ = binary.Write(&b, bo, v) }
	put32 := func(v uint32) { _ = binary.Write(&b, bo, v) }
	put64 := func(v uint64) { _ = binary.Write(&b, bo, v) }
	putOff := func(v uint64) {
		if big {
			put64(v)
		} else {
			put32(uint32(v))
		}
	}
	if bo == binary.LittleEndian {
		b.WriteString("II")
	} else {
		b.WriteString("MM")
	}
	const data = 32 // 16 bytes of data at 32..48
	first := uint64(48)
	if big {
		put16(43)
		put16(8)
		put16(0)
		put64(first)
	} else {
		put16(42)
		put32(uint32(first))
	}
	for b.Len() < data {
		b.WriteByte(0)
	}
	b.Write(bytes.Repeat([]byte{0xab}, 16))
	countSize, entrySize, offSize := 2, 12, 4
	if big {
		countSize, entrySize, offSize = 8, 20, 8
	}
	// Lay out: each IFD followed by its out-of-line values.
	sizeOf := func(d tIFD) int {
		n := countSize + len(d.entries)*entrySize + offSize
		for _, e := range d.entries {
			if l := valueBytes(e, bo); len(l) > offSize && e.offset == 0 {
				n += len(l) + len(l)%2
			}
		}
		return n
	}
	offs := make([]uint64, len(ifds))
	pos := first
	for i, d := range ifds {
		offs[i] = pos
		pos += uint64(sizeOf(d))
	}
	for i, d := range ifds {
		es := append([]tEntry(nil), d.entries...)
		sort.SliceStable(es, func(a, c int) bool { return es[a].tag < es[c].tag })
		if big {
			put64(uint64(len(es)))
		} else {
			put16(uint16(len(es)))
		}
		extra := offs[i] + uint64(countSize+len(es)*entrySize+offSize)
		var tail []byte
		for _, e := range es {
			v := valueBytes(e, bo)
			count := e.count
			if count == 0 {
				count = uint64(len(v) / max(tiffTypeSize(e.typ), 1))
			}
			put16(e.tag)
			put16(e.typ)
			if big {
				put64(count)
			} else {
				put32(uint32(count))
			}
			switch {
			case e.offset != 0:
				putOff(e.offset)
			case len(v) <= offSize:
				b.Write(v)
				b.Write(make([]byte, offSize-len(v)))
			default:
				putOff(extra + uint64(len(tail)))
				tail = append(tail, v...)
				if len(v)%2 == 1 {
					tail = append(tail, 0)
				}
			}
		}
		next := uint64(0)
		if i+1 < len(ifds) {
			next = offs[i+1]
		}
		if d.nextSet {
			next = d.next
		}
		putOff(next)
		b.Write(tail)
	}
	return b.Bytes()
}

// valueBytes encodes an entry's values.
func valueBytes(e tEntry, bo binary.ByteOrder) []byte {
	if e.typ == 2 {
		return append([]byte(e.ascii), 0)
	}
	var b bytes.Buffer
	for _, v := range e.vals {
		switch tiffTypeSize(e.typ) {
		case 1:
			b.WriteByte(byte(v))
		case 2:
			_ = binary.Write(&b, bo, uint16(v))
		case 4:
			_ = binary.Write(&b, bo, uint32(v))
		case 8:
			_ = binary.Write(&b, bo, v)
		}
	}
	if e.typ == 5 { // pairs of LONGs
		b.Reset()
		for _, v := range e.vals {
			_ = binary.Write(&b, bo, uint32(v))
		}
	}
	return b.Bytes()
}

// dcm builds a DICOM Part 10 file element by element.
type dcm struct {
	b        bytes.Buffer
	explicit bool
}

// newDCM starts a file with the preamble and file meta information for
// transfer syntax ts.
func newDCM(ts string) *dcm {
	d := &dcm{explicit: true}
	d.b.Write(make([]byte, 128))
	d.b.WriteString("DICM")
	meta := &dcm{explicit: true}
	meta.str(0x00020001, "OB", "\x00\x01")
	meta.str(0x00020002, "UI", SOPClassWSI)
	meta.str(0x00020010, "UI", ts)
	d.el(0x00020000, "UL", le32(uint32(meta.b.Len())))
	d.b.Write(meta.b.Bytes())
	d.explicit = ts != tsImplicitLE
	return d
}

func le16(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }
func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }

// el writes one element with a defined length.
func (d *dcm) el(tag uint32, vr string, val []byte) *dcm {
	d.head(tag, vr, uint32(len(val)))
	d.b.Write(val)
	return d
}

// str writes a text value, padded to an even length.
func (d *dcm) str(tag uint32, vr, s string) *dcm {
	if len(s)%2 == 1 {
		if vr == "UI" || vr == "OB" {
			s += "\x00"
		} else {
			s += " "
		}
	}
	return d.el(tag, vr, []byte(s))
}

func (d *dcm) head(tag uint32, vr string, length uint32) {
	d.b.Write(le16(uint16(tag >> 16)))
	d.b.Write(le16(uint16(tag)))
	switch {
	case tag>>16 == 0xfffe:
		d.b.Write(le32(length))
	case d.explicit && longVR(vr):
		d.b.WriteString(vr)
		d.b.Write([]byte{0, 0})
		d.b.Write(le32(length))
	case d.explicit:
		d.b.WriteString(vr)
		d.b.Write(le16(uint16(length)))
	default:
		d.b.Write(le32(length))
	}
}

// seq writes a sequence of items, each built by a function, with defined
// lengths (defined) or with delimiters.
func (d *dcm) seq(tag uint32, defined bool, items ...func(*dcm)) *dcm {
	var body bytes.Buffer
	for _, item := range items {
		in := &dcm{explicit: d.explicit}
		item(in)
		if defined {
			body.Write(le16(0xfffe))
			body.Write(le16(0xe000))
			body.Write(le32(uint32(in.b.Len())))
			body.Write(in.b.Bytes())
		} else {
			body.Write(le16(0xfffe))
			body.Write(le16(0xe000))
			body.Write(le32(undefinedLength))
			body.Write(in.b.Bytes())
			body.Write(le16(0xfffe))
			body.Write(le16(0xe00d))
			body.Write(le32(0))
		}
	}
	if defined {
		d.head(tag, "SQ", uint32(body.Len()))
		d.b.Write(body.Bytes())
	} else {
		d.head(tag, "SQ", undefinedLength)
		d.b.Write(body.Bytes())
		d.b.Write(le16(0xfffe))
		d.b.Write(le16(0xe0dd))
		d.b.Write(le32(0))
	}
	return d
}

// wsiDCM is a DICOM WSI instance: ImageType, SOP class and instance, the
// pyramid and series, size, and the shared functional groups' spacing
// written with defined (or undefined) lengths; pixel data follows.
func wsiDCM(ts string, defined bool, flavor, pyramid string, w, h uint32, spacing string) []byte {
	d := newDCM(ts)
	d.str(tagImageType, "CS", `ORIGINAL\PRIMARY\`+flavor+`\NONE`)
	d.str(tagSOPClass, "UI", SOPClassWSI)
	d.str(tagSOPInstance, "UI", "1.2.3.4."+flavor)
	if pyramid != "" {
		d.str(tagPyramidUID, "UI", pyramid)
	}
	d.str(0x00100010, "PN", "Noise^Pixels")
	d.str(tagSeriesInstance, "UI", "1.2.3.9")
	d.el(tagRows, "US", le16(256))
	d.el(tagColumns, "US", le16(256))
	d.el(tagTotalColumns, "UL", le32(w))
	d.el(tagTotalRows, "UL", le32(h))
	if spacing != "" {
		d.seq(tagSharedFunctions, defined, func(it *dcm) {
			it.seq(0x00209071, defined, func(in *dcm) { in.str(0x00209072, "CS", "L") }) // an unrelated sequence first
			it.seq(tagPixelMeasures, defined, func(in *dcm) {
				in.str(0x00180050, "DS", "0.001")
				in.str(tagPixelSpacing, "DS", spacing)
			})
		})
	}
	return d.pixels().b.Bytes()
}

// pixels writes encapsulated pixel data: one fragment of 4 bytes.
func (d *dcm) pixels() *dcm {
	d.head(0x7fe00010, "OB", undefinedLength)
	d.b.Write(le16(0xfffe))
	d.b.Write(le16(0xe000))
	d.b.Write(le32(4))
	d.b.Write([]byte{1, 2, 3, 4})
	d.b.Write(le16(0xfffe))
	d.b.Write(le16(0xe0dd))
	d.b.Write(le32(0))
	return d
}
