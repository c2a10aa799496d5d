package httpx

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aignostics/aignostics/internal/clock"
)

// fakeTimerClient builds a client on a fake clock that moves only when the
// test advances it (sleeps return at once, advancing it).
func fakeTimerClient(t *testing.T, timeout time.Duration) (*Client, *clock.Fake) {
	t.Helper()
	f := clock.NewAutoFake(testT0)
	c, err := New(Options{Timeout: timeout, Clock: f.Clock(), Rand: func() float64 { return 1 }})
	if err != nil {
		t.Fatal(err)
	}
	return c, f
}

func TestIdleTimeoutFiresOnStalledBody(t *testing.T) {
	const timeout = time.Minute
	release := make(chan struct{})
	stalled := make(chan struct{})
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			w.Header().Set("Content-Length", "20")
			w.Write([]byte(`{"id": `))
			http.NewResponseController(w).Flush()
			close(stalled)
			<-release
			return
		}
		w.Write([]byte(`{"id": "second"}`))
	}))
	defer srv.Close()
	defer close(release)
	c, clk := fakeTimerClient(t, timeout)
	go func() {
		<-stalled
		clk.BlockUntil(2) // the answer deadline and the idle timer of a waiting Read of the first body are armed
		clk.Advance(timeout)
	}()
	var out struct{ ID string }
	if err := c.JSON(context.Background(), "GET", srv.URL, nil, &out); err != nil || out.ID != "second" {
		t.Fatalf("err %v out %+v", err, out)
	}
	if hits.Load() != 2 || len(clk.Slept()) != 1 {
		t.Errorf("attempts %d sleeps %d; want the stalled GET retried once", hits.Load(), len(clk.Slept()))
	}
}

func TestIdleTimeoutErrorOnDoBody(t *testing.T) {
	const timeout = time.Minute
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("partial"))
		http.NewResponseController(w).Flush()
		<-release
	}))
	defer srv.Close()
	defer close(release)
	c, clk := fakeTimerClient(t, timeout)
	req, _ := http.NewRequest("GET", srv.URL, nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	buf := make([]byte, 7)
	if _, err := io.ReadFull(resp.Body, buf); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := resp.Body.Read(buf); done <- err }()
	clk.BlockUntil(1) // the Read is waiting
	clk.Advance(timeout - time.Second)
	select {
	case err := <-done:
		t.Fatalf("read ended before the timeout: %v", err)
	default:
	}
	clk.Advance(time.Second)
	err = <-done
	var ie *IdleTimeoutError
	if !errors.As(err, &ie) || !isTimeout(err) {
		t.Errorf("err = %v, want *IdleTimeoutError", err)
	}
}

func TestSlowProgressingBodyCompletes(t *testing.T) {
	const (
		timeout = time.Minute
		chunks  = 24
		size    = 64 << 10
	)
	c, clk := fakeTimerClient(t, timeout)
	var (
		mu       sync.Mutex
		consumed int
		notify   = make(chan struct{}, 1)
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := bytes.Repeat([]byte("x"), size)
		sent := 0
		for i := 0; i < chunks; i++ {
			// Wait until the client has read everything sent so far.
			for {
				mu.Lock()
				c := consumed
				mu.Unlock()
				if c >= sent {
					break
				}
				<-notify
			}
			// Each chunk comes 0.6 timeouts after the previous one: the
			// body takes far longer than the timeout, no read does.
			clk.Advance(timeout * 6 / 10)
			w.Write(chunk)
			http.NewResponseController(w).Flush()
			sent += size
		}
	}))
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL, nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	buf := make([]byte, 32<<10)
	total := 0
	for {
		n, err := resp.Body.Read(buf)
		total += n
		mu.Lock()
		consumed = total
		mu.Unlock()
		select {
		case notify <- struct{}{}:
		default:
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("read after %d bytes: %v", total, err)
		}
	}
	if total != chunks*size {
		t.Errorf("read %d bytes, want %d", total, chunks*size)
	}
	if elapsed := clk.Now().Sub(testT0); elapsed < 10*timeout {
		t.Errorf("virtual time %v: the test did not outlast the timeout", elapsed)
	}
}

// TestIdleTimeoutRealTimer checks the wiring of the real timer with a
// short timeout (it waits for that timer; nothing is asserted about time).
func TestIdleTimeoutRealTimer(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("a"))
		http.NewResponseController(w).Flush()
		<-release
	}))
	defer srv.Close()
	defer close(release)
	c, err := New(Options{Timeout: 50 * time.Millisecond}) // the system clock
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", srv.URL, nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, err = io.ReadAll(resp.Body)
	var ie *IdleTimeoutError
	if !errors.As(err, &ie) {
		t.Errorf("err = %v, want *IdleTimeoutError", err)
	}
}

func TestIdleTimerRunsOnlyDuringReads(t *testing.T) {
	const timeout = time.Minute
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("body")) }))
	defer srv.Close()
	c, clk := fakeTimerClient(t, timeout)
	req, _ := http.NewRequest("GET", srv.URL, nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	clk.Advance(10 * timeout) // the caller is busy elsewhere; nothing is reading
	b, err := io.ReadAll(resp.Body)
	if err != nil || string(b) != "body" {
		t.Errorf("read %q, %v", b, err)
	}
}
