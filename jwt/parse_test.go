package jwt

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseValid(t *testing.T) {
	k := keys(t)
	claims := map[string]any{
		"iss": "https://example.test/", "sub": "user|1", "aud": "https://example.test/api",
		"exp": 2000000000, "nbf": 1000000000.75, "iat": 1500000000, "scope": "openid offline_access",
		"azp": "client", "org_id": "org-1", "https://example.test/api/role": "admin", "extra": []int{1, 2},
	}
	s := mustSign(t, k.main, "k1", claims)
	tok, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := Claims{
		Issuer: "https://example.test/", Subject: "user|1", Audience: Audience{"https://example.test/api"},
		ExpiresAt: 2000000000, NotBefore: 1000000000, IssuedAt: 1500000000, Scope: "openid offline_access",
		AuthorizedParty: "client", OrgID: "org-1",
	}
	if diff := cmp.Diff(want, tok.Claims, cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Raw" }, cmp.Ignore())); diff != "" {
		t.Errorf("claims (-want +got):\n%s", diff)
	}
	if got := len(tok.Claims.Raw); got != len(claims) {
		t.Errorf("Raw has %d claims, want %d", got, len(claims))
	}
	if got := string(tok.Claims.Raw["https://example.test/api/role"]); got != `"admin"` {
		t.Errorf("role claim = %s", got)
	}
	if tok.Header != (Header{Alg: "RS256", Kid: "k1", Typ: "JWT"}) {
		t.Errorf("header = %+v", tok.Header)
	}
	if tok.Raw != s {
		t.Errorf("Raw differs from input")
	}
}

func TestAudienceForms(t *testing.T) {
	tests := []struct {
		in      string
		want    Audience
		wantErr bool
	}{
		{`"a"`, Audience{"a"}, false},
		{`["a","b"]`, Audience{"a", "b"}, false},
		{`[]`, Audience{}, false},
		{`null`, nil, true},
		{`1`, nil, true},
		{`[1]`, nil, true},
		{`{"a":1}`, nil, true},
	}
	for _, tt := range tests {
		var a Audience
		err := json.Unmarshal([]byte(tt.in), &a)
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: err = %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if !tt.wantErr && !cmp.Equal(a, tt.want) {
			t.Errorf("%s: got %q, want %q", tt.in, a, tt.want)
		}
	}
}

func TestParseMalformed(t *testing.T) {
	k := keys(t)
	good := mustSign(t, k.main, "k1", map[string]any{"sub": "x"})
	parts := strings.Split(good, ".")
	h, p, sig := parts[0], parts[1], parts[2]
	hdr := func(v any) string { return b64json(t, v) }
	badLen := sig
	for len(badLen)%4 != 1 {
		badLen += "A"
	}
	tests := []struct {
		name, token string
	}{
		{"empty", ""},
		{"one part", h},
		{"two parts", h + "." + p},
		{"four parts", good + "." + sig},
		{"five parts", good + ".." + sig},
		{"empty header", "." + p + "." + sig},
		{"empty claims", h + ".." + sig},
		{"bad base64 char in claims", h + "." + p[:4] + "!" + p[5:] + "." + sig},
		{"standard alphabet plus", h + "." + p + "+." + sig},
		{"standard alphabet slash", h + "." + p + "/." + sig},
		{"padding", h + "=." + p + "." + sig},
		{"padding in signature", h + "." + p + "." + sig + "=="},
		{"newline", h + "\n." + p + "." + sig},
		{"space", h + "." + p + " ." + sig},
		{"impossible length", h + "." + p + "." + badLen},
		{"non-canonical trailing bits", h + "." + b64([]byte("{}"))[:2] + "f." + sig},
		{"oversized", h + "." + b64json(t, map[string]string{"x": strings.Repeat("a", MaxTokenSize)}) + "." + sig},
		{"claims array", h + "." + b64([]byte(`[]`)) + "." + sig},
		{"claims string", h + "." + b64([]byte(`"x"`)) + "." + sig},
		{"claims null", h + "." + b64([]byte(`null`)) + "." + sig},
		{"claims number", h + "." + b64([]byte(`1`)) + "." + sig},
		{"claims invalid JSON", h + "." + b64([]byte(`{"a":`)) + "." + sig},
		{"claims trailing data", h + "." + b64([]byte(`{}{}`)) + "." + sig},
		{"claims trailing garbage", h + "." + b64([]byte(`{} x`)) + "." + sig},
		{"claims duplicate member", h + "." + b64([]byte(`{"sub":"a","sub":"b"}`)) + "." + sig},
		{"claims not UTF-8 JSON", h + "." + b64([]byte{0xff, 0xfe}) + "." + sig},
		{"aud number", h + "." + b64([]byte(`{"aud":5}`)) + "." + sig},
		{"aud null", h + "." + b64([]byte(`{"aud":null}`)) + "." + sig},
		{"exp string", h + "." + b64([]byte(`{"exp":"2000000000"}`)) + "." + sig},
		{"exp huge", h + "." + b64([]byte(`{"exp":1e300}`)) + "." + sig},
		{"nbf object", h + "." + b64([]byte(`{"nbf":{}}`)) + "." + sig},
		{"iss number", h + "." + b64([]byte(`{"iss":1}`)) + "." + sig},
		{"sub array", h + "." + b64([]byte(`{"sub":[]}`)) + "." + sig},
		{"header array", b64([]byte(`[]`)) + "." + p + "." + sig},
		{"header string", b64([]byte(`"RS256"`)) + "." + p + "." + sig},
		{"header without alg", hdr(map[string]any{"kid": "k1"}) + "." + p + "." + sig},
		{"header empty alg", hdr(map[string]any{"alg": ""}) + "." + p + "." + sig},
		{"header alg number", hdr(map[string]any{"alg": 256}) + "." + p + "." + sig},
		{"header kid number", hdr(map[string]any{"alg": "RS256", "kid": 1}) + "." + p + "." + sig},
		{"header duplicate alg", b64([]byte(`{"alg":"none","alg":"RS256"}`)) + "." + p + "." + sig},
		{"header crit", hdr(map[string]any{"alg": "RS256", "crit": []string{"b64"}, "b64": false}) + "." + p + "." + sig},
		{"header invalid JSON", b64([]byte(`{alg:RS256}`)) + "." + p + "." + sig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := Parse(tt.token)
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Parse = %v, %v; want ErrMalformed", tok, err)
			}
			if len(tt.token) > 8 && strings.Contains(err.Error(), tt.token) {
				t.Errorf("error contains the token")
			}
			if strings.Contains(err.Error(), sig) {
				t.Errorf("error contains the signature")
			}
		})
	}
}

