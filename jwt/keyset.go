package jwt

import (
	"context"
	"crypto/rsa"
	"fmt"
)

// KeySet finds the RSA public key for a kid. Implementations return an error
// wrapping ErrUnknownKey when the kid is not known.
type KeySet interface {
	Key(ctx context.Context, kid string) (*rsa.PublicKey, error)
}

// StaticKeys is a fixed KeySet, keyed by kid (for tests and the emulator).
type StaticKeys map[string]*rsa.PublicKey

// Key returns the key for kid or an error wrapping ErrUnknownKey.
func (s StaticKeys) Key(_ context.Context, kid string) (*rsa.PublicKey, error) {
	k, ok := s[kid]
	if !ok || k == nil {
		return nil, fmt.Errorf("look up kid %q: %w", clip(kid), ErrUnknownKey)
	}
	return k, nil
}
