package cli

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
)

// downHealth puts a proxy in front of the emulator whose /health says 503
// while every other request goes through.
func downHealth(t *testing.T, e *runsEnv) {
	t.Helper()
	target, err := url.Parse(e.emu.URL())
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/health" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"status":"DOWN"}`))
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	e.root = srv.URL
}

// A platform whose health check says DOWN (twice): submit refuses and
// sends nothing; --force submits anyway and says so.
func TestRunsSubmitHealthGate(t *testing.T) {
	t.Parallel()
	e := newRunsEnv(t)
	downHealth(t, e)
	slide := filepath.Join("..", "..", "testdata", "slides", "aperio.svs")
	e.fails(1, []string{"the platform is DOWN", "--force submits anyway"}, "runs", "submit", "test-app", slide)
	if n := e.emu.Count("create_run") + e.emu.Count("bucket:put"); n != 0 {
		t.Fatalf("%d uploads or creates while DOWN", n)
	}
	r := e.ok("runs", "submit", "test-app", slide, "--force", "-o", "text")
	if id := strings.TrimSpace(r.stdout); !uuidRE.MatchString(id) || !strings.Contains(r.stderr, "submitting anyway (--force)") {
		t.Fatalf("submit --force: %q %q", r.stdout, r.stderr)
	}
	if n := e.emu.Count("create_run"); n != 1 {
		t.Fatalf("%d creates with --force, want 1", n)
	}
}
