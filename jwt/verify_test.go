package jwt

import (
	"context"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"
)

const (
	testIss = "https://tenant.example/"
	testAud = "https://api.example/api"
)

var testNow = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// claimsAt returns valid claims around testNow, changed by mod.
func claimsAt(mod func(m map[string]any)) map[string]any {
	m := map[string]any{
		"iss": testIss, "sub": "user|1", "aud": []string{testAud},
		"iat": testNow.Unix() - 60, "exp": testNow.Unix() + 3600, "nbf": testNow.Unix() - 60,
	}
	if mod != nil {
		mod(m)
	}
	return m
}

func defaultOpts() VerifyOptions {
	return VerifyOptions{Audience: testAud, Issuer: testIss, Now: testNow}
}

func TestVerifyAccepts(t *testing.T) {
	k := keys(t)
	set := StaticKeys{"k1": &k.main.PublicKey, "k2": &k.other.PublicKey}
	tests := []struct {
		name   string
		kid    string
		claims map[string]any
		opts   func(o *VerifyOptions)
	}{
		{"aud list", "k1", claimsAt(nil), nil},
		{"second key", "k2", claimsAt(nil), nil},
		{"aud string", "k1", claimsAt(func(m map[string]any) { m["aud"] = testAud }), nil},
		{"aud among several", "k1", claimsAt(func(m map[string]any) { m["aud"] = []string{"x", testAud, "y"} }), nil},
		{"no iss accepted", "k1", claimsAt(func(m map[string]any) { delete(m, "iss") }), nil},
		{"no exp nbf", "k1", claimsAt(func(m map[string]any) { delete(m, "exp"); delete(m, "nbf") }), nil},
		{"expired within leeway", "k1", claimsAt(func(m map[string]any) { m["exp"] = testNow.Unix() - 29 }), nil},
		{"nbf within leeway", "k1", claimsAt(func(m map[string]any) { m["nbf"] = testNow.Unix() + 30 }), nil},
		{"custom leeway", "k1", claimsAt(func(m map[string]any) { m["exp"] = testNow.Unix() - 290 }),
			func(o *VerifyOptions) { o.Leeway = 5 * time.Minute }},
		{"issuer check off", "k1", claimsAt(func(m map[string]any) { m["iss"] = "https://other/" }),
			func(o *VerifyOptions) { o.Issuer = "" }},
		{"audience check off", "k1", claimsAt(func(m map[string]any) { delete(m, "aud") }),
			func(o *VerifyOptions) { o.Audience = "" }},
		{"iat in future not checked", "k1", claimsAt(func(m map[string]any) { m["iat"] = testNow.Unix() + 86400 }), nil},
		{"loopback iss localhost vs 127.0.0.1", "k1",
			claimsAt(func(m map[string]any) { m["iss"] = "http://localhost:8780/"; m["aud"] = "http://localhost:8780/api" }),
			func(o *VerifyOptions) {
				o.Issuer, o.Audience, o.LoopbackSameHost = "http://127.0.0.1:8780/", "http://127.0.0.1:8780/api", true
			}},
		{"loopback ::1 vs localhost", "k1",
			claimsAt(func(m map[string]any) { m["iss"] = "http://[::1]:8780/"; m["aud"] = []string{"http://[::1]:8780/api"} }),
			func(o *VerifyOptions) {
				o.Issuer, o.Audience, o.LoopbackSameHost = "http://LOCALHOST:8780/", "http://localhost:8780/api", true
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := defaultOpts()
			if tt.opts != nil {
				tt.opts(&o)
			}
			s := mustSign(t, k.main, tt.kid, tt.claims)
			if tt.kid == "k2" {
				s = mustSign(t, k.other, tt.kid, tt.claims)
			}
			tok, err := Verify(context.Background(), s, set, o)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if tok.Claims.Subject != "user|1" || tok.Header.Kid != tt.kid {
				t.Errorf("token = %+v", tok)
			}
		})
	}
}

