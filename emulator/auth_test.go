package emulator

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aignostics/aignostics/jwt"
)

// claimsFor returns valid access-token claims of e at now.
func claimsFor(e *Emulator, now time.Time) map[string]any {
	pub := e.URL()
	return map[string]any{
		"iss": pub + "/", "sub": "auth0|tester", "aud": []string{pub + "/api"},
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "scope": "openid", "azp": ClientIDInteractive,
		"org_id": "org_x", pub + "/api/role": "admin",
	}
}

func TestAPIRequiresValidToken(t *testing.T) {
	e, clock := startClocked(t, Options{})
	kid, key := e.signingKey()
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	sign := func(k *rsa.PrivateKey, kid string, mod func(map[string]any)) string {
		c := claimsFor(e, clock.Now())
		if mod != nil {
			mod(c)
		}
		s, err := jwt.Sign(k, kid, c)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	good := sign(key, kid, nil)
	parts := strings.Split(good, ".")
	sig := []byte(parts[2])
	sig[10] = map[bool]byte{true: 'B', false: 'A'}[sig[10] == 'A'] // one changed character in the middle
	tampered := parts[0] + "." + parts[1] + "." + string(sig)
	none := "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + parts[1] + "."
	for _, tc := range []struct {
		name, header string
		status       int
		detail       string
	}{
		{"valid", "Bearer " + good, 200, ""},
		{"valid lower-case scheme", "bearer " + good, 200, ""},
		{"missing", "", 401, "Not authenticated"},
		{"basic", "Basic dXNlcjpwdw==", 401, "Bearer"},
		{"garbage", "Bearer not-a-jwt", 401, "malformed"},
		{"bad signature", "Bearer " + tampered, 401, "signature"},
		{"unknown key", "Bearer " + sign(other, "other-kid", nil), 401, "key"},
		{"right kid wrong key", "Bearer " + sign(other, kid, nil), 401, "signature"},
		{"alg none", "Bearer " + none, 401, "RS256"},
		{"wrong audience", "Bearer " + sign(key, kid, func(c map[string]any) { c["aud"] = "https://aignostics-platform-samia" }), 401, "audience"},
		{"wrong issuer", "Bearer " + sign(key, kid, func(c map[string]any) { c["iss"] = "https://elsewhere/" }), 401, "issuer"},
		{"expired", "Bearer " + sign(key, kid, func(c map[string]any) { c["exp"] = clock.Now().Add(-time.Minute).Unix() }), 401, "expired"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hdr []string
			if tc.header != "" {
				hdr = []string{"Authorization", tc.header}
			}
			status, h, body := get(t, e.URL()+"/api/v1/applications", hdr...)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			if tc.status != 401 {
				return
			}
			var d struct{ Detail string }
			if json.Unmarshal(body, &d) != nil || !strings.Contains(strings.ToLower(d.Detail), strings.ToLower(tc.detail)) {
				t.Errorf("body %s, want detail with %q", body, tc.detail)
			}
			if !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("WWW-Authenticate %q", h.Get("WWW-Authenticate"))
			}
			if strings.Contains(string(body), parts[1]) {
				t.Errorf("the answer quotes the token")
			}
		})
	}
}

func TestAccessTokenExpiresWithLifetime(t *testing.T) {
	e, clock := startClocked(t, Options{TokenLifetime: 10 * time.Minute})
	access, _, err := e.IssueToken("")
	if err != nil {
		t.Fatal(err)
	}
	if status, _, _ := get(t, e.URL()+"/api/v1/applications", "Authorization", "Bearer "+access); status != 200 {
		t.Fatalf("fresh token: %d", status)
	}
	clock.Advance(10*time.Minute + 31*time.Second) // past exp and the 30 s leeway
	if status, _, _ := get(t, e.URL()+"/api/v1/applications", "Authorization", "Bearer "+access); status != 401 {
		t.Errorf("expired token: %d, want 401", status)
	}
}

