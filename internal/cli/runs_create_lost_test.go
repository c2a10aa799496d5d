package cli

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"
)

// loseCreateAnswers puts a proxy in front of the emulator that hangs up on
// POST /api/v1/runs without answering, after forwarding it (forward) or not.
func loseCreateAnswers(t *testing.T, e *runsEnv, forward bool) {
	t.Helper()
	target, err := url.Parse(e.emu.URL())
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "POST" && r.URL.Path == "/api/v1/runs" {
			if forward {
				proxy.ServeHTTP(httptest.NewRecorder(), r)
			} else {
				io.Copy(io.Discard, r.Body)
			}
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				conn.Close()
			}
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	e.root = srv.URL
}

func TestRunsCreateAfterALostAnswer(t *testing.T) {
	t.Parallel()
	e := newRunsEnv(t)
	items := e.itemsFile("lost", 2)
	loseCreateAnswers(t, e, true)
	r := e.run("", "runs", "create", "test-app", "--items", items)
	id := strings.TrimSpace(r.stdout)
	if r.code != 0 || !uuidRE.MatchString(id) || !strings.Contains(r.stderr, "got no answer") || !strings.Contains(r.stderr, id) {
		t.Fatalf("create with a lost answer: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if n := e.emu.Count("create_run"); n != 1 {
		t.Fatalf("%d creates, want 1 (never re-sent)", n)
	}
	// Ten minutes later the same external id no longer counts as this run.
	e.clock.Advance(11 * time.Minute)
	e2 := *e
	loseCreateAnswers(t, &e2, false)
	e2.fails(1, []string{"may exist", `"error":"network"`}, "runs", "create", "test-app", "--items", items, "-o", "json")
}
