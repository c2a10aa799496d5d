package jwt

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"sync"
	"sync/atomic"
	"testing"
)

// testKeys holds keys generated once per test binary (read-only after creation).
type testKeyPair struct {
	main, other *rsa.PrivateKey // 2048 bits
	weak        *rsa.PrivateKey // 1024 bits
}

var keysOnce = sync.OnceValues(func() (testKeyPair, error) {
	var p testKeyPair
	var err error
	if p.main, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		return p, err
	}
	if p.other, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		return p, err
	}
	p.weak, err = rsa.GenerateKey(rand.Reader, 1024)
	return p, err
})

func keys(t testing.TB) testKeyPair {
	t.Helper()
	p, err := keysOnce()
	if err != nil {
		t.Fatalf("generate keys: %v", err)
	}
	return p
}

// b64 encodes raw bytes as unpadded base64url.
func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// b64json encodes v as JSON, then base64url.
func b64json(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b64(b)
}

// mustSign signs claims with key under kid.
func mustSign(t testing.TB, key *rsa.PrivateKey, kid string, claims any) string {
	t.Helper()
	s, err := Sign(key, kid, claims)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	return s
}

// countingKeys is a KeySet that records lookups.
type countingKeys struct {
	keys    StaticKeys
	lookups atomic.Int32
}

func (c *countingKeys) Key(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	c.lookups.Add(1)
	return c.keys.Key(ctx, kid)
}