func TestPrincipalReachesThePlatform(t *testing.T) {
	e := startTest(t, Options{})
	var got principal
	h := e.requireToken(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = principalFrom(r.Context())
	}))
	access, _, err := e.IssueToken("auth0|jane.doe")
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, e.URL()+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+access)
	h.ServeHTTP(discardWriter{http.Header{}}, req)
	want := principal{Subject: "auth0|jane.doe", OrgID: e.keys.orgID, Role: "member", Email: "jane.doe@aignostics.local", Name: "jane.doe"}
	if got != want {
		t.Errorf("principal %+v, want %+v", got, want)
	}
	if _, ok := principalFrom(req.Context()); ok {
		t.Errorf("principal without authentication")
	}
}

type discardWriter struct{ h http.Header }

func (d discardWriter) Header() http.Header         { return d.h }
func (d discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d discardWriter) WriteHeader(int)             {}

func TestRotateKeyKeepsOldTokensUntilDropped(t *testing.T) {
	e := startTest(t, Options{})
	old, _, _ := e.IssueToken("")
	oldKid, _ := e.signingKey()
	if err := e.RotateKey(); err != nil {
		t.Fatal(err)
	}
	fresh, _, _ := e.IssueToken("")
	newKid, _ := e.signingKey()
	if newKid == oldKid {
		t.Fatalf("kid unchanged after rotation")
	}
	_, _, body := get(t, e.URL()+"/.well-known/jwks.json")
	var set jwt.JWKS
	if err := json.Unmarshal(body, &set); err != nil || len(set.Keys) != 2 || set.Keys[0].Kid != newKid {
		t.Fatalf("jwks after rotation %s", body)
	}
	for _, tok := range []string{old, fresh} {
		if status, _, _ := get(t, e.URL()+"/api/v1/applications", "Authorization", "Bearer "+tok); status != 200 {
			t.Errorf("token after rotation: %d", status)
		}
	}
	e.DropOldKeys()
	if status, _, _ := get(t, e.URL()+"/api/v1/applications", "Authorization", "Bearer "+old); status != 401 {
		t.Errorf("old token after drop: %d, want 401", status)
	}
	if status, _, _ := get(t, e.URL()+"/api/v1/applications", "Authorization", "Bearer "+fresh); status != 200 {
		t.Errorf("new token after drop: %d", status)
	}
}

func TestHealth(t *testing.T) {
	e := startTest(t, Options{Health: "degraded"})
	access, _, _ := e.IssueToken("")
	check := func(want int, status, reason string, hdr ...string) {
		t.Helper()
		code, _, body := get(t, e.URL()+"/health", hdr...)
		var h struct{ Status, Reason string }
		if code != want || json.Unmarshal(body, &h) != nil || h.Status != status || (reason == "") != (h.Reason == "") {
			t.Errorf("health: %d %s, want %d %s", code, body, want, status)
		}
	}
	check(200, "DEGRADED", "yes")
	check(200, "DEGRADED", "yes", "Authorization", "Bearer "+access)
	e.SetHealth("up")
	check(200, "UP", "")
	check(200, "UP", "", "Authorization", "Bearer "+access)
	e.SetHealth("down")
	check(503, "DOWN", "yes")
	if code, _, _ := get(t, e.URL()+"/health", "Authorization", "Bearer nope"); code != 401 {
		t.Errorf("health with a bad token: %d, want 401", code)
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	for name, o := range map[string]Options{
		"speed":    {Speed: -1},
		"speedNaN": {Speed: math.NaN()},
		"speedInf": {Speed: math.Inf(1)},
		"size":     {ArtifactSize: -1},
		"lifetime": {TokenLifetime: -time.Second},
		"approval": {DeviceApproval: "sometimes"},
		"health":   {Health: "sick"},
		"faults":   {Faults: "api:teapot"},
		"url":      {PublicURL: "ftp://x"},
		"storage":  {StoragePublicURL: "http://127.0.0.1:1/prefix"},
	} {
		if _, err := New(o); err == nil {
			t.Errorf("%s: New accepted %+v", name, o)
		}
	}
}

func TestUnknownPathIs404(t *testing.T) {
	e := startTest(t, Options{})
	if status, _, body := get(t, e.URL()+"/nothing"); status != 404 || !strings.Contains(string(body), "detail") {
		t.Errorf("%d %s", status, body)
	}
}
