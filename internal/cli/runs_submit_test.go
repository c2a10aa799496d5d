package cli

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/internal/iostreams"
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

// TestRunsSubmitInterruptedAtTheHealthCheck: Ctrl-C while the health is
// checked is an interruption (exit 130), not "the platform is DOWN" (exit
// 1, with the cancelled request as the reason); platform health and
// doctor alike.
func TestRunsSubmitInterruptedAtTheHealthCheck(t *testing.T) {
	e := newStEnv(t, 1000)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, args := range [][]string{
		{"-o", "text", "runs", "submit", "test-app", filepath.Join("..", "..", "testdata", "slides", "aperio.svs")},
		{"-o", "text", "platform", "health"},
		{"-o", "text", "platform", "doctor"},
	} {
		var out, errb bytes.Buffer
		code := stMain(ctx, args, Env{
			IO:          iostreams.New(nil, &out, &errb),
			Getenv:      func(k string) (string, bool) { v, ok := e.env[k]; return v, ok },
			Environ:     []string{},
			TokenSource: httpx.StaticToken(e.token),
			Clock:       e.clk.Clock(),
		})
		if code != 130 || strings.Contains(errb.String(), "DOWN") {
			t.Errorf("%v: exit %d, stderr %q; want 130, interrupted", args[2:], code, errb.String())
		}
	}
}
