package wsi

import (
	"errors"
	"fmt"
)

// Format is the kind of a slide file.
type Format string

// Formats, as `slides scan` reports them.
const (
	FormatAperio      Format = "aperio"       // Aperio SVS: TIFF with an Aperio ImageDescription
	FormatGenericTIFF Format = "generic-tiff" // any other TIFF or BigTIFF
	FormatDICOM       Format = "dicom"        // a DICOM WSI instance (Fold makes slides of them)
)

// Media types of the formats, as the platform expects them.
const (
	MediaTypeTIFF  = "image/tiff"
	MediaTypeDICOM = "application/dicom"
)

// Info is what the header of one file says. A DICOM file is one instance of
// a pyramid: Fold combines the instances of one pyramid into one slide.
type Info struct {
	Path      string // as given to Inspect, or the name given to InspectReader
	Format    Format
	MediaType string
	Width     int64 // level 0, pixels
	Height    int64
	// MPPX and MPPY are the microns per pixel of level 0 along x (columns)
	// and y (rows); 0 when the file does not say.
	MPPX, MPPY float64
	Levels     int   // resolution levels (a DICOM instance is one until Fold)
	Size       int64 // bytes
	// ObjectivePower is the scanner's objective magnification (Aperio
	// AppMag); 0 when the file does not say.
	ObjectivePower float64
	// DICOM holds the identifiers of a DICOM instance; nil for TIFF.
	DICOM *DICOMInfo
}

// HasMPP reports whether the file gives a resolution along x.
func (i Info) HasMPP() bool { return i.MPPX > 0 }

// DICOMInfo identifies a DICOM WSI instance and its place in a pyramid.
type DICOMInfo struct {
	SOPClassUID       string
	SOPInstanceUID    string
	SeriesInstanceUID string
	PyramidUID        string   // empty when the instance has none
	ImageType         []string // e.g. ORIGINAL, PRIMARY, VOLUME, NONE
	TransferSyntaxUID string
}

// Flavor is the third value of ImageType in upper case (VOLUME, LABEL,
// OVERVIEW, THUMBNAIL), or VOLUME when ImageType has fewer than three
// values, as the Python SDK reads it.
func (d *DICOMInfo) Flavor() string {
	if d == nil || len(d.ImageType) < 3 {
		return "VOLUME"
	}
	return upperASCII(d.ImageType[2])
}

// Errors matched with errors.Is.
var (
	// ErrNotSlide: the file is not a whole-slide image (see NotSlideError).
	ErrNotSlide = errors.New("not a whole-slide image")
	// ErrTruncated: a header points beyond the end of the file.
	ErrTruncated = errors.New("beyond the end of the file")
	// ErrMalformed: a header field has a value no valid file has.
	ErrMalformed = errors.New("malformed")
	// ErrUnsupported: a valid file in an encoding this package does not read.
	ErrUnsupported = errors.New("unsupported")
)

// Error is a slide file that could not be read: cut, corrupt, or in an
// unsupported encoding. It names the file and the field.
type Error struct {
	Path   string
	Format string // TIFF, BigTIFF or DICOM
	Field  string // what was being read, e.g. "IFD 2 entry count"
	Err    error  // wraps ErrTruncated, ErrMalformed, ErrUnsupported or an I/O error
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s %s: %v", e.Path, e.Format, e.Field, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// NotSlideError is a file that is not a whole-slide image, with the reason.
// It matches ErrNotSlide.
type NotSlideError struct {
	Path   string
	Reason string // e.g. "PNG image", "DICOM SOP class 1.2.840.10008.5.1.4.1.1.2 (not whole-slide microscopy)"
	// Recognized is true when the content is a known format (DICOM of
	// another kind, PNG, JPEG, ...), false when nothing was recognized.
	Recognized bool
}

func (e *NotSlideError) Error() string {
	return fmt.Sprintf("%s: not a whole-slide image: %s", e.Path, e.Reason)
}

func (e *NotSlideError) Is(target error) bool { return target == ErrNotSlide }

func upperASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}
