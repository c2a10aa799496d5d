package jwt

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	k := keys(f)
	f.Add(mustSign(f, k.main, "k1", claimsAt(nil)))
	f.Add(mustSign(f, k.main, "k1", map[string]any{"aud": "x", "exp": 1.5, "https://x/role": []int{1}}))
	f.Add("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")
	f.Add("a.b.c")
	f.Add("..")
	f.Add("e30.e30.e30")
	f.Add("eyJhbGciOiJSUzI1NiJ9.W10.")
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error does not wrap ErrMalformed: %v", err)
			}
			if len(s) > 40 && strings.Contains(err.Error(), s) {
				t.Fatalf("error contains the token")
			}
			return
		}
		if tok.Raw != s || len(s) > MaxTokenSize || strings.Count(s, ".") != 2 || tok.Header.Alg == "" {
			t.Fatalf("accepted an invalid token: %q", s)
		}
		if tok.Claims.Raw == nil {
			t.Fatal("Claims.Raw is nil")
		}
		// The seeds are signed with k.main; nothing verifies against k.other without its private key.
		if _, err := Verify(context.Background(), s, StaticKeys{"k1": &k.other.PublicKey}, defaultOpts()); err == nil {
			t.Fatalf("fuzzer forged a token: %q", s)
		}
	})
}

func FuzzParseJWKS(f *testing.F) {
	k := keys(f)
	f.Add([]byte(`{"keys":[{"kty":"RSA","kid":"a","n":"` + PublicJWK("a", &k.main.PublicKey).N + `","e":"AQAB"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"EC"}]}`))
	f.Add([]byte(`{"keys":null}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, err := ParseJWKS(data)
		if err != nil {
			return
		}
		if len(keys) == 0 {
			t.Fatal("no error and no keys")
		}
		for kid, k := range keys {
			if kid == "" || k == nil || k.N.Sign() <= 0 || k.E < 3 || k.E%2 == 0 || k.N.BitLen() > maxKeyBits {
				t.Fatalf("bad key %q accepted", kid)
			}
		}
	})
}
