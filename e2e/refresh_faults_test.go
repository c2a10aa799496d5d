package e2e

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// hijackCut reads the request, then closes the connection without an
// answer.
func hijackCut(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("no hijacker")
	}
	conn, _, err := hj.Hijack()
	if err == nil {
		conn.Close()
	}
}

// A refresh whose outcome is unknown, or that a proxy or a busy server
// answered, never loses the login and never sends a spent refresh token
// again: the current access token is used while valid, and the refresh
// token the server holds as live is the one sent next.
func TestRefreshFaultsKeepTheLogin(t *testing.T) {
	t.Parallel()
	proxy407 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Proxy-Authenticate", `Basic realm="corp"`)
		w.WriteHeader(http.StatusProxyAuthRequired)
	}))
	defer proxy407.Close()
	proxy503 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer proxy503.Close()
	tests := []struct {
		name  string
		fault func(a *authServer) func(w http.ResponseWriter, r *http.Request)
		jwks  bool              // the JWKS is down during the faulty run
		env   map[string]string // during the faulty run
		spent bool              // the grant was taken by the server during the fault
	}{
		{name: "answer lost", spent: true, fault: func(a *authServer) func(http.ResponseWriter, *http.Request) {
			return func(w http.ResponseWriter, r *http.Request) { a.grant(r); hijackCut(w) }
		}},
		{name: "answer cut", spent: true, fault: func(a *authServer) func(http.ResponseWriter, *http.Request) {
			return func(w http.ResponseWriter, r *http.Request) {
				a.grant(r)
				w.Header().Set("Content-Length", "500")
				w.WriteHeader(200)
				w.Write([]byte(`{"access_token":"eyJ`))
			}
		}},
		{name: "answer unparseable", spent: true, fault: func(a *authServer) func(http.ResponseWriter, *http.Request) {
			return func(w http.ResponseWriter, r *http.Request) { a.grant(r); w.Write([]byte("<html>maintenance</html>")) }
		}},
		{name: "answer without token", spent: true, fault: func(a *authServer) func(http.ResponseWriter, *http.Request) {
			return func(w http.ResponseWriter, r *http.Request) {
				a.grant(r)
				writeJSON(w, 200, map[string]string{"token_type": "Bearer"})
			}
		}},
		{name: "gateway 502 after the grant", spent: true, fault: func(a *authServer) func(http.ResponseWriter, *http.Request) {
			return func(w http.ResponseWriter, r *http.Request) { a.grant(r); w.WriteHeader(502) }
		}},
		{name: "jwks down", jwks: true},
		{name: "busy 503", fault: func(a *authServer) func(http.ResponseWriter, *http.Request) {
			return func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, 503, map[string]string{"error": "temporarily_unavailable"})
			}
		}},
		{name: "proxy 407", env: map[string]string{"HTTP_PROXY": proxy407.URL}},
		// (A 502 or 504 may come from a gateway that passed the grant on:
		// it counts as taken, as "gateway 502 after the grant" shows.)
		{name: "proxy 503", env: map[string]string{"HTTP_PROXY": proxy503.URL}},
		{name: "proxy without scheme 407", env: map[string]string{"HTTP_PROXY": strings.TrimPrefix(proxy407.URL, "http://")}},
		{name: "forbidden 403 without an OAuth answer", fault: func(a *authServer) func(http.ResponseWriter, *http.Request) {
			return func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(403); w.Write([]byte("blocked by WAF")) }
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHostileServer(t)
			a := newAuthServer(t, h)
			c := newAuthCLI(t, h)
			// A token that needs a refresh (under five minutes left) but is
			// still good for this test.
			a.set(func(a *authServer) { a.lifetime = 4 * time.Minute })
			c.env["AIGNOSTICS_REFRESH_TOKEN"] = a.newRefresh()
			first := strings.TrimSpace(c.must("platform", "token"))

			a.set(func(a *authServer) {
				a.lifetime = time.Hour
				a.jwksDown = tt.jwks
				if tt.fault != nil {
					a.tokenFault = tt.fault(a)
				}
			})
			r := c.run(tt.env, "", "platform", "token")
			if r.code != 0 || strings.TrimSpace(r.stdout) != first {
				t.Errorf("during the fault: exit %d, stderr %q; want 0 and the current token", r.code, r.stderr)
			}
			if n := len(cacheFiles(t, c.env["AIGNOSTICS_CACHE_DIR"])); n != 1 {
				t.Errorf("during the fault the token cache file went away (%d files)", n)
			}
			a.set(func(a *authServer) { a.tokenFault, a.jwksDown = nil, false })
			before := a.receivedCount()
			r = c.run(nil, "", "platform", "token")
			got := strings.TrimSpace(r.stdout)
			switch {
			case r.code != 0:
				t.Errorf("after the fault: exit %d, stderr %q; want 0", r.code, r.stderr)
			case tt.spent && (got != first || a.receivedCount() != before):
				t.Errorf("after a fault that took the grant: a refresh was sent (%d) or the token changed; want the current token used until it expires", a.receivedCount()-before)
			case !tt.spent && (got == first || a.receivedCount() != before+1):
				t.Errorf("after a fault that did not take the grant: %d refreshes, token changed %v; want one refresh with the live refresh token", a.receivedCount()-before, got != first)
			}
			a.checkNoReuse(t)
		})
	}
}

// A token endpoint failing with 5xx or 429 is a server failure (exit 1),
// not an authentication failure, and the login stays; 429 is retried.
func TestTokenEndpointServerFailureKind(t *testing.T) {
	t.Parallel()
	h := newHostileServer(t)
	a := newAuthServer(t, h)
	c := newAuthCLI(t, h)
	c.env["AIGNOSTICS_REFRESH_TOKEN"] = a.newRefresh()
	for _, status := range []int{500, 503} {
		a.set(func(a *authServer) {
			a.tokenFault = func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, status, map[string]string{"error": "server_error"})
			}
		})
		r := c.run(nil, "", "-o", "json", "platform", "token")
		if r.code != 1 || !strings.Contains(r.stderr, `"error":"server"`) {
			t.Errorf("token endpoint %d: exit %d, stderr %q; want 1 and kind server", status, r.code, r.stderr)
		}
		if status == 500 {
			// A 500 may have taken the grant: start again from a new seed.
			c.env["AIGNOSTICS_REFRESH_TOKEN"] = a.newRefresh()
		}
	}
	var n int
	a.set(func(a *authServer) {
		a.tokenFault = func(w http.ResponseWriter, r *http.Request) {
			if n++; n <= 2 {
				w.Header().Set("Retry-After", "0")
				writeJSON(w, 429, map[string]string{"error": "too_many_requests"})
				return
			}
			status, body := a.grant(r)
			writeJSON(w, status, body)
		}
	})
	if r := c.run(nil, "", "platform", "token"); r.code != 0 {
		t.Errorf("after two 429s: exit %d, stderr %q; want the grant retried", r.code, r.stderr)
	}
	a.checkNoReuse(t)
}
