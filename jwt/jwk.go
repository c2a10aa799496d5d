package jwt

import (
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// maxKeyBits bounds the modulus size taken from a JWKS (verification cost).
const maxKeyBits = 8192

// JWK is one JSON Web Key; only RSA signing keys are used.
type JWK struct {
	Kty string `json:"kty"`
	Kid string `json:"kid,omitempty"`
	Use string `json:"use,omitempty"`
	Alg string `json:"alg,omitempty"`
	N   string `json:"n,omitempty"`
	E   string `json:"e,omitempty"`
}

// JWKS is a JSON Web Key Set.
type JWKS struct {
	Keys []JWK `json:"keys"`
}

// PublicJWK describes pub as an RS256 signing JWK with the given kid.
func PublicJWK(kid string, pub *rsa.PublicKey) JWK {
	enc := base64.RawURLEncoding
	return JWK{
		Kty: "RSA",
		Kid: kid,
		Use: "sig",
		Alg: "RS256",
		N:   enc.EncodeToString(pub.N.Bytes()),
		E:   enc.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}
}

// PublicKey decodes an RSA JWK. Keys that are not RSA, not for signing, not for
// RS256, or have a bad modulus or exponent are refused. Short keys are returned
// (Verify refuses them with ErrWeakKey so the failure is named precisely).
func (k JWK) PublicKey() (*rsa.PublicKey, error) {
	if k.Kty != "RSA" {
		return nil, fmt.Errorf("key %q: kty %q is not RSA", clip(k.Kid), clip(k.Kty))
	}
	if k.Use != "" && k.Use != "sig" {
		return nil, fmt.Errorf("key %q: use %q is not sig", clip(k.Kid), clip(k.Use))
	}
	if k.Alg != "" && k.Alg != "RS256" {
		return nil, fmt.Errorf("key %q: alg %q is not RS256", clip(k.Kid), clip(k.Alg))
	}
	n, err := decodeJWKInt(k.N)
	if err != nil {
		return nil, fmt.Errorf("key %q: n: %w", clip(k.Kid), err)
	}
	if n.BitLen() > maxKeyBits {
		return nil, fmt.Errorf("key %q: %d-bit modulus is larger than %d", clip(k.Kid), n.BitLen(), maxKeyBits)
	}
	e, err := decodeJWKInt(k.E)
	if err != nil {
		return nil, fmt.Errorf("key %q: e: %w", clip(k.Kid), err)
	}
	if e.BitLen() > 31 || e.Int64() < 3 || e.Bit(0) == 0 {
		return nil, fmt.Errorf("key %q: e is not an odd exponent between 3 and 2^31", clip(k.Kid))
	}
	return &rsa.PublicKey{N: n, E: int(e.Int64())}, nil
}

// decodeJWKInt decodes a base64url big-endian unsigned integer (padding tolerated).
func decodeJWKInt(s string) (*big.Int, error) {
	s = strings.TrimRight(s, "=")
	if s == "" {
		return nil, errors.New("missing")
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("invalid base64url: %v", err)
	}
	v := new(big.Int).SetBytes(b)
	if v.Sign() == 0 {
		return nil, errors.New("zero")
	}
	return v, nil
}

// ParseJWKS decodes a JWKS document into its usable keys by kid. Keys that are not
// RSA signing keys, lack a kid or have bad parameters are skipped; the first key of
// a kid wins. A document without any usable key is an error.
func ParseJWKS(data []byte) (map[string]*rsa.PublicKey, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, fmt.Errorf("decode JWKS: %w", err)
	}
	keys := map[string]*rsa.PublicKey{}
	for _, raw := range set.Keys {
		var k JWK
		if err := json.Unmarshal(raw, &k); err != nil || k.Kid == "" {
			continue
		}
		if _, dup := keys[k.Kid]; dup {
			continue
		}
		pub, err := k.PublicKey()
		if err != nil {
			continue
		}
		keys[k.Kid] = pub
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("decode JWKS: no usable RSA signing key among %d keys", len(set.Keys))
	}
	return keys, nil
}
