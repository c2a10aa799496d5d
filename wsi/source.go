package wsi

import (
	"errors"
	"fmt"
	"io"
)

// Bounds on what a header may make us read or allocate.
const (
	window  = 16 << 10 // bytes read at once; small reads are served from it
	maxRead = 1 << 20  // the most one field may make us read (and allocate)
)

// source reads bounded pieces of a file through a small window, so the many
// small reads of a header cost few system calls.
type source struct {
	r      io.ReaderAt
	size   int64
	path   string
	format string // for errors: TIFF, BigTIFF, DICOM
	buf    []byte // the window's bytes
	bufOff int64  // file offset of buf[0]
}

func newSource(r io.ReaderAt, size int64, path string) *source {
	return &source{r: r, size: size, path: path}
}

// fail is an *Error about field.
func (s *source) fail(field string, err error) error {
	return &Error{Path: s.path, Format: s.format, Field: field, Err: err}
}

// failf is fail with a formatted ErrMalformed.
func (s *source) failf(field, format string, args ...any) error {
	return s.fail(field, fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...))
}

// at returns n bytes at off, valid until the next call. n is at most
// maxRead; a range outside the file is an ErrTruncated naming field.
func (s *source) at(off int64, n int, field string) ([]byte, error) {
	if n < 0 || n > maxRead {
		return nil, s.failf(field, "%d bytes is more than a header field may hold", n)
	}
	if off < 0 || off > s.size || int64(n) > s.size-off {
		return nil, s.fail(fmt.Sprintf("%s (offset %d, %d bytes)", field, off, n),
			fmt.Errorf("%w (%d bytes)", ErrTruncated, s.size))
	}
	if off >= s.bufOff && off+int64(n) <= s.bufOff+int64(len(s.buf)) {
		start := int(off - s.bufOff)
		return s.buf[start : start+n], nil
	}
	want := max(n, window)
	if rest := s.size - off; int64(want) > rest {
		want = int(rest)
	}
	if cap(s.buf) < want {
		s.buf = make([]byte, want)
	}
	s.buf = s.buf[:want]
	got, err := s.r.ReadAt(s.buf, off)
	if got < want {
		s.buf, s.bufOff = s.buf[:0], 0
		if err == nil || errors.Is(err, io.EOF) {
			err = fmt.Errorf("%w (the file is shorter than its size %d)", ErrTruncated, s.size)
		}
		return nil, s.fail(fmt.Sprintf("%s (offset %d)", field, off), err)
	}
	s.bufOff = off
	return s.buf[:n], nil
}
