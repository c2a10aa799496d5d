package resources_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/resources"
)

// laggingServer creates runs and answers 404 to the first `lag` reads of
// each, like a read replica behind the primary.
type laggingServer struct {
	lag   int32
	reads atomic.Int32
}

func (s *laggingServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == "POST" && r.URL.Path == "/api/v1/runs":
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"run_id":"11111111-1111-4111-8111-111111111111"}`)
	case r.Method == "GET" && strings.HasPrefix(r.URL.Path, "/api/v1/runs/"):
		if s.reads.Add(1) <= s.lag {
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"detail":"Run not found"}`)
			return
		}
		io.WriteString(w, `{"run_id":"11111111-1111-4111-8111-111111111111","state":"PENDING","submitted_at":"2026-01-01T00:00:00Z"}`)
	default:
		w.WriteHeader(http.StatusTeapot)
	}
}

func TestDetailsAfterCreateRetries404(t *testing.T) {
	tests := []struct {
		name      string
		lag       int32
		ok        bool
		maxWaited time.Duration
	}{
		{"replica catches up", 3, true, resources.CreatedRetryWindow},
		{"never there", 1000, false, resources.CreatedRetryWindow},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := &laggingServer{lag: tc.lag}
			hs := httptest.NewServer(srv)
			defer hs.Close()
			clk := newClock()
			start := clk.Now()
			c := resources.NewFromHTTP(hs.URL, plainHTTP(t), resources.Options{Clock: clk.Clock()})
			run, err := c.Runs().Create(context.Background(), resources.RunCreationRequest{ApplicationID: "a", Items: items("x", 1)})
			if err != nil {
				t.Fatal(err)
			}
			d, err := run.Details(context.Background())
			waited := clk.Now().Sub(start)
			if tc.ok {
				if err != nil || d.RunID != run.ID {
					t.Fatalf("details: %+v, %v", d, err)
				}
				if got := srv.reads.Load(); got != tc.lag+1 {
					t.Fatalf("%d reads, want %d", got, tc.lag+1)
				}
			} else if !errors.Is(err, httpx.ErrNotFound) {
				t.Fatalf("details of a run that never appears: %v, want ErrNotFound", err)
			}
			if waited > tc.maxWaited {
				t.Fatalf("waited %s, more than %s", waited, tc.maxWaited)
			}
			if !tc.ok && waited < resources.CreatedRetryWindow-time.Second {
				t.Fatalf("gave up after %s, want close to %s", waited, resources.CreatedRetryWindow)
			}
		})
	}
	// A run not created by this client: a 404 is final at once.
	srv := &laggingServer{lag: 1}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	clk := newClock()
	c := resources.NewFromHTTP(hs.URL, plainHTTP(t), resources.Options{Clock: clk.Clock()})
	if _, err := c.Run("11111111-1111-4111-8111-111111111111").Details(context.Background()); !errors.Is(err, httpx.ErrNotFound) {
		t.Fatalf("details: %v", err)
	}
	if s := clk.Slept(); len(s) != 0 {
		t.Fatalf("slept %v for a run this client did not create", s)
	}
}

// dropPosts forwards to the emulator but hangs up on POST /api/v1/runs after
// the emulator handled it: the run exists, the client got no answer.
func dropPosts(t *testing.T, target string, forward bool) *httptest.Server {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "POST" && r.URL.Path == "/api/v1/runs" {
			if forward {
				rec := httptest.NewRecorder()
				proxy.ServeHTTP(rec, r)
			} else {
				io.Copy(io.Discard, r.Body)
			}
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestCreateAmbiguousFailureLooksTheRunUp(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	// An older run with the same first external id, outside the window.
	old := e.submit(t, "dup", 1, nil)
	e.clock.Advance(resources.LookupWindow + time.Minute)

	proxy := dropPosts(t, e.emu.URL(), true)
	c := newClient(t, proxy.URL, e.emu, resources.Options{Clock: e.clock.Clock()})
	run, err := c.Runs().Submit(ctx, resources.RunCreationRequest{ApplicationID: "test-app", Items: items("dup", 1)})
	if err != nil {
		t.Fatalf("create with a lost answer: %v", err)
	}
	if !run.Recovered || run.ID == old.ID || run.ID == "" {
		t.Fatalf("recovered run %+v (old run %s)", run, old.ID)
	}
	if _, err := run.Details(ctx); err != nil {
		t.Fatalf("details of the recovered run: %v", err)
	}
	if n := e.emu.Count("create_run"); n != 2 {
		t.Fatalf("%d creates reached the emulator, want 2 (the POST is never re-sent)", n)
	}
}

func TestCreateAmbiguousFailureWithoutRun(t *testing.T) {
	e := newEnv(t)
	e.submit(t, "old", 1, nil)
	e.clock.Advance(resources.LookupWindow + time.Second)
	proxy := dropPosts(t, e.emu.URL(), false)
	c := newClient(t, proxy.URL, e.emu, resources.Options{Clock: e.clock.Clock()})
	_, err := c.Runs().Submit(context.Background(), resources.RunCreationRequest{ApplicationID: "test-app", Items: items("old", 1)})
	if !errors.Is(err, resources.ErrMaybeCreated) || !errors.Is(err, httpx.ErrMaybeSent) {
		t.Fatalf("create with a lost request: %v, want ErrMaybeCreated and ErrMaybeSent", err)
	}
	if !strings.Contains(err.Error(), "may exist") {
		t.Fatalf("error %q does not say the run may exist", err)
	}
}

func TestNewFromSettingsAndTokenFunc(t *testing.T) {
	e := newEnv(t)
	access, _, err := e.emu.IssueToken("auth0|someone")
	if err != nil {
		t.Fatal(err)
	}
	s := settingsFor(t, e.emu.URL())
	calls := 0
	c, err := resources.New(s, httpx.TokenFunc(func(context.Context) (string, error) {
		calls++
		return access, nil
	}), resources.Options{})
	if err != nil {
		t.Fatal(err)
	}
	me, err := c.Me(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if me.User.ID != "auth0|someone" || calls == 0 {
		t.Fatalf("me %+v after %d token calls", me.User, calls)
	}
	// Without a token the API answers 401.
	c, err = resources.New(s, nil, resources.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Me(context.Background()); !errors.Is(err, httpx.ErrUnauthorized) {
		t.Fatalf("me without a token: %v", err)
	}
}

// TestCreateLookupRecognisesOnlyItsOwnRun: a run of someone else with the
// same first external id, submitted meanwhile, is not taken for ours.
func TestCreateLookupRecognisesOnlyItsOwnRun(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	// Someone else's run: the same first item, another second one.
	other := items("dup", 2)
	other[1].ExternalID = "someone-else"
	if _, err := e.c.Runs().Submit(ctx, resources.RunCreationRequest{ApplicationID: "test-app", Items: other}); err != nil {
		t.Fatal(err)
	}
	proxy := dropPosts(t, e.emu.URL(), false) // ours never arrives
	c := newClient(t, proxy.URL, e.emu, resources.Options{Clock: e.clock.Clock()})
	_, err := c.Runs().Submit(ctx, resources.RunCreationRequest{ApplicationID: "test-app", Items: items("dup", 2)})
	if !errors.Is(err, resources.ErrMaybeCreated) {
		t.Fatalf("Submit = %v, want ErrMaybeCreated (the run found is not ours)", err)
	}
}