func TestVerifyRejects(t *testing.T) {
	k := keys(t)
	pubDER, err := x509.MarshalPKIXPublicKey(&k.main.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	pkcs1PEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&k.main.PublicKey)})
	payload := b64json(t, claimsAt(nil))
	hs256 := func(secret []byte, kid string) string {
		in := b64json(t, map[string]string{"alg": "HS256", "typ": "JWT", "kid": kid}) + "." + payload
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(in))
		return in + "." + b64(m.Sum(nil))
	}
	withAlg := func(alg string) string {
		good := mustSign(t, k.main, "k1", claimsAt(nil))
		parts := strings.Split(good, ".")
		return b64json(t, map[string]string{"alg": alg, "kid": "k1"}) + "." + parts[1] + "." + parts[2]
	}
	good := mustSign(t, k.main, "k1", claimsAt(nil))
	gp := strings.Split(good, ".")
	tampered := gp[0] + "." + b64json(t, claimsAt(func(m map[string]any) { m["sub"] = "admin" })) + "." + gp[2]

	tests := []struct {
		name    string
		token   string
		opts    func(o *VerifyOptions)
		want    error
		lookups bool // whether a key lookup may happen
	}{
		{"alg none", b64json(t, map[string]string{"alg": "none", "kid": "k1"}) + "." + payload + ".", nil, ErrAlgorithm, false},
		{"alg None", b64json(t, map[string]string{"alg": "None", "kid": "k1"}) + "." + payload + ".", nil, ErrAlgorithm, false},
		{"HS256 with PEM public key", hs256(pubPEM, "k1"), nil, ErrAlgorithm, false},
		{"HS256 with PKCS1 PEM", hs256(pkcs1PEM, "k1"), nil, ErrAlgorithm, false},
		{"HS256 with DER public key", hs256(pubDER, "k1"), nil, ErrAlgorithm, false},
		{"HS256 without kid", hs256(pubPEM, ""), nil, ErrAlgorithm, false},
		{"HS384", withAlg("HS384"), nil, ErrAlgorithm, false},
		{"ES256", withAlg("ES256"), nil, ErrAlgorithm, false},
		{"PS256", withAlg("PS256"), nil, ErrAlgorithm, false},
		{"RS512", withAlg("RS512"), nil, ErrAlgorithm, false},
		{"lower-case rs256", withAlg("rs256"), nil, ErrAlgorithm, false},
		{"unknown alg", withAlg("XYZ"), nil, ErrAlgorithm, false},
		{"malformed", "a.b", nil, ErrMalformed, false},
		{"wrong key", mustSign(t, k.other, "k1", claimsAt(nil)), nil, ErrSignature, true},
		{"tampered claims", tampered, nil, ErrSignature, true},
		{"empty signature", gp[0] + "." + gp[1] + ".", nil, ErrSignature, true},
		{"truncated signature", gp[0] + "." + gp[1] + "." + b64(mustDecode(t, gp[2])[:250]), nil, ErrSignature, true},
		{"unknown kid", mustSign(t, k.main, "nope", claimsAt(nil)), nil, ErrUnknownKey, true},
		{"no kid", mustSign(t, k.main, "", claimsAt(nil)), nil, ErrUnknownKey, false},
		{"weak 1024-bit key", mustSign(t, k.weak, "weak", claimsAt(nil)), nil, ErrWeakKey, true},
		{"expired", mustSign(t, k.main, "k1", claimsAt(func(m map[string]any) { m["exp"] = testNow.Unix() - 31 })), nil, ErrExpired, true},
		{"expired at leeway edge", mustSign(t, k.main, "k1", claimsAt(func(m map[string]any) { m["exp"] = testNow.Unix() - 30 })), nil, ErrExpired, true},
		{"expired, no leeway", mustSign(t, k.main, "k1", claimsAt(func(m map[string]any) { m["exp"] = testNow.Unix() })),
			func(o *VerifyOptions) { o.Leeway = -1 }, ErrExpired, true},
		{"not yet valid", mustSign(t, k.main, "k1", claimsAt(func(m map[string]any) { m["nbf"] = testNow.Unix() + 31 })), nil, ErrNotYetValid, true},
		{"wrong audience", mustSign(t, k.main, "k1", claimsAt(func(m map[string]any) { m["aud"] = []string{"https://api.example/other"} })), nil, ErrAudience, true},
		{"wrong audience string", mustSign(t, k.main, "k1", claimsAt(func(m map[string]any) { m["aud"] = "https://api.example/ap" })), nil, ErrAudience, true},
		{"empty audience list", mustSign(t, k.main, "k1", claimsAt(func(m map[string]any) { m["aud"] = []string{} })), nil, ErrAudience, true},
		{"missing audience", mustSign(t, k.main, "k1", claimsAt(func(m map[string]any) { delete(m, "aud") })), nil, ErrAudience, true},
		{"wrong issuer", mustSign(t, k.main, "k1", claimsAt(func(m map[string]any) { m["iss"] = "https://evil.example/" })), nil, ErrIssuer, true},
		{"issuer without slash", mustSign(t, k.main, "k1", claimsAt(func(m map[string]any) { m["iss"] = "https://tenant.example" })), nil, ErrIssuer, true},
		{"empty issuer", mustSign(t, k.main, "k1", claimsAt(func(m map[string]any) { m["iss"] = "" })), nil, ErrIssuer, true},
		{"loopback equivalence off", mustSign(t, k.main, "k1", claimsAt(func(m map[string]any) { m["iss"] = "http://localhost:8780/" })),
			func(o *VerifyOptions) { o.Issuer = "http://127.0.0.1:8780/" }, ErrIssuer, true},
		{"loopback other port", mustSign(t, k.main, "k1", claimsAt(func(m map[string]any) { m["iss"] = "http://localhost:8781/" })),
			func(o *VerifyOptions) { o.Issuer, o.LoopbackSameHost = "http://127.0.0.1:8780/", true }, ErrIssuer, true},
		{"loopback other scheme", mustSign(t, k.main, "k1", claimsAt(func(m map[string]any) { m["iss"] = "https://localhost:8780/" })),
			func(o *VerifyOptions) { o.Issuer, o.LoopbackSameHost = "http://127.0.0.1:8780/", true }, ErrIssuer, true},
		{"loopback other path", mustSign(t, k.main, "k1", claimsAt(func(m map[string]any) { m["aud"] = "http://localhost:8780/apx" })),
			func(o *VerifyOptions) { o.Audience, o.LoopbackSameHost = "http://127.0.0.1:8780/api", true }, ErrAudience, true},
		{"loopback does not cover other hosts", mustSign(t, k.main, "k1", claimsAt(func(m map[string]any) { m["iss"] = "http://127.0.0.2:8780/" })),
			func(o *VerifyOptions) { o.Issuer, o.LoopbackSameHost = "http://127.0.0.1:8780/", true }, ErrIssuer, true},
		{"loopback does not cover real hosts", mustSign(t, k.main, "k1", claimsAt(func(m map[string]any) { m["iss"] = "http://evil.example:8780/" })),
			func(o *VerifyOptions) { o.Issuer, o.LoopbackSameHost = "http://localhost:8780/", true }, ErrIssuer, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := &countingKeys{keys: StaticKeys{"k1": &k.main.PublicKey, "weak": &k.weak.PublicKey}}
			o := defaultOpts()
			if tt.opts != nil {
				tt.opts(&o)
			}
			tok, err := Verify(context.Background(), tt.token, set, o)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, %v; want %v", tok, err, tt.want)
			}
			if tok != nil {
				t.Errorf("token returned with error")
			}
			if !tt.lookups && set.lookups.Load() != 0 {
				t.Errorf("key set consulted %d times before the algorithm check", set.lookups.Load())
			}
			for i, part := range strings.Split(tt.token, ".") {
				if len(part) > 16 && strings.Contains(err.Error(), part) {
					t.Errorf("error %q contains token part %d", err, i)
				}
			}
		})
	}
}

