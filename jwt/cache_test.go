package jwt

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aignostics/aignostics/internal/clock"
)

// jwksServer serves a changeable JWKS over loopback HTTP and counts fetches.
type jwksServer struct {
	*httptest.Server
	fetches atomic.Int32
	mu      sync.Mutex
	keys    map[string]*rsa.PublicKey
	status  int           // 0: 200
	body    string        // overrides the JWKS when set
	block   chan struct{} // when set, requests wait for it to close
	arrived chan struct{} // receives once per request (buffered)
}

func newJWKSServer(t *testing.T, keys map[string]*rsa.PublicKey) *jwksServer {
	s := &jwksServer{keys: keys, arrived: make(chan struct{}, 64)}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fetches.Add(1)
		s.mu.Lock()
		block, status, body := s.block, s.status, s.body
		var set JWKS
		for kid, k := range s.keys {
			set.Keys = append(set.Keys, PublicJWK(kid, k))
		}
		s.mu.Unlock()
		select {
		case s.arrived <- struct{}{}:
		default:
		}
		if block != nil {
			select {
			case <-block:
			case <-r.Context().Done():
				return
			}
		}
		if status != 0 {
			http.Error(w, "down", status)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if body != "" {
			_, _ = w.Write([]byte(body))
			return
		}
		_ = json.NewEncoder(w).Encode(set)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) set(f func(s *jwksServer)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

func newTestCache(t *testing.T, srv *jwksServer) (*Cache, *clock.Fake) {
	clk := clock.NewFake(testNow)
	return NewCache(srv.URL+"/.well-known/jwks.json", CacheOptions{Client: srv.Client(), Clock: clk.Clock()}), clk
}

func wantKey(t *testing.T, c *Cache, kid string, want *rsa.PublicKey) {
	t.Helper()
	got, err := c.Key(context.Background(), kid)
	if err != nil {
		t.Fatalf("Key(%q): %v", kid, err)
	}
	if !got.Equal(want) {
		t.Fatalf("Key(%q) returned another key", kid)
	}
}

func wantFetches(t *testing.T, s *jwksServer, n int32) {
	t.Helper()
	if got := s.fetches.Load(); got != n {
		t.Fatalf("fetches = %d, want %d", got, n)
	}
}

func TestCacheTTL(t *testing.T) {
	k := keys(t)
	srv := newJWKSServer(t, map[string]*rsa.PublicKey{"k1": &k.main.PublicKey})
	c, clk := newTestCache(t, srv)
	wantKey(t, c, "k1", &k.main.PublicKey)
	wantFetches(t, srv, 1)
	clk.Advance(CacheTTL - time.Second)
	wantKey(t, c, "k1", &k.main.PublicKey)
	wantFetches(t, srv, 1)
	// The set expires: the next lookup fetches again and picks up the new content.
	srv.set(func(s *jwksServer) { s.keys = map[string]*rsa.PublicKey{"k1": &k.other.PublicKey} })
	clk.Advance(time.Second)
	wantKey(t, c, "k1", &k.other.PublicKey)
	wantFetches(t, srv, 2)
	wantKey(t, c, "k1", &k.other.PublicKey)
	wantFetches(t, srv, 2)
}

func TestCacheUnknownKidRefetchRateLimited(t *testing.T) {
	k := keys(t)
	srv := newJWKSServer(t, map[string]*rsa.PublicKey{"k1": &k.main.PublicKey})
	c, clk := newTestCache(t, srv)
	wantKey(t, c, "k1", &k.main.PublicKey)
	wantFetches(t, srv, 1)

	// Unknown kid right after the first fetch: exactly one re-fetch, then ErrUnknownKey.
	if _, err := c.Key(context.Background(), "k2"); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("Key(k2) = %v, want ErrUnknownKey", err)
	}
	wantFetches(t, srv, 2)
	// Within the minute: no further fetch, for any unknown kid.
	clk.Advance(59 * time.Second)
	for _, kid := range []string{"k2", "k3", "k2"} {
		if _, err := c.Key(context.Background(), kid); !errors.Is(err, ErrUnknownKey) {
			t.Fatalf("Key(%s) = %v, want ErrUnknownKey", kid, err)
		}
	}
	wantFetches(t, srv, 2)
	// Known keys are still served from the cache.
	wantKey(t, c, "k1", &k.main.PublicKey)
	wantFetches(t, srv, 2)
	// The key is rotated in; after the minute the unknown kid triggers a fetch that finds it.
	srv.set(func(s *jwksServer) { s.keys["k2"] = &k.other.PublicKey })
	clk.Advance(time.Second)
	wantKey(t, c, "k2", &k.other.PublicKey)
	wantFetches(t, srv, 3)
	wantKey(t, c, "k2", &k.other.PublicKey)
	wantKey(t, c, "k1", &k.main.PublicKey)
	wantFetches(t, srv, 3)
}

func TestCacheServesStaleOnFailure(t *testing.T) {
	k := keys(t)
	srv := newJWKSServer(t, map[string]*rsa.PublicKey{"k1": &k.main.PublicKey})
	c, clk := newTestCache(t, srv)
	wantKey(t, c, "k1", &k.main.PublicKey)
	for _, fail := range []func(s *jwksServer){
		func(s *jwksServer) { s.status = http.StatusInternalServerError },
		func(s *jwksServer) { s.status = 0; s.body = `{"keys":[{"kty":"EC","kid":"k1"}]}` },
		func(s *jwksServer) { s.body = `not json` },
	} {
		srv.set(fail)
		before := srv.fetches.Load()
		clk.Advance(CacheTTL + time.Hour)
		wantKey(t, c, "k1", &k.main.PublicKey) // expired, refetch fails, last good set served
		wantFetches(t, srv, before+1)
		wantKey(t, c, "k1", &k.main.PublicKey) // rate-limited: no new attempt
		wantFetches(t, srv, before+1)
		_, err := c.Key(context.Background(), "k9")
		if !errors.Is(err, ErrUnknownKey) {
			t.Fatalf("Key(k9) = %v, want ErrUnknownKey", err)
		}
		wantFetches(t, srv, before+1)
		clk.Advance(RefetchInterval)
		_, err = c.Key(context.Background(), "k9")
		if !errors.Is(err, ErrUnknownKey) || !strings.Contains(err.Error(), "refreshing the key set failed") {
			t.Fatalf("Key(k9) after failed refetch = %v", err)
		}
		wantFetches(t, srv, before+2)
	}
	// Recovery: the next allowed fetch replaces the set.
	srv.set(func(s *jwksServer) { s.body = ""; s.keys = map[string]*rsa.PublicKey{"k2": &k.other.PublicKey} })
	clk.Advance(RefetchInterval)
	wantKey(t, c, "k2", &k.other.PublicKey)
	if _, err := c.Key(context.Background(), "k1"); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("Key(k1) after rotation = %v, want ErrUnknownKey", err)
	}
}

