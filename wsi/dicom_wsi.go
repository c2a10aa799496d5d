package wsi

import (
	"fmt"
	"strings"
)

// wsiAttributes are the attributes of a DICOM WSI instance this package
// reads.
type wsiAttributes struct {
	ts, sopClass, sopInstance, series, pyramid string
	imageType                                  []string
	rows, columns, totalRows, totalColumns     uint32
	spacing                                    string // PixelSpacing of the shared functional groups
}

// readDICOM reads a Part 10 file (PS3.10 section 7): the preamble, the file
// meta information (explicit VR little endian), then the data set up to the
// shared functional groups, never the pixel data.
func readDICOM(s *source) (Info, error) {
	s.format = "DICOM"
	d := &dicomReader{s: s, off: 132}
	var a wsiAttributes
	for {
		b, err := s.at(d.off, 2, "file meta information")
		if err != nil {
			return Info{}, err
		}
		if b[0] != 0x02 || b[1] != 0x00 { // group 0002 ends
			break
		}
		e, err := d.header(true)
		if err != nil {
			return Info{}, err
		}
		if e.length == undefinedLength {
			return Info{}, s.failf(e.name(), "undefined length in the file meta information")
		}
		if e.tag == tagTransferSyntax {
			if a.ts, err = d.str(e); err != nil {
				return Info{}, err
			}
			continue
		}
		d.off = e.value + int64(e.length)
	}
	explicit := true
	switch a.ts {
	case "":
		return Info{}, s.failf("file meta information", "no TransferSyntaxUID (0002,0010)")
	case tsImplicitLE:
		explicit = false
	case tsExplicitBE, tsDeflatedLE:
		return Info{}, s.fail("TransferSyntaxUID", fmt.Errorf("%w transfer syntax %s (explicit or implicit VR little endian, or encapsulated)", ErrUnsupported, a.ts))
	}
	if err := d.dataset(&a, explicit); err != nil {
		return Info{}, err
	}
	return a.info(s)
}

// dataset reads the top-level elements up to the shared functional groups.
func (d *dicomReader) dataset(a *wsiAttributes, explicit bool) error {
	for d.off < d.s.size {
		e, err := d.header(explicit)
		if err != nil {
			return err
		}
		if e.tag > tagSharedFunctions {
			return nil // everything needed comes before
		}
		var v string
		var n uint32
		switch e.tag {
		case tagImageType:
			if v, err = d.str(e); err == nil {
				a.imageType = strings.Split(v, `\`)
			}
		case tagSOPClass:
			a.sopClass, err = d.str(e)
		case tagSOPInstance:
			a.sopInstance, err = d.str(e)
		case tagPyramidUID:
			a.pyramid, err = d.str(e)
		case tagSeriesInstance:
			a.series, err = d.str(e)
		case tagRows, tagColumns, tagTotalRows, tagTotalColumns:
			n, err = d.uint(e)
			switch e.tag {
			case tagRows:
				a.rows = n
			case tagColumns:
				a.columns = n
			case tagTotalRows:
				a.totalRows = n
			default:
				a.totalColumns = n
			}
		case tagSharedFunctions:
			err = d.sequence(e, explicit, 1, func(item int, e dcmElement, depth int) (bool, error) {
				if item != 0 || e.tag != tagPixelMeasures {
					return false, nil
				}
				return true, d.sequence(e, explicit, depth, func(item int, e dcmElement, _ int) (bool, error) {
					if item != 0 || e.tag != tagPixelSpacing {
						return false, nil
					}
					v, err := d.str(e)
					a.spacing = v
					return true, err
				})
			})
		default:
			err = d.skip(e, explicit, 1)
		}
		if err != nil {
			return err
		}
	}
	// An image has pixel data after these elements: a file that ends first
	// was cut short.
	return d.s.fail("data set", fmt.Errorf("%w (%d bytes) before the pixel data (7FE0,0010)", ErrTruncated, d.s.size))
}

// info checks the attributes and makes them an Info.
func (a *wsiAttributes) info(s *source) (Info, error) {
	if a.sopClass == "" {
		return Info{}, s.failf("data set", "no SOPClassUID (0008,0016)")
	}
	if a.sopClass != SOPClassWSI {
		return Info{}, &NotSlideError{Path: s.path, Recognized: true,
			Reason: fmt.Sprintf("DICOM SOP class %s, not VL Whole Slide Microscopy Image Storage", a.sopClass)}
	}
	info := Info{
		Format:    FormatDICOM,
		MediaType: MediaTypeDICOM,
		Width:     int64(a.totalColumns),
		Height:    int64(a.totalRows),
		Levels:    1,
		DICOM: &DICOMInfo{SOPClassUID: a.sopClass, SOPInstanceUID: a.sopInstance,
			SeriesInstanceUID: a.series, PyramidUID: a.pyramid, ImageType: a.imageType, TransferSyntaxUID: a.ts},
	}
	if info.Width == 0 || info.Height == 0 { // labels and overviews may be single frames
		info.Width, info.Height = int64(a.columns), int64(a.rows)
	}
	if info.Width == 0 || info.Height == 0 {
		return Info{}, s.failf("data set", "no TotalPixelMatrixColumns/Rows (0048,0006/0007) or Columns/Rows (0028,0011/0010)")
	}
	if a.spacing != "" {
		parts := strings.Split(a.spacing, `\`)
		if len(parts) != 2 {
			return Info{}, s.failf("element (0028,0030) PixelSpacing", "%q has %d values, want 2", a.spacing, len(parts))
		}
		rowMPP, err := mmToMicrons(strings.TrimSpace(parts[0]))
		if err == nil {
			info.MPPX, err = mmToMicrons(strings.TrimSpace(parts[1]))
		}
		if err != nil {
			return Info{}, s.failf("element (0028,0030) PixelSpacing", "%q: %v", a.spacing, err)
		}
		info.MPPY = rowMPP // PixelSpacing is row spacing \ column spacing
	}
	return info, nil
}