func TestVerifyDefaultNow(t *testing.T) {
	k := keys(t)
	now := time.Now()
	s := mustSign(t, k.main, "k1", map[string]any{"exp": now.Add(-time.Hour).Unix()})
	_, err := Verify(context.Background(), s, StaticKeys{"k1": &k.main.PublicKey}, VerifyOptions{})
	if !errors.Is(err, ErrExpired) {
		t.Fatalf("Verify with zero Now = %v, want ErrExpired", err)
	}
}

func TestCheckKeyRejectsBrokenKeys(t *testing.T) {
	k := keys(t)
	bad := []struct {
		name string
		kid  string
		set  KeySet
		want error
	}{
		{"nil key in static set", "k1", StaticKeys{"k1": nil}, ErrUnknownKey},
		{"nil key from key set", "k1", nilKeys{}, ErrWeakKey},
		{"even exponent", "k1", StaticKeys{"k1": {N: k.main.N, E: 4}}, ErrWeakKey},
		{"exponent 1", "k1", StaticKeys{"k1": {N: k.main.N, E: 1}}, ErrWeakKey},
	}
	for _, b := range bad {
		s := mustSign(t, k.main, b.kid, claimsAt(nil))
		_, err := Verify(context.Background(), s, b.set, defaultOpts())
		if !errors.Is(err, b.want) {
			t.Errorf("%s: Verify = %v, want %v", b.name, err, b.want)
		}
	}
}

func mustDecode(t *testing.T, s string) []byte {
	t.Helper()
	b, err := decodeSegment(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// nilKeys is a broken KeySet that answers every kid with a nil key.
type nilKeys struct{}

func (nilKeys) Key(context.Context, string) (*rsa.PublicKey, error) { return nil, nil }