func TestCacheFirstFetchFails(t *testing.T) {
	k := keys(t)
	srv := newJWKSServer(t, map[string]*rsa.PublicKey{"k1": &k.main.PublicKey})
	srv.set(func(s *jwksServer) { s.status = http.StatusBadGateway })
	c, _ := newTestCache(t, srv)
	_, err := c.Key(context.Background(), "k1")
	if err == nil || errors.Is(err, ErrUnknownKey) || !strings.Contains(err.Error(), "HTTP 502") {
		t.Fatalf("Key = %v, want the fetch error", err)
	}
	// Without a good set there is nothing to serve: the next call tries again.
	srv.set(func(s *jwksServer) { s.status = 0 })
	wantKey(t, c, "k1", &k.main.PublicKey)
	wantFetches(t, srv, 2)
}

func TestCacheOversizedDocument(t *testing.T) {
	srv := newJWKSServer(t, nil)
	srv.set(func(s *jwksServer) { s.body = `{"keys":[],"pad":"` + strings.Repeat("a", maxJWKSSize) + `"}` })
	c, _ := newTestCache(t, srv)
	if _, err := c.Key(context.Background(), "k1"); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("Key = %v, want size error", err)
	}
}

func TestCacheConcurrentSingleFetch(t *testing.T) {
	k := keys(t)
	srv := newJWKSServer(t, map[string]*rsa.PublicKey{"k1": &k.main.PublicKey})
	release := make(chan struct{})
	srv.set(func(s *jwksServer) { s.block = release })
	c, _ := newTestCache(t, srv)
	const n = 16
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Key(context.Background(), "k1")
			errs <- err
		}()
	}
	// Wait until the one fetch reached the server, then let it answer.
	<-srv.arrived
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Key: %v", err)
		}
	}
	wantFetches(t, srv, 1)
}

