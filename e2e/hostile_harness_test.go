package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// The tests of issue 17 run the binary against servers written to
// misbehave (hostileServer), not the emulator: the same hands wrote the
// emulator and the client.

// hostileServer is a loopback HTTP server standing in for the platform: the
// local environment puts the API and the auth endpoints under its root.
// Handlers are keyed by "METHOD /path"; an unknown path answers 404. Every
// request is counted and kept.
type hostileServer struct {
	*httptest.Server
	t *testing.T

	mu       sync.Mutex
	handlers map[string]http.HandlerFunc
	counts   map[string]int
	requests []*http.Request
	bodies   []string
}

func newHostileServer(t *testing.T) *hostileServer {
	t.Helper()
	h := &hostileServer{t: t, handlers: map[string]http.HandlerFunc{}, counts: map[string]int{}}
	h.Server = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.Server.Close)
	return h
}

// handle sets the handler of "METHOD /path".
func (h *hostileServer) handle(route string, fn http.HandlerFunc) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.handlers[route] = fn
}

// count is how often route was requested.
func (h *hostileServer) count(route string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.counts[route]
}

func (h *hostileServer) serve(w http.ResponseWriter, r *http.Request) {
	route := r.Method + " " + r.URL.Path
	body := ""
	if r.Body != nil {
		b := make([]byte, 64<<10)
		n, _ := ioReadFull(r, b)
		body = string(b[:n])
	}
	h.mu.Lock()
	h.counts[route]++
	h.requests = append(h.requests, r.Clone(r.Context()))
	h.bodies = append(h.bodies, body)
	fn := h.handlers[route]
	h.mu.Unlock()
	r.Body = readerCloser{strings.NewReader(body)}
	if fn == nil {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"detail":"no route %s"}`, route)
		return
	}
	fn(w, r)
}

// requestsTo returns the requests made to route.
func (h *hostileServer) requestsTo(route string) []*http.Request {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []*http.Request
	for _, r := range h.requests {
		if r.Method+" "+r.URL.Path == route {
			out = append(out, r)
		}
	}
	return out
}

// newHostileCLI runs the binary against h with a token provider that
// prints a fixed opaque token, so no login is needed; retries wait 10 ms.
func newHostileCLI(t *testing.T, h *hostileServer) *cli {
	t.Helper()
	c := newCLI(t, nil)
	c.env["AIGNOSTICS_API_ROOT"] = h.URL
	c.env["AIGNOSTICS_AUTHORIZATION_BACKOFF_SECONDS"] = "0.01"
	c.env["AIGNOSTICS_TOKEN_PROVIDER"] = writeScript(t, "static-token", "echo hostile-access-token")
	return c
}

// writeScript writes an executable shell script and returns its path.
func writeScript(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// pageSize reads the page size a list request asked for.
func pageSize(r *http.Request) int {
	for _, k := range []string{"page_size", "page-size"} {
		if n, err := strconv.Atoi(r.URL.Query().Get(k)); err == nil {
			return n
		}
	}
	return 50
}

// app is an application list element with the given name and description.
func app(id, name, desc string) map[string]any {
	return map[string]any{"application_id": id, "name": name, "description": desc, "regulatory_classes": []string{"RUO"},
		"latest_version": map[string]any{"number": "1.0.0", "released_at": "2025-01-01T00:00:00Z"}}
}

// run is a run list element.
func run(id string) map[string]any {
	return map[string]any{"run_id": id, "application_id": "test-app", "version_number": "1.0.0", "state": "TERMINATED",
		"output": "FULL", "termination_reason": "ALL_ITEMS_PROCESSED", "statistics": map[string]any{"item_count": 1, "item_succeeded_count": 1},
		"submitted_at": "2025-01-01T00:00:00Z", "submitted_by": "someone", "custom_metadata": nil}
}

type readerCloser struct{ *strings.Reader }

func (readerCloser) Close() error { return nil }

func ioReadFull(r *http.Request, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		k, err := r.Body.Read(b[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
