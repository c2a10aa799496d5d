// Package checksum computes and checks CRC32C (Castagnoli) checksums in the form
// Google Cloud Storage reports them: base64 of the four big-endian bytes.
package checksum

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
)

// ErrMalformed reports a checksum string that is not base64 of exactly four bytes.
var ErrMalformed = errors.New("malformed crc32c checksum")

// table returns the Castagnoli table. crc32.MakeTable returns the shared,
// hardware-accelerated (SSE4.2 / ARMv8 CRC) table for crc32.Castagnoli, so calling
// it per use costs nothing and avoids package-level state.
func table() *crc32.Table { return crc32.MakeTable(crc32.Castagnoli) }

// New returns a streaming CRC32C hash. Its Sum appends the value big-endian.
func New() hash.Hash32 { return crc32.New(table()) }

// Sum returns the CRC32C of b.
func Sum(b []byte) uint32 { return crc32.Checksum(b, table()) }

// Update returns the CRC32C of the bytes that gave crc followed by b.
func Update(crc uint32, b []byte) uint32 { return crc32.Update(crc, table(), b) }

// Encode returns sum as GCS writes it: standard base64 of the four big-endian bytes.
func Encode(sum uint32) string {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], sum)
	return base64.StdEncoding.EncodeToString(b[:])
}

// Decode parses a checksum in the GCS form (standard base64, padding optional) and
// returns its value. Errors wrap ErrMalformed.
func Decode(s string) (uint32, error) {
	var b [6]byte // room for what 8 base64 characters can hold
	enc := base64.StdEncoding
	if len(s) == 6 {
		enc = base64.RawStdEncoding
	}
	if len(s) != 8 && len(s) != 6 {
		return 0, fmt.Errorf("decode crc32c %q: %w: want 8 base64 characters", s, ErrMalformed)
	}
	n, err := enc.Strict().Decode(b[:], []byte(s))
	if err != nil || n != 4 {
		return 0, fmt.Errorf("decode crc32c %q: %w", s, ErrMalformed)
	}
	return binary.BigEndian.Uint32(b[:4]), nil
}
