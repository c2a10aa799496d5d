package wsi

import (
	"encoding/binary"
	"fmt"
	"math/big"
	"strings"
)

// Transfer syntaxes (PS3.5 section 10 and annex A). Every encapsulated
// (compressed) syntax encodes the data set in explicit VR little endian.
const (
	tsImplicitLE = "1.2.840.10008.1.2"
	tsExplicitBE = "1.2.840.10008.1.2.2"
	tsDeflatedLE = "1.2.840.10008.1.2.1.99"
)

// SOPClassWSI is VL Whole Slide Microscopy Image Storage.
const SOPClassWSI = "1.2.840.10008.5.1.4.1.1.77.1.6"

// Tags, as group<<16 | element.
const (
	tagTransferSyntax  = 0x00020010
	tagImageType       = 0x00080008
	tagSOPClass        = 0x00080016
	tagSOPInstance     = 0x00080018
	tagPyramidUID      = 0x00080019
	tagSeriesInstance  = 0x0020000e
	tagRows            = 0x00280010
	tagColumns         = 0x00280011
	tagPixelSpacing    = 0x00280030
	tagPixelMeasures   = 0x00289110
	tagTotalColumns    = 0x00480006
	tagTotalRows       = 0x00480007
	tagSharedFunctions = 0x52009229
	tagItem            = 0xfffee000
	tagItemDelim       = 0xfffee00d
	tagSequenceDelim   = 0xfffee0dd
	undefinedLength    = 0xffffffff
)

// Bounds on a DICOM header, far above any real slide.
const (
	maxDepth    = 16     // nested sequences
	maxElements = 100000 // elements read before the data this package needs
	maxValue    = 4096   // bytes of one value this package reads
)

// dcmElement is the header of one data element (or item or delimiter).
type dcmElement struct {
	tag    uint32
	vr     string // "" in implicit VR and for items and delimiters
	length uint32 // undefinedLength for sequences and items of undefined length
	value  int64  // offset of the value
}

func (e dcmElement) name() string {
	g, el := e.tag>>16, e.tag&0xffff
	if n := dicomTagName(e.tag); n != "" {
		return fmt.Sprintf("element (%04X,%04X) %s", g, el, n)
	}
	return fmt.Sprintf("element (%04X,%04X)", g, el)
}

// dicomReader reads data elements (PS3.5 section 7) from a Part 10 file.
type dicomReader struct {
	s        *source
	off      int64
	elements int
}

// header reads the element header at d.off and moves d.off to its value.
func (d *dicomReader) header(explicit bool) (dcmElement, error) {
	d.elements++
	if d.elements > maxElements {
		return dcmElement{}, d.s.failf("data set", "more than %d elements before the pixel data", maxElements)
	}
	at := d.off
	b, err := d.s.at(at, 8, "element header") // the error gives the offset
	if err != nil {
		return dcmElement{}, err
	}
	e := dcmElement{tag: uint32(binary.LittleEndian.Uint16(b))<<16 | uint32(binary.LittleEndian.Uint16(b[2:]))}
	switch {
	case e.tag>>16 == 0xfffe: // items and delimiters have no VR (PS3.5 7.5)
		e.length = binary.LittleEndian.Uint32(b[4:])
		d.off = at + 8
	case explicit:
		vr := string(b[4:6])
		if vr[0] < 'A' || vr[0] > 'Z' || vr[1] < 'A' || vr[1] > 'Z' {
			return dcmElement{}, d.s.failf(e.name()+" VR", "%q is not a value representation", vr)
		}
		e.vr = vr
		if longVR(vr) {
			b, err = d.s.at(at+8, 4, "element length")
			if err != nil {
				return dcmElement{}, err
			}
			e.length = binary.LittleEndian.Uint32(b)
			d.off = at + 12
		} else {
			e.length = uint32(binary.LittleEndian.Uint16(b[6:]))
			d.off = at + 8
		}
	default:
		e.length = binary.LittleEndian.Uint32(b[4:])
		d.off = at + 8
	}
	e.value = d.off
	if e.length != undefinedLength && int64(e.length) > d.s.size-e.value {
		return dcmElement{}, d.s.fail(fmt.Sprintf("%s (offset %d, %d bytes)", e.name(), e.value, e.length),
			fmt.Errorf("%w (%d bytes)", ErrTruncated, d.s.size))
	}
	return e, nil
}

// longVR reports the VRs with a 4-byte length after 2 reserved bytes
// (PS3.5 table 7.1-1).
func longVR(vr string) bool {
	switch vr {
	case "OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV":
		return true
	}
	return false
}

// skip moves past the value of e: by its length, or through the items of
// a sequence of undefined length.
func (d *dicomReader) skip(e dcmElement, explicit bool, depth int) error {
	if e.length != undefinedLength {
		d.off = e.value + int64(e.length)
		return nil
	}
	switch e.vr {
	case "SQ", "":
		return d.sequence(e, explicit, depth, nil)
	case "UN": // a sequence of unknown VR: its content is implicit VR (PS3.5 6.2.2)
		return d.sequence(e, false, depth, nil)
	case "OB", "OW": // encapsulated pixel data: fragments as items
		return d.sequence(e, explicit, depth, nil)
	}
	return d.s.failf(e.name(), "undefined length for VR %s", e.vr)
}

