package wsi

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"unicode/utf8"
)

// Inspect reads the header of the file at path. A file that is no slide
// gives a *NotSlideError (errors.Is ErrNotSlide), a cut or corrupt one an
// *Error naming the field.
func Inspect(path string) (Info, error) {
	// Stat first: opening a named pipe would wait for a writer.
	if st, err := os.Stat(path); err != nil {
		return Info{}, err
	} else if !st.Mode().IsRegular() {
		return Info{}, &NotSlideError{Path: path, Reason: "not a regular file", Recognized: true}
	}
	f, err := os.Open(path)
	if err != nil {
		return Info{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Info{}, err
	}
	if !st.Mode().IsRegular() {
		return Info{}, &NotSlideError{Path: path, Reason: "not a regular file", Recognized: true}
	}
	return InspectReader(f, st.Size(), path)
}

// InspectReader is Inspect over r, whose size is size bytes; name is used
// as Info.Path and in errors. r may be read concurrently by others.
func InspectReader(r io.ReaderAt, size int64, name string) (Info, error) {
	if size < 0 {
		return Info{}, fmt.Errorf("%s: negative size %d", name, size)
	}
	s := newSource(r, size, name)
	head := make([]byte, min(size, 512))
	if n, err := r.ReadAt(head, 0); n < len(head) {
		if err == nil {
			err = io.ErrUnexpectedEOF
		}
		return Info{}, fmt.Errorf("%s: read: %w", name, err)
	}
	var (
		info Info
		err  error
	)
	switch {
	case len(head) >= 4 && (bytes.HasPrefix(head, []byte("II*\x00")) || bytes.HasPrefix(head, []byte("MM\x00*")) ||
		bytes.HasPrefix(head, []byte("II+\x00")) || bytes.HasPrefix(head, []byte("MM\x00+"))):
		var t *tiffFile
		if t, err = readTIFF(s); err == nil {
			info, err = tiffInfo(t)
		}
	case len(head) >= 132 && string(head[128:132]) == "DICM":
		info, err = readDICOM(s)
	default:
		reason, known := sniff(head)
		return Info{}, &NotSlideError{Path: name, Reason: reason, Recognized: known}
	}
	if err != nil {
		return Info{}, err
	}
	info.Path, info.Size = name, size
	return info, nil
}

// sniff names the kind of a file that is no slide, from its first bytes.
func sniff(head []byte) (reason string, known bool) {
	for _, m := range []struct{ prefix, name string }{
		{"\x89PNG\r\n\x1a\n", "PNG image"},
		{"\xff\xd8\xff", "JPEG image"},
		{"GIF87a", "GIF image"},
		{"GIF89a", "GIF image"},
		{"%PDF-", "PDF document"},
		{"PK\x03\x04", "ZIP archive"},
		{"\x1f\x8b", "gzip file"},
		{"\x00\x00\x00\x0cjP  ", "JPEG 2000 image"},
		{"\x00\x05\x16\x07", "AppleDouble file (macOS metadata)"},
	} {
		if bytes.HasPrefix(head, []byte(m.prefix)) {
			return m.name, true
		}
	}
	switch {
	case len(head) == 0:
		return "empty file", false // named like a slide, it is one that failed to copy
	case isText(head):
		return "text file", true
	}
	return "unknown format", false
}

// isText reports UTF-8 without control characters other than tab, line
// ends and form feed; a character cut by the end of head is allowed.
func isText(head []byte) bool {
	for _, c := range head {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' || c == 0x7f {
			return false
		}
	}
	for cut := 0; cut < utf8.UTFMax && cut < len(head); cut++ {
		if utf8.Valid(head[:len(head)-cut]) {
			return true
		}
	}
	return false
}
