package oauth

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// sleeps records the durations a flow asked to sleep, without sleeping.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
	// hook runs on each sleep (e.g. to free a port); nil means nothing.
	hook func(n int)
}

func (s *sleeps) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	n := len(s.d)
	hook := s.hook
	s.mu.Unlock()
	if hook != nil {
		hook(n)
	}
	return ctx.Err()
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// syncBuffer is a goroutine-safe stderr that can wait for text to appear.
type syncBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	notify chan struct{}
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{notify: make(chan struct{}, 1)} }

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := s.b.Write(p)
	select {
	case s.notify <- struct{}{}:
	default:
	}
	return n, err
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitLine waits until a line starting with prefix was written and returns it.
func (s *syncBuffer) waitLine(t *testing.T, ctx context.Context, prefix string) string {
	t.Helper()
	for {
		for _, l := range strings.Split(s.String(), "\n") {
			if strings.HasPrefix(l, prefix) {
				return l
			}
		}
		select {
		case <-s.notify:
		case <-ctx.Done():
			t.Fatalf("no line starting with %q in stderr:\n%s", prefix, s.String())
		}
	}
}

// noSecrets fails when any of the secrets appears in text.
func noSecrets(t *testing.T, what, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("%s contains a secret value", what)
		}
	}
}
