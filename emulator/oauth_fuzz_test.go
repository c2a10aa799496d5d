package emulator

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzAuthorize sends arbitrary queries to /authorize: it never fails with a
// 5xx and never redirects anywhere but an http loopback URL (no open redirect).
func FuzzAuthorize(f *testing.F) {
	_, challenge := pkcePair()
	f.Add(authorizeParams(challenge).Encode())
	f.Add("client_id=aignostics-local-interactive&redirect_uri=http://evil.example/&response_type=code")
	f.Add("client_id=aignostics-local-interactive&redirect_uri=http://127.0.0.1@evil.example/&response_type=token")
	f.Add("client_id=aignostics-local-interactive&redirect_uri=http:%2F%2F[::1]:1%2Fa%3Fb%3Dc&state=%00")
	e, err := New(Options{})
	if err != nil {
		f.Fatal(err)
	}
	e.apiURL = "http://127.0.0.1:8780"
	f.Fuzz(func(t *testing.T, query string) {
		w := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/authorize", nil)
		req.URL.RawQuery = query
		e.oauth.handleAuthorize(w, req)
		if w.Code >= 500 {
			t.Fatalf("status %d for %q", w.Code, query)
		}
		if loc := w.Header().Get("Location"); loc != "" {
			if w.Code != http.StatusFound || !validLoopbackRedirect(loc) {
				t.Fatalf("redirect %d to %q for %q", w.Code, loc, query)
			}
		}
	})
}

// FuzzTokenEndpoint posts arbitrary bodies to /oauth/token: the answer is
// always a 400 or 401 RFC 6749 JSON error (nothing was ever issued here).
func FuzzTokenEndpoint(f *testing.F) {
	f.Add("application/x-www-form-urlencoded", "grant_type=authorization_code&client_id=aignostics-local-interactive&code=x&code_verifier=y")
	f.Add("application/x-www-form-urlencoded", "grant_type=refresh_token&client_id=aignostics-local-device&refresh_token=x&scope=openid")
	f.Add("application/x-www-form-urlencoded", "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&client_id=aignostics-local-device&device_code=x")
	f.Add("application/json", `{"grant_type":"refresh_token","refresh_token":1}`)
	f.Add("text/plain", "%%%")
	e, err := New(Options{})
	if err != nil {
		f.Fatal(err)
	}
	e.apiURL = "http://127.0.0.1:8780"
	f.Fuzz(func(t *testing.T, contentType, body string) {
		w := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/oauth/token", strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		e.oauth.handleToken(w, req)
		var m map[string]string
		if (w.Code != 400 && w.Code != 401) || json.Unmarshal(w.Body.Bytes(), &m) != nil || m["error"] == "" {
			t.Fatalf("%d %q for %q %q", w.Code, w.Body.String(), contentType, body)
		}
	})
}
