package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/internal/iostreams"
)

// TestRunReferences: latest and id prefixes, in every command that takes a
// RUN, resolved on the client and stated on stderr.
func TestRunReferences(t *testing.T) {
	t.Parallel()
	e := newRunsEnv(t)
	first := e.create("first", 1)
	e.clock.Advance(1e9)
	second := e.create("second", 1)

	r := e.ok("-o", "json", "runs", "describe", "latest")
	if !strings.Contains(r.stdout, `"run_id": "`+second+`"`) && !strings.Contains(r.stdout, `"run_id":"`+second+`"`) {
		t.Fatalf("latest is not the newest run %s: %s", second, r.stdout)
	}
	if !strings.Contains(r.stderr, "latest = run "+second+" (test-app:1.1.0, just now)\n") {
		t.Errorf("stderr does not say which run latest is: %q", r.stderr)
	}
	// A prefix, in upper case too, in other commands.
	prefix := first[:10]
	for _, args := range [][]string{
		{"runs", "describe", prefix},
		{"runs", "items", strings.ToUpper(prefix)},
		{"runs", "results", prefix},
		{"runs", "watch", prefix},
		{"run", "download", prefix, filepath.Join(e.dir, "dl")},
	} {
		r := e.ok(append([]string{"-o", "json"}, args...)...)
		if !strings.Contains(r.stderr, " = run "+first) {
			t.Errorf("%v: stderr %q", args, r.stderr)
		}
		if !strings.Contains(r.stdout, first) && !strings.Contains(r.stdout, "first-0") {
			t.Errorf("%v: stdout does not show run %s: %q", args, first, r.stdout)
		}
	}
	// A full id is used as it is: no listing, no note.
	before := e.emu.Count("request")
	r = e.ok("-o", "json", "runs", "describe", first)
	if n := e.emu.Count("request") - before; n != 1 || r.stderr != "" {
		t.Errorf("full id: %d requests, stderr %q", n, r.stderr)
	}
	e.fails(2, []string{`run "abc": give a run id, a prefix of it of at least 8 characters, or latest`}, "-o", "text", "runs", "describe", "abc")
	e.fails(2, []string{"not a run id"}, "-o", "text", "runs", "describe", "not-a-run-id")
	e.fails(2, []string{"no run id starts with it"}, "-o", "text", "runs", "describe", "ffffffff-ffff")
}

// TestRunReferenceAmbiguous: two runs share the prefix (a server made for
// it): exit 2, both named.
func TestRunReferenceAmbiguous(t *testing.T) {
	t.Parallel()
	runs := []map[string]any{
		{"run_id": "abcdef12-0000-4000-8000-000000000001", "application_id": "a", "version_number": "1", "state": "PENDING", "submitted_at": "2026-03-02T10:00:00Z"},
		{"run_id": "abcdef12-0000-4000-8000-000000000002", "application_id": "a", "version_number": "1", "state": "PENDING", "submitted_at": "2026-03-02T09:00:00Z"},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path != "/api/v1/runs" || r.URL.Query().Get("page") > "1" {
			w.Write([]byte("[]"))
			return
		}
		json.NewEncoder(w).Encode(runs)
	}))
	defer srv.Close()
	var out, errb bytes.Buffer
	env := map[string]string{"AIGNOSTICS_API_ROOT": srv.URL, "AIGNOSTICS_ENV_FILE": os.DevNull, "AIGNOSTICS_CACHE_DIR": t.TempDir()}
	code := Main(context.Background(), []string{"-o", "text", "runs", "describe", "abcdef12"}, Env{
		IO:          iostreams.New(nil, &out, &errb),
		Getenv:      func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		Environ:     []string{},
		TokenSource: httpx.StaticToken("t"),
	})
	if code != 2 || !strings.Contains(errb.String(), "ambiguous") || !strings.Contains(errb.String(), "abcdef12-0000-4000-8000-000000000002") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
}

// TestRunReferenceWithAShareToken: a run read by share token is named by
// its full id: latest and prefixes are looked up among your own runs (a
// login, or another run than the one shared), so they are refused at once.
func TestRunReferenceWithAShareToken(t *testing.T) {
	e := newRunsEnv(t)
	id := e.create("shared", 1)
	before := e.emu.Count("request")
	for _, ref := range []string{"latest", id[:10]} {
		e.fails(2, []string{"full run id", "--share-token"}, "-o", "text", "runs", "describe", ref, "--share-token", "tok-0123456789abcdef")
	}
	if n := e.emu.Count("request") - before; n != 0 {
		t.Errorf("%d requests for references that cannot be resolved", n)
	}
}
