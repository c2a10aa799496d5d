package checksum

import (
	"errors"
	"fmt"
	"hash"
	"io"
)

// ErrMismatch is matched (errors.Is) by every *MismatchError.
var ErrMismatch = errors.New("crc32c mismatch")

// MismatchError reports data whose CRC32C differs from the expected one. Want and
// Got are in the GCS base64 form; Name says which file or artifact it was.
type MismatchError struct {
	Name, Want, Got string
}

// Error names the artifact and both checksums.
func (e *MismatchError) Error() string {
	name := e.Name
	if name == "" {
		name = "data"
	}
	return fmt.Sprintf("verify %s: crc32c mismatch: want %s, got %s", name, e.Want, e.Got)
}

// Is makes errors.Is(err, ErrMismatch) true.
func (e *MismatchError) Is(target error) bool { return target == ErrMismatch }

// Compare checks that the checksum got equals want (both GCS base64; compared by
// value, so padding differences do not matter). It returns a *MismatchError naming
// name, or a decode error wrapping ErrMalformed when want is not a checksum.
func Compare(name, want string, got uint32) error {
	w, err := Decode(want)
	if err != nil {
		return fmt.Errorf("verify %s: %w", name, err)
	}
	if w != got {
		return &MismatchError{Name: name, Want: Encode(w), Got: Encode(got)}
	}
	return nil
}

// VerifyingWriter passes writes through to an underlying writer while computing
// their CRC32C, and checks it against an expected value in Verify.
type VerifyingWriter struct {
	// Name is used in the MismatchError (for example the artifact's file name).
	Name string
	w    io.Writer
	want string
	h    hash.Hash32
	n    int64
}

// NewVerifyingWriter returns a writer that copies to w (which may be nil to only
// hash) and expects the data to have the CRC32C want (GCS base64 form).
func NewVerifyingWriter(w io.Writer, want string) *VerifyingWriter {
	return &VerifyingWriter{w: w, want: want, h: New()}
}

// Write writes p to the underlying writer and hashes what was written.
func (v *VerifyingWriter) Write(p []byte) (int, error) {
	n := len(p)
	var err error
	if v.w != nil {
		n, err = v.w.Write(p)
	}
	v.h.Write(p[:n])
	v.n += int64(n)
	return n, err
}

// Seed hashes bytes already present before the writes (for example the prefix of a
// resumed download) without writing them, so the checksum covers the whole file.
func (v *VerifyingWriter) Seed(r io.Reader) (int64, error) {
	n, err := io.Copy(v.h, r)
	v.n += n
	if err != nil {
		return n, fmt.Errorf("read data to checksum: %w", err)
	}
	return n, nil
}

// Sum32 returns the CRC32C of everything seeded and written so far.
func (v *VerifyingWriter) Sum32() uint32 { return v.h.Sum32() }

// Sum returns Sum32 in the GCS base64 form.
func (v *VerifyingWriter) Sum() string { return Encode(v.h.Sum32()) }

// Len returns the number of bytes seeded and written so far.
func (v *VerifyingWriter) Len() int64 { return v.n }

// Verify compares the checksum of everything seeded and written with the expected
// value: nil, a *MismatchError, or an error wrapping ErrMalformed.
func (v *VerifyingWriter) Verify() error {
	return Compare(v.Name, v.want, v.h.Sum32())
}