func TestParseSizeLimit(t *testing.T) {
	k := keys(t)
	// A token of exactly MaxTokenSize bytes is accepted; one byte more is refused.
	base := mustSign(t, k.main, "k1", map[string]string{"pad": ""})
	pad := MaxTokenSize - len(base)
	var tok string
	for n := pad * 3 / 4; n <= pad; n++ {
		tok = mustSign(t, k.main, "k1", map[string]string{"pad": strings.Repeat("a", n)})
		if len(tok) >= MaxTokenSize-3 {
			break
		}
	}
	if len(tok) > MaxTokenSize {
		t.Fatalf("built token of %d bytes", len(tok))
	}
	if _, err := Parse(tok); err != nil {
		t.Fatalf("Parse(%d bytes) = %v", len(tok), err)
	}
	big := tok + strings.Repeat("A", MaxTokenSize+1-len(tok))
	if _, err := Parse(big); !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "limit") {
		t.Fatalf("Parse(%d bytes) = %v, want size error", len(big), err)
	}
}

func TestParseAcceptsEmptySignature(t *testing.T) {
	// Parse only checks the format; an alg=none token parses and Verify refuses it.
	s := b64json(t, map[string]string{"alg": "none"}) + "." + b64json(t, map[string]string{"sub": "x"}) + "."
	tok, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if tok.Header.Alg != "none" {
		t.Errorf("alg = %q", tok.Header.Alg)
	}
}

func TestClaimsMarshalRoundTrip(t *testing.T) {
	c := Claims{
		Issuer: "https://i/", Audience: Audience{"https://i/api"}, ExpiresAt: 10, IssuedAt: 5,
		Raw: map[string]json.RawMessage{"https://i/api/role": json.RawMessage(`"member"`), "iss": json.RawMessage(`"overridden"`)},
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"iss": "https://i/", "aud": []any{"https://i/api"}, "exp": 10.0, "iat": 5.0, "https://i/api/role": "member"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("marshal (-want +got):\n%s", diff)
	}
	var back Claims
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Issuer != c.Issuer || back.ExpiresAt != 10 || string(back.Raw["https://i/api/role"]) != `"member"` {
		t.Errorf("round trip = %+v", back)
	}
}

func TestClaimsLenientStrings(t *testing.T) {
	var c Claims
	if err := json.Unmarshal([]byte(`{"scope":["a"],"azp":1,"org_id":null}`), &c); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	if c.Scope != "" || c.AuthorizedParty != "" || len(c.Raw) != 3 {
		t.Errorf("claims = %+v", c)
	}
}

func TestSignRefusesNonObject(t *testing.T) {
	k := keys(t)
	for _, v := range []any{[]int{1}, "x", 3, nil} {
		if _, err := Sign(k.main, "k", v); err == nil {
			t.Errorf("Sign(%v) succeeded", v)
		}
	}
	if _, err := Sign(nil, "k", map[string]any{}); err == nil {
		t.Error("Sign(nil key) succeeded")
	}
}

func TestTokenFormatHidesCompactForm(t *testing.T) {
	k := keys(t)
	s := mustSign(t, k.main, "k1", claimsAt(nil))
	tok, err := Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(s, ".")
	for _, out := range []string{
		fmt.Sprintf("%v", tok), fmt.Sprintf("%+v", tok), fmt.Sprintf("%#v", tok), fmt.Sprintf("%s", *tok),
		fmt.Sprint(tok), fmt.Sprintf("%v", []*Token{tok}),
	} {
		for _, p := range parts {
			if strings.Contains(out, p) {
				t.Errorf("formatted token %q contains a token part", out)
			}
		}
		if !strings.Contains(out, `sub="user|1"`) || !strings.Contains(out, `kid="k1"`) {
			t.Errorf("formatted token lacks its claims: %q", out)
		}
	}
}