// sequence reads the items of sq. visit, when not nil, sees each element
// of each item (with the item's index) and returns whether it consumed the
// element's value; others are skipped. Without visit, items of defined
// length are skipped whole (they may be pixel data fragments).
func (d *dicomReader) sequence(sq dcmElement, explicit bool, depth int, visit func(item int, e dcmElement, depth int) (bool, error)) error {
	if depth > maxDepth {
		return d.s.failf(sq.name(), "sequences nested more than %d deep", maxDepth)
	}
	end := int64(-1)
	if sq.length != undefinedLength {
		end = sq.value + int64(sq.length)
	}
	for item := 0; ; item++ {
		if end >= 0 && d.off >= end {
			if d.off > end {
				return d.s.failf(sq.name(), "its items run past its length %d", sq.length)
			}
			return nil
		}
		it, err := d.header(explicit)
		if err != nil {
			return err
		}
		switch it.tag {
		case tagSequenceDelim:
			return nil
		case tagItem:
		default:
			return d.s.failf(sq.name(), "%s where item %d should start", it.name(), item)
		}
		itemEnd := int64(-1)
		if it.length != undefinedLength {
			itemEnd = it.value + int64(it.length)
			if end >= 0 && itemEnd > end {
				return d.s.failf(sq.name(), "item %d (%d bytes) runs past the sequence's length %d", item, it.length, sq.length)
			}
			if visit == nil {
				d.off = itemEnd
				continue
			}
		}
		if err := d.item(sq, item, itemEnd, explicit, depth, visit); err != nil {
			return err
		}
	}
}

// item reads the elements of one item, up to itemEnd or its delimiter.
func (d *dicomReader) item(sq dcmElement, item int, itemEnd int64, explicit bool, depth int, visit func(int, dcmElement, int) (bool, error)) error {
	for {
		if itemEnd >= 0 && d.off >= itemEnd {
			if d.off > itemEnd {
				return d.s.failf(sq.name(), "item %d: its elements run past its length", item)
			}
			return nil
		}
		e, err := d.header(explicit)
		if err != nil {
			return err
		}
		switch e.tag {
		case tagItemDelim:
			if itemEnd >= 0 {
				return d.s.failf(sq.name(), "item %d of defined length ends with a delimiter", item)
			}
			return nil
		case tagItem, tagSequenceDelim:
			return d.s.failf(sq.name(), "item %d: %s inside an item", item, e.name())
		}
		handled := false
		if visit != nil {
			if handled, err = visit(item, e, depth+1); err != nil {
				return err
			}
		}
		if !handled {
			if err := d.skip(e, explicit, depth+1); err != nil {
				return err
			}
		}
	}
}

// str reads e's value as text, at most maxValue bytes, without the padding.
func (d *dicomReader) str(e dcmElement) (string, error) {
	if e.length == undefinedLength || e.length > maxValue {
		return "", d.s.failf(e.name(), "value of %d bytes (at most %d)", int64(e.length), maxValue)
	}
	b, err := d.s.at(e.value, int(e.length), e.name())
	if err != nil {
		return "", err
	}
	d.off = e.value + int64(e.length)
	return strings.Trim(string(b), " \x00"), nil
}

// uint reads the first value of a US or UL element.
func (d *dicomReader) uint(e dcmElement) (uint32, error) {
	if e.length != 2 && e.length != 4 {
		return 0, d.s.failf(e.name(), "value of %d bytes, want 2 (US) or 4 (UL)", int64(e.length))
	}
	b, err := d.s.at(e.value, int(e.length), e.name())
	if err != nil {
		return 0, err
	}
	d.off = e.value + int64(e.length)
	if e.length == 2 {
		return uint32(binary.LittleEndian.Uint16(b)), nil
	}
	return binary.LittleEndian.Uint32(b), nil
}

func dicomTagName(tag uint32) string {
	switch tag {
	case tagTransferSyntax:
		return "TransferSyntaxUID"
	case tagImageType:
		return "ImageType"
	case tagSOPClass:
		return "SOPClassUID"
	case tagSOPInstance:
		return "SOPInstanceUID"
	case tagPyramidUID:
		return "PyramidUID"
	case tagSeriesInstance:
		return "SeriesInstanceUID"
	case tagRows:
		return "Rows"
	case tagColumns:
		return "Columns"
	case tagPixelSpacing:
		return "PixelSpacing"
	case tagPixelMeasures:
		return "PixelMeasuresSequence"
	case tagTotalColumns:
		return "TotalPixelMatrixColumns"
	case tagTotalRows:
		return "TotalPixelMatrixRows"
	case tagSharedFunctions:
		return "SharedFunctionalGroupsSequence"
	case tagItem:
		return "Item"
	case tagItemDelim:
		return "ItemDelimitationItem"
	case tagSequenceDelim:
		return "SequenceDelimitationItem"
	}
	return ""
}

// mmToMicrons converts a decimal string (DS) in millimetres to microns,
// exactly, then rounded once.
func mmToMicrons(s string) (float64, error) {
	if _, err := positive(s); err != nil {
		return 0, err
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return 0, fmt.Errorf("%w: not a decimal", ErrMalformed)
	}
	f, _ := r.Mul(r, big.NewRat(1000, 1)).Float64()
	return f, nil
}
