package oauth

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/internal/clock"
)

// newClock returns the tests' clock: a fake on which sleeping returns at
// once, advancing it (the durations are recorded: see Slept).
func newClock() *clock.Fake { return clock.NewAutoFake(time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)) }

// access is the access token of a Token call.
func access(t httpx.Token, err error) (string, error) { return t.AccessToken, err }

// tokens is what a login left in the cache: the access and refresh tokens.
type tokens struct{ AccessToken, RefreshToken string }

// cached reads m's cache file (the refresh token is in no returned value).
func cached(t *testing.T, m *Manager) tokens {
	t.Helper()
	e, err := readCache(m.CacheFile())
	if err != nil || e == nil {
		t.Fatalf("read the cache: %v (entry %v)", err, e)
	}
	return tokens{AccessToken: e.AccessToken, RefreshToken: e.RefreshToken}
}

// sleepsMatch reports whether the waits got are want, where a negative
// entry -d stands for a jittered backoff of d: any wait in [d/2, d].
func sleepsMatch(got, want []time.Duration) bool {
	if len(got) != len(want) {
		return false
	}
	for i, w := range want {
		if w < 0 && (got[i] < -w/2 || got[i] > -w) || w >= 0 && got[i] != w {
			return false
		}
	}
	return true
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
