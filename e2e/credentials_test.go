package e2e

import (
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/emulator/emulatortest"
)

// allRequests is every request h got, as "METHOD /path".
func (h *hostileServer) allRequests() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, r := range h.requests {
		out = append(out, r.Method+" "+r.URL.Path)
	}
	return out
}

// cacheFiles lists the token cache files (not locks or temp files).
func cacheFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	return m
}

// A token endpoint that redirects a grant (307 re-sends the POST body with
// the refresh token or the device code) to another origin is not followed:
// the other origin sees nothing, the login is kept, and the grant goes to
// the token endpoint once the redirect is gone.
func TestTokenEndpointRedirectKeepsGrantsHome(t *testing.T) {
	t.Parallel()
	h := newHostileServer(t)
	a := newAuthServer(t, h)
	other := newHostileServer(t)
	c := newAuthCLI(t, h)
	seed := a.newRefresh()
	c.env["AIGNOSTICS_REFRESH_TOKEN"] = seed
	for _, code := range []int{307, 308} {
		a.set(func(a *authServer) {
			a.tokenFault = func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, other.URL+"/oauth/token", code)
			}
		})
		r := c.run(nil, "", "platform", "token")
		if r.code == 0 || r.code == 4 || !strings.Contains(r.stderr, "another origin") {
			t.Errorf("refresh redirected with %d: exit %d, stderr %q; want a failure (not auth) naming the redirect", code, r.code, r.stderr)
		}
		if strings.Contains(r.stderr, seed) {
			t.Errorf("the refresh token was printed: %s", r.stderr)
		}
		r = c.run(nil, "", "platform", "login", "--device", "--relogin")
		if r.code == 0 || !strings.Contains(r.stderr, "another origin") {
			t.Errorf("device grant redirected with %d: exit %d, stderr %q; want a failure naming the redirect", code, r.code, r.stderr)
		}
	}
	if got := other.allRequests(); len(got) != 0 {
		t.Errorf("the other origin got %d requests: %v", len(got), got)
	}
	if n := h.count("POST /oauth/token"); n != 4 {
		t.Errorf("the token endpoint got %d grants, want 4 (one per command: nothing retried)", n)
	}
	a.set(func(a *authServer) { a.tokenFault = nil })
	c.must("platform", "token")
	if a.receivedCount() != 1 || a.received[0] != seed {
		t.Errorf("after the redirects ended, the token endpoint got refresh tokens %d, want the seed once", a.receivedCount())
	}
	a.checkNoReuse(t)
}

// API calls redirected to another origin lose the Authorization header,
// and one with a body (runs create) is not followed at all.
func TestAPIRedirectKeepsTokenHome(t *testing.T) {
	t.Parallel()
	h := newHostileServer(t)
	other := newHostileServer(t)
	c := newHostileCLI(t, h)
	for _, route := range []string{"GET /api/v1/applications", "POST /api/v1/runs", "GET /api/v1/runs"} {
		h.handle(route, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
		})
	}
	other.handle("GET /api/v1/applications", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, []any{}) })
	other.handle("GET /api/v1/runs", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, []any{}) })
	c.run(nil, "", "-o", "json", "applications", "list")
	c.run(nil, "", "-o", "json", "runs", "list")
	version := emulatorAnswer(t, "/api/v1/applications/test-app/versions/1.0.0")
	h.handle("GET /api/v1/applications/test-app/versions/1.0.0", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(version)
	})
	items := writeItems(t, t.TempDir(), 1, "redir")
	r := c.run(nil, "", "-o", "json", "runs", "create", "test-app:1.0.0", "--items", items)
	t.Logf("runs create: exit %d: %s", r.code, r.stderr)
	if r.code == 0 || h.count("POST /api/v1/runs") != 1 {
		t.Errorf("runs create redirected to another origin: exit %d after %d POSTs, want a failure after 1\n%s", r.code, h.count("POST /api/v1/runs"), r.stderr)
	}
	for _, req := range other.requests {
		if a := req.Header.Get("Authorization"); a != "" {
			t.Errorf("%s %s at the other origin carried Authorization %q", req.Method, req.URL.Path, a)
		}
		if req.Method != http.MethodGet {
			t.Errorf("%s %s reached the other origin", req.Method, req.URL.Path)
		}
	}
	if len(other.requests) == 0 {
		t.Error("no GET was redirected at all: the test is not testing")
	}
}

// emulatorAnswer is the emulator's answer to GET path (a faithful shape
// for a hostile server to serve).
func emulatorAnswer(t *testing.T, path string) []byte {
	t.Helper()
	emu := emulatortest.StartTest(t, emulator.Options{})
	access, _, err := emu.IssueToken(emulator.DefaultSubject)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", emu.URL()+path, nil)
	req.Header.Set("Authorization", "Bearer "+access)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("emulator GET %s: %d %v", path, resp.StatusCode, err)
	}
	return b
}
