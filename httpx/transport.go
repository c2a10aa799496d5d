package httpx

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aignostics/aignostics/internal/clock"
)

// IdleTimeoutError reports that a response body made no progress for the
// request timeout. It is a timeout (Timeout() is true), so GETs retry it.
type IdleTimeoutError struct {
	After time.Duration // the request timeout that elapsed
}

// Error says how long the body stalled.
func (e *IdleTimeoutError) Error() string {
	return fmt.Sprintf("response body stalled: no data for %s", e.After)
}

// Timeout reports true: this is a timeout.
func (e *IdleTimeoutError) Timeout() bool { return true }

// Temporary reports true, for callers of the old net.Error interface.
func (e *IdleTimeoutError) Temporary() bool { return true }

// idleTransport bounds every read of a response body by the timeout,
// cancelling the request when one read makes no progress in time. It never
// limits the body as a whole.
type idleTransport struct {
	next    http.RoundTripper
	timeout time.Duration
	clock   clock.Clock
}

// RoundTrip runs the request under a context the body timer can cancel.
func (t *idleTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancelCause(req.Context())
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel(nil)
		return nil, err
	}
	b := &idleBody{rc: resp.Body, timeout: t.timeout, cancel: cancel}
	b.timer = t.clock.AfterFunc(time.Hour, b.expire)
	b.timer.Stop() // armed by each Read
	resp.Body = b
	return resp, nil
}

// idleBody is a response body whose every Read must return within timeout.
type idleBody struct {
	rc      io.ReadCloser
	timeout time.Duration
	timer   *clock.Timer
	cancel  context.CancelCauseFunc
	fired   atomic.Bool
}

func (b *idleBody) expire() {
	b.fired.Store(true)
	b.cancel(&IdleTimeoutError{After: b.timeout})
}

// Read reads with the idle timer running.
func (b *idleBody) Read(p []byte) (int, error) {
	if b.fired.Load() {
		return 0, &IdleTimeoutError{After: b.timeout}
	}
	b.timer.Reset(b.timeout)
	n, err := b.rc.Read(p)
	if !b.timer.Stop() && b.fired.Load() {
		return n, &IdleTimeoutError{After: b.timeout}
	}
	return n, err
}

// Close closes the body and releases the request's context.
func (b *idleBody) Close() error {
	b.timer.Stop()
	err := b.rc.Close()
	b.cancel(nil)
	return err
}

// logger writes the redacted debug log, one line per Write.
type logger struct {
	mu      sync.Mutex
	w       io.Writer
	secrets []string // literal values masked before Redact
}

// printf writes one redacted line; a nil logger writes nothing.
func (l *logger) printf(format string, args ...any) {
	if l == nil || l.w == nil {
		return
	}
	line := Redact(RedactValues(fmt.Sprintf(format, args...), l.secrets...)) + "\n"
	l.mu.Lock()
	defer l.mu.Unlock()
	io.WriteString(l.w, line)
}

// logTransport logs each request sent and each answer.
type logTransport struct {
	next http.RoundTripper
	log  *logger
}

// RoundTrip logs "-> METHOD url" and "<- STATUS METHOD url (duration)".
func (t *logTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	t.log.printf("-> %s %s", req.Method, req.URL)
	resp, err := t.next.RoundTrip(req)
	d := time.Since(start).Round(time.Millisecond)
	if err != nil {
		t.log.printf("<- error %s %s: %v (%s)", req.Method, req.URL, err, d)
		return nil, err
	}
	t.log.printf("<- %d %s %s (%s)", resp.StatusCode, req.Method, req.URL, d)
	return resp, nil
}
