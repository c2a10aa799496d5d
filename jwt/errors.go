package jwt

import "errors"

// Sentinel errors. Every error returned by this package wraps exactly one of them
// (or a transport error from a key set), so callers can use errors.Is.
var (
	// ErrMalformed: the token is not a strict compact JWS with JSON object parts.
	ErrMalformed = errors.New("malformed token")
	// ErrAlgorithm: the header names an algorithm other than RS256.
	ErrAlgorithm = errors.New("unsupported signing algorithm")
	// ErrUnknownKey: no key with the token's kid is in the key set.
	ErrUnknownKey = errors.New("unknown signing key")
	// ErrWeakKey: the signing key is not an RSA key of at least 2048 bits.
	ErrWeakKey = errors.New("weak signing key")
	// ErrSignature: the signature does not verify with the key.
	ErrSignature = errors.New("invalid signature")
	// ErrExpired: exp lies in the past (beyond the leeway).
	ErrExpired = errors.New("token expired")
	// ErrNotYetValid: nbf lies in the future (beyond the leeway).
	ErrNotYetValid = errors.New("token not yet valid")
	// ErrAudience: aud does not contain the expected audience.
	ErrAudience = errors.New("audience mismatch")
	// ErrIssuer: iss is present and differs from the expected issuer.
	ErrIssuer = errors.New("issuer mismatch")
)
