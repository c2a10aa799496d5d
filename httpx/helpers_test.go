package httpx

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aignostics/aignostics/internal/clock"
)

// testT0 is the time fake clocks of the tests start at.
var testT0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// testClient builds a client on a fake clock whose sleeps return at once
// (recorded: see Slept) and whose jitter is fixed at the top of the range
// (waits equal the full backoff).
func testClient(t *testing.T, o Options) (*Client, *clock.Fake) {
	t.Helper()
	f := clock.NewAutoFake(testT0)
	o.Clock = f.Clock()
	if o.Rand == nil {
		o.Rand = func() float64 { return 1 }
	}
	c, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c, f
}

// script is a test server that answers attempt i with steps[i] (the last
// step repeats). A step is an HTTP status, or reset (close the connection
// without answering).
type script struct {
	srv   *httptest.Server
	steps []int
	hits  atomic.Int32
	body  func(w http.ResponseWriter, r *http.Request, step int)
	seen  chan *http.Request
}

const reset = -1

func newScript(t *testing.T, steps ...int) *script {
	s := &script{steps: steps, seen: make(chan *http.Request, 100)}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *script) serve(w http.ResponseWriter, r *http.Request) {
	n := int(s.hits.Add(1)) - 1
	s.seen <- r
	step := s.steps[min(n, len(s.steps)-1)]
	if step == reset {
		hijackClose(w)
		return
	}
	if s.body != nil {
		s.body(w, r, step)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(step)
	w.Write([]byte(`{"detail": "step answer"}`))
}

// hijackClose closes the client's connection without any answer.
func hijackClose(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0) // RST, a "connection reset by peer"
	}
	conn.Close()
}

// fakeTokens is a TokenSource handing out tokens in order; Invalidate moves on.
type fakeTokens struct {
	mu          sync.Mutex
	tokens      []string
	i           int
	invalidated []string
	err         error
}

func (f *fakeTokens) Token(context.Context) (Token, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return Token{}, f.err
	}
	return Token{AccessToken: f.tokens[min(f.i, len(f.tokens)-1)]}, nil
}

func (f *fakeTokens) Invalidate(tok string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.invalidated = append(f.invalidated, tok)
	if f.tokens[min(f.i, len(f.tokens)-1)] == tok {
		f.i++
	}
}
