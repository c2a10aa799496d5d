package jwt

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestPublicJWKRoundTrip(t *testing.T) {
	k := keys(t)
	j := PublicJWK("k1", &k.main.PublicKey)
	if j.Kty != "RSA" || j.Alg != "RS256" || j.Use != "sig" || j.E != "AQAB" {
		t.Errorf("jwk = %+v", j)
	}
	pub, err := j.PublicKey()
	if err != nil {
		t.Fatalf("PublicKey: %v", err)
	}
	if !pub.Equal(&k.main.PublicKey) {
		t.Error("round trip changed the key")
	}
	b, err := json.Marshal(JWKS{Keys: []JWK{j}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"kty":"RSA"`) || !strings.Contains(string(b), `"kid":"k1"`) {
		t.Errorf("JSON = %s", b)
	}
}

func TestParseJWKS(t *testing.T) {
	k := keys(t)
	good := PublicJWK("good", &k.main.PublicKey)
	weak := PublicJWK("weak", &k.weak.PublicKey)
	mod := func(f func(j *JWK)) JWK { j := PublicJWK("x", &k.other.PublicKey); f(&j); return j }
	doc := func(keys ...any) []byte {
		b, err := json.Marshal(map[string]any{"keys": keys})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name    string
		data    []byte
		want    []string // kids kept
		wantErr bool
	}{
		{"one good", doc(good), []string{"good"}, false},
		{"weak kept for a precise error", doc(good, weak), []string{"good", "weak"}, false},
		{"EC skipped", doc(map[string]string{"kty": "EC", "kid": "ec", "crv": "P-256", "x": "AA", "y": "AA"}, good), []string{"good"}, false},
		{"oct skipped", doc(map[string]string{"kty": "oct", "kid": "hs", "k": "c2VjcmV0"}, good), []string{"good"}, false},
		{"enc key skipped", doc(mod(func(j *JWK) { j.Use = "enc" }), good), []string{"good"}, false},
		{"RS512 key skipped", doc(mod(func(j *JWK) { j.Alg = "RS512" }), good), []string{"good"}, false},
		{"no kid skipped", doc(mod(func(j *JWK) { j.Kid = "" }), good), []string{"good"}, false},
		{"bad n skipped", doc(mod(func(j *JWK) { j.N = "!!" }), good), []string{"good"}, false},
		{"empty n skipped", doc(mod(func(j *JWK) { j.N = "" }), good), []string{"good"}, false},
		{"zero n skipped", doc(mod(func(j *JWK) { j.N = "AA" }), good), []string{"good"}, false},
		{"even e skipped", doc(mod(func(j *JWK) { j.E = "AAAC" }), good), []string{"good"}, false},
		{"e one skipped", doc(mod(func(j *JWK) { j.E = "AQ" }), good), []string{"good"}, false},
		{"huge e skipped", doc(mod(func(j *JWK) { j.E = "AQAAAAAB" }), good), []string{"good"}, false},
		{"huge n skipped", doc(mod(func(j *JWK) { j.N = b64(append([]byte{1}, make([]byte, 1025)...)) }), good), []string{"good"}, false},
		{"wrong member type skipped", doc(map[string]any{"kty": 1, "kid": "x"}, good), []string{"good"}, false},
		{"duplicate kid: first wins", doc(good, PublicJWK("good", &k.other.PublicKey)), []string{"good"}, false},
		{"padded n accepted", doc(mod(func(j *JWK) { j.N += "=="; j.Kid = "pad" })), []string{"pad"}, false},
		{"nothing usable", doc(weak.withKty("EC")), nil, true},
		{"empty", []byte(`{"keys":[]}`), nil, true},
		{"not JSON", []byte(`<html>`), nil, true},
		{"keys not array", []byte(`{"keys":{}}`), nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseJWKS(tt.data)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseJWKS err = %v, wantErr %v", err, tt.wantErr)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("kept %d keys, want %v", len(got), tt.want)
			}
			for _, kid := range tt.want {
				if got[kid] == nil {
					t.Errorf("kid %q missing", kid)
				}
			}
		})
	}
	first, _ := ParseJWKS(doc(good, PublicJWK("good", &k.other.PublicKey)))
	if !first["good"].Equal(&k.main.PublicKey) {
		t.Error("duplicate kid: a later key replaced the first")
	}
}

// withKty returns a copy of j with another key type.
func (k JWK) withKty(kty string) JWK { k.Kty = kty; return k }
