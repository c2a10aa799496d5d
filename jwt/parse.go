package jwt

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
)

// MaxTokenSize is the largest token Parse accepts, in bytes.
const MaxTokenSize = 16 << 10

// Token is a parsed token. Raw is the compact form it was parsed from.
type Token struct {
	Header Header
	Claims Claims
	Raw    string

	signingInput string // header "." payload, as received
	signature    []byte
}

// Parse decodes a compact JWS strictly, without checking the signature: exactly
// three base64url parts without padding, a header that is a JSON object with a
// string "alg", and claims that are a JSON object. Errors wrap ErrMalformed.
func Parse(s string) (*Token, error) {
	if len(s) > MaxTokenSize {
		return nil, fmt.Errorf("parse token: %w: %d bytes, limit %d", ErrMalformed, len(s), MaxTokenSize)
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("parse token: %w: %d parts, want 3", ErrMalformed, len(parts))
	}
	names := [3]string{"header", "claims", "signature"}
	var dec [3][]byte
	for i, p := range parts {
		if p == "" && i < 2 {
			return nil, fmt.Errorf("parse token: %w: empty %s", ErrMalformed, names[i])
		}
		b, err := decodeSegment(p)
		if err != nil {
			return nil, fmt.Errorf("parse token: %w: %s: %v", ErrMalformed, names[i], err)
		}
		dec[i] = b
	}
	h, err := parseHeader(dec[0])
	if err != nil {
		return nil, fmt.Errorf("parse token: %w: header: %v", ErrMalformed, err)
	}
	var c Claims
	if err := c.UnmarshalJSON(dec[1]); err != nil {
		return nil, fmt.Errorf("parse token: %w: claims: %v", ErrMalformed, err)
	}
	return &Token{
		Header:       h,
		Claims:       c,
		Raw:          s,
		signingInput: parts[0] + "." + parts[1],
		signature:    dec[2],
	}, nil
}

// decodeSegment decodes unpadded base64url, refusing any byte outside the
// alphabet (padding, whitespace, line breaks) and non-canonical trailing bits.
func decodeSegment(p string) ([]byte, error) {
	for i := 0; i < len(p); i++ {
		c := p[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return nil, fmt.Errorf("invalid base64url character at offset %d", i)
		}
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(p)
	if err != nil {
		return nil, fmt.Errorf("invalid base64url: %v", err)
	}
	return b, nil
}

// parseHeader decodes the JOSE header; alg must be a non-empty string, kid and
// typ strings when present. A "crit" header is refused: no extension is supported.
func parseHeader(b []byte) (Header, error) {
	raw, err := decodeObject(b)
	if err != nil {
		return Header{}, err
	}
	var h Header
	for _, f := range []struct {
		name string
		dst  *string
	}{{"alg", &h.Alg}, {"kid", &h.Kid}, {"typ", &h.Typ}} {
		if v, ok := raw[f.name]; ok {
			if err := json.Unmarshal(v, f.dst); err != nil {
				return Header{}, fmt.Errorf("%s is not a string", f.name)
			}
		}
	}
	if h.Alg == "" {
		return Header{}, fmt.Errorf("alg missing")
	}
	if _, ok := raw["crit"]; ok {
		return Header{}, fmt.Errorf("crit extensions are not supported")
	}
	return h, nil
}
