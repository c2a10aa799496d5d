package emulator

import (
	"net/http"
	"net/http/httptest"
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