func TestCacheContextCancelled(t *testing.T) {
	k := keys(t)
	srv := newJWKSServer(t, map[string]*rsa.PublicKey{"k1": &k.main.PublicKey})
	release := make(chan struct{})
	srv.set(func(s *jwksServer) { s.block = release })
	t.Cleanup(func() { close(release) })
	c, _ := newTestCache(t, srv)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Key(ctx, "k1"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Key = %v, want context.Canceled", err)
	}
}

func TestVerifyWithCache(t *testing.T) {
	k := keys(t)
	srv := newJWKSServer(t, map[string]*rsa.PublicKey{"k1": &k.main.PublicKey, "weak": &k.weak.PublicKey})
	c, _ := newTestCache(t, srv)
	s := mustSign(t, k.main, "k1", claimsAt(nil))
	if _, err := Verify(context.Background(), s, c, defaultOpts()); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	s = mustSign(t, k.weak, "weak", claimsAt(nil))
	if _, err := Verify(context.Background(), s, c, defaultOpts()); !errors.Is(err, ErrWeakKey) {
		t.Fatalf("Verify(weak) = %v, want ErrWeakKey", err)
	}
	// alg=none never reaches the network.
	none := b64json(t, map[string]string{"alg": "none", "kid": "zz"}) + "." + b64json(t, claimsAt(nil)) + "."
	if _, err := Verify(context.Background(), none, c, defaultOpts()); !errors.Is(err, ErrAlgorithm) {
		t.Fatalf("Verify(none) = %v, want ErrAlgorithm", err)
	}
	wantFetches(t, srv, 1)
}

func TestCacheKeyRotatedRightAfterStart(t *testing.T) {
	k := keys(t)
	srv := newJWKSServer(t, map[string]*rsa.PublicKey{"k1": &k.main.PublicKey})
	c, _ := newTestCache(t, srv)
	wantKey(t, c, "k1", &k.main.PublicKey)
	srv.set(func(s *jwksServer) { s.keys["k2"] = &k.other.PublicKey })
	// No clock movement: the first re-fetch is allowed at once.
	wantKey(t, c, "k2", &k.other.PublicKey)
	wantFetches(t, srv, 2)
	srv.set(func(s *jwksServer) { s.keys["k3"] = &k.main.PublicKey })
	if _, err := c.Key(context.Background(), "k3"); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("Key(k3) = %v, want ErrUnknownKey (rate-limited)", err)
	}
	wantFetches(t, srv, 2)
}

func TestCacheConcurrentUnknownKidsOneRefetch(t *testing.T) {
	k := keys(t)
	srv := newJWKSServer(t, map[string]*rsa.PublicKey{"k1": &k.main.PublicKey})
	c, _ := newTestCache(t, srv)
	wantKey(t, c, "k1", &k.main.PublicKey)
	<-srv.arrived
	release := make(chan struct{})
	srv.set(func(s *jwksServer) { s.block = release; s.keys["k5"] = &k.other.PublicKey })
	const n = 16
	type result struct {
		kid string
		key *rsa.PublicKey
		err error
	}
	results := make(chan result, n)
	for i := range n {
		kid := fmt.Sprintf("k%d", i+2)
		go func() {
			key, err := c.Key(context.Background(), kid)
			results <- result{kid, key, err}
		}()
	}
	<-srv.arrived // the one re-fetch is in flight
	close(release)
	for range n {
		r := <-results
		switch {
		case r.kid == "k5" && r.err == nil && r.key.Equal(&k.other.PublicKey):
		case r.kid == "k5":
			// k5 may have asked after the re-fetch finished: then it is found too.
			t.Errorf("Key(k5) = %v, %v", r.key, r.err)
		case !errors.Is(r.err, ErrUnknownKey):
			t.Errorf("Key(%s) = %v, want ErrUnknownKey", r.kid, r.err)
		}
	}
	wantFetches(t, srv, 2)
}
