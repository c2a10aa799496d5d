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
)

// fakeClock drives idle timers by hand: a timer fires only when advance
// moves virtual time past its deadline.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Duration
	timers []*fakeTimer
	armed  chan struct{} // signalled on every Reset
}

type fakeTimer struct {
	c        *fakeClock
	f        func()
	deadline time.Duration
	active   bool
}

func newFakeClock() *fakeClock { return &fakeClock{armed: make(chan struct{}, 1)} }

func (c *fakeClock) newTimer(f func()) idleTimer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{c: c, f: f}
	c.timers = append(c.timers, t)
	return t
}

func (t *fakeTimer) Reset(d time.Duration) bool {
	t.c.mu.Lock()
	was := t.active
	t.active, t.deadline = true, t.c.now+d
	t.c.mu.Unlock()
	select {
	case t.c.armed <- struct{}{}:
	default:
	}
	return was
}

func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := t.active
	t.active = false
	return was
}

// advance moves virtual time and runs the timers that expire.
func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now += d
	var due []func()
	for _, t := range c.timers {
		if t.active && t.deadline <= c.now {
			t.active = false
			due = append(due, t.f)
		}
	}
	c.mu.Unlock()
	for _, f := range due {
		f()
	}
}

// fireFirst runs the first timer created if it is running.
func (c *fakeClock) fireFirst() bool {
	c.mu.Lock()
	if len(c.timers) == 0 || !c.timers[0].active {
		c.mu.Unlock()
		return false
	}
	t := c.timers[0]
	t.active = false
	c.mu.Unlock()
	t.f()
	return true
}

func fakeTimerClient(t *testing.T, timeout time.Duration, clock *fakeClock) (*Client, *sleeps) {
	s := &sleeps{}
	c, err := newClient(Options{Timeout: timeout, Sleep: s.sleep, Rand: func() float64 { return 1 }}, clock.newTimer)
	if err != nil {
		t.Fatal(err)
	}
	return c, s
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
	clock := newFakeClock()
	finished := make(chan struct{})
	defer close(finished)
	go func() {
		<-stalled
		for { // fire the first body's timer once a Read of it waits
			select {
			case <-clock.armed:
				if clock.fireFirst() {
					return
				}
			case <-finished:
				return
			}
		}
	}()
	c, sl := fakeTimerClient(t, timeout, clock)
	var out struct{ ID string }
	if err := c.JSON(context.Background(), "GET", srv.URL, nil, &out); err != nil || out.ID != "second" {
		t.Fatalf("err %v out %+v", err, out)
	}
	if hits.Load() != 2 || len(sl.all()) != 1 {
		t.Errorf("attempts %d sleeps %d; want the stalled GET retried once", hits.Load(), len(sl.all()))
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
	clock := newFakeClock()
	c, _ := fakeTimerClient(t, timeout, clock)
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
	select { // drop the signal of the reads above
	case <-clock.armed:
	default:
	}
	done := make(chan error, 1)
	go func() { _, err := resp.Body.Read(buf); done <- err }()
	<-clock.armed // the Read is waiting
	clock.advance(timeout - time.Second)
	select {
	case err := <-done:
		t.Fatalf("read ended before the timeout: %v", err)
	default:
	}
	clock.advance(time.Second)
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
	clock := newFakeClock()
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
			clock.advance(timeout * 6 / 10)
			w.Write(chunk)
			http.NewResponseController(w).Flush()
			sent += size
		}
	}))
	defer srv.Close()
	c, _ := fakeTimerClient(t, timeout, clock)
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
	if elapsed := clock.now; elapsed < 10*timeout {
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
	c, _ := testClient(t, Options{Timeout: 50 * time.Millisecond})
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
	clock := newFakeClock()
	c, _ := fakeTimerClient(t, timeout, clock)
	req, _ := http.NewRequest("GET", srv.URL, nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	clock.advance(10 * timeout) // the caller is busy elsewhere; nothing is reading
	b, err := io.ReadAll(resp.Body)
	if err != nil || string(b) != "body" {
		t.Errorf("read %q, %v", b, err)
	}
}
