package jwt

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestAudienceContains(t *testing.T) {
	a := Audience{"x", "y"}
	if !a.Contains("y") || a.Contains("z") || (Audience{}).Contains("") {
		t.Error("Contains is wrong")
	}
}

func TestNewCacheDefaults(t *testing.T) {
	c := NewCache("http://127.0.0.1:1/jwks", CacheOptions{})
	if c.client == nil {
		t.Fatal("defaults not set")
	}
}

func TestLongHeaderValuesAreClipped(t *testing.T) {
	k := keys(t)
	long := strings.Repeat("k", 2000)
	s := mustSign(t, k.main, long, claimsAt(nil))
	_, err := Verify(context.Background(), s, StaticKeys{}, defaultOpts())
	if !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("Verify = %v", err)
	}
	if len(err.Error()) > 300 {
		t.Errorf("error is %d bytes long", len(err.Error()))
	}
	alg := b64json(t, map[string]string{"alg": long}) + "." + b64json(t, claimsAt(nil)) + "."
	_, err = Verify(context.Background(), alg, StaticKeys{}, defaultOpts())
	if !errors.Is(err, ErrAlgorithm) || len(err.Error()) > 300 {
		t.Errorf("Verify = %v", err)
	}
}

func TestSameURL(t *testing.T) {
	tests := []struct {
		a, b     string
		loopback bool
		want     bool
	}{
		{"https://x/", "https://x/", false, true},
		{"https://x/", "https://x", false, false},
		{"http://localhost/", "http://127.0.0.1/", true, true},
		{"http://localhost/", "http://127.0.0.1:80/", true, false},
		{"http://localhost:1/a?q=1", "http://[::1]:1/a?q=1", true, true},
		{"http://localhost:1/a?q=1", "http://[::1]:1/a?q=2", true, false},
		{"http://u@localhost:1/", "http://127.0.0.1:1/", true, false},
		{"http://%zz", "http://127.0.0.1/", true, false},
		{"http://127.0.0.1/", "http://%zz", true, false},
		{"not a url", "also not", true, false},
		{"localhost", "127.0.0.1", true, false},
	}
	for _, tt := range tests {
		if got := sameURL(tt.a, tt.b, tt.loopback); got != tt.want {
			t.Errorf("sameURL(%q, %q, %v) = %v, want %v", tt.a, tt.b, tt.loopback, got, tt.want)
		}
	}
}
