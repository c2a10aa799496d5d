package plugins

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aignostics/aignostics/httpx"
)

// A Provider is an httpx token source.
var _ httpx.TokenSource = (*Provider)(nil)

// authServer answers 401 to every bearer token in reject and records the
// tokens it saw.
type authServer struct {
	mu     sync.Mutex
	seen   []string
	reject map[string]bool
}

func (s *authServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	s.seen = append(s.seen, tok)
	s.mu.Unlock()
	if s.reject[tok] {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"detail":"token expired"}`))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"ok":true}`))
}

func TestProviderRerunAfter401(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		reject   map[string]bool
		wantErr  error
		wantSeen []string
		wantRuns int
	}{
		{"new token accepted", `echo "tok-$n"`, map[string]bool{"tok-1": true}, nil, []string{"tok-1", "tok-2"}, 2},
		// The provider hands out the same token again: one re-run, no loop.
		{"same token again", `echo "tok-same"`, map[string]bool{"tok-same": true}, httpx.ErrUnauthorized, []string{"tok-same"}, 2},
		{"new token rejected too", `echo "tok-$n"`, map[string]bool{"tok-1": true, "tok-2": true}, httpx.ErrUnauthorized, []string{"tok-1", "tok-2"}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := &authServer{reject: tc.reject}
			ts := httptest.NewServer(srv)
			defer ts.Close()
			p, count, _ := countingProvider(t, tc.body)
			c, err := httpx.New(httpx.Options{AuthOrigin: ts.URL, Token: p, MaxRetries: -1})
			if err != nil {
				t.Fatal(err)
			}
			var out map[string]any
			err = c.JSON(context.Background(), http.MethodGet, ts.URL+"/api/v1/me", nil, &out)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("JSON error = %v, want %v", err, tc.wantErr)
			}
			srv.mu.Lock()
			seen := append([]string(nil), srv.seen...)
			srv.mu.Unlock()
			if strings.Join(seen, ",") != strings.Join(tc.wantSeen, ",") {
				t.Errorf("server saw tokens %q, want %q", seen, tc.wantSeen)
			}
			if n := runs(t, count); n != tc.wantRuns {
				t.Errorf("provider ran %d times, want %d", n, tc.wantRuns)
			}
			if err != nil && strings.Contains(err.Error(), "tok-") {
				t.Errorf("error %q names a token", err)
			}
		})
	}
}

func TestProviderFailureThroughClient(t *testing.T) {
	srv := &authServer{}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	p, count, _ := countingProvider(t, `echo "sso session expired" >&2; exit 3`)
	c, err := httpx.New(httpx.Options{AuthOrigin: ts.URL, Token: p})
	if err != nil {
		t.Fatal(err)
	}
	err = c.JSON(context.Background(), http.MethodGet, ts.URL+"/api/v1/me", nil, nil)
	var pe *ProviderError
	if !errors.As(err, &pe) || pe.ExitStatus != 3 || !strings.Contains(err.Error(), "sso session expired") {
		t.Fatalf("JSON error = %v, want the *ProviderError", err)
	}
	if len(srv.seen) != 0 || runs(t, count) != 1 {
		t.Errorf("server saw %d requests and the provider ran %d times; want 0 and 1 (no retry of a provider failure)", len(srv.seen), runs(t, count))
	}
}
