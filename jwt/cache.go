package jwt

import (
	"context"
	"crypto/rsa"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/aignostics/aignostics/internal/clock"
)

const (
	// CacheTTL is how long a fetched key set is used before it is fetched again.
	CacheTTL = 24 * time.Hour
	// RefetchInterval is the least time between two fetches of a key set that is
	// already held (for an unknown kid or after the TTL).
	RefetchInterval = time.Minute
	// maxJWKSSize bounds the JWKS document read from the network.
	maxJWKSSize = 1 << 20
)

// Cache is a KeySet backed by a JWKS URL. The set is kept for CacheTTL; an unknown
// kid causes one re-fetch, and re-fetches happen at most once per RefetchInterval
// (the first fetch does not count, so a key rotated in just after start is found);
// when a re-fetch fails the last good set keeps being served. Until a first fetch
// succeeds every lookup tries again. Concurrent callers share one fetch.
type Cache struct {
	url    string
	client *http.Client
	clock  clock.Clock

	mu        sync.Mutex
	keys      map[string]*rsa.PublicKey // last good set; nil before the first success
	fetched   time.Time                 // when keys was fetched
	attempted time.Time                 // start of the last re-fetch (a fetch while a set is held)
	flight    *flight                   // the fetch in progress, if any
}

// flight is one fetch shared by every caller that needs it.
type flight struct {
	done chan struct{}
	err  error
}

// CacheOptions configure a Cache. The zero value is ready to use.
type CacheOptions struct {
	Client *http.Client // fetches the key set; nil: http.DefaultClient
	Clock  clock.Clock  // ages the key set; zero: the system clock
}

// NewCache returns a Cache for the JWKS at jwksURL.
func NewCache(jwksURL string, o CacheOptions) *Cache {
	if o.Client == nil {
		o.Client = http.DefaultClient
	}
	return &Cache{url: jwksURL, client: o.Client, clock: o.Clock}
}

// Key returns the key for kid, fetching the key set when it is missing, expired,
// or lacks kid (rate-limited). It wraps ErrUnknownKey when the kid stays unknown.
func (c *Cache) Key(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	c.mu.Lock()
	if k, ok, done := c.cached(kid); done {
		c.mu.Unlock()
		if !ok {
			return nil, fmt.Errorf("look up kid %q: %w", clip(kid), ErrUnknownKey)
		}
		return k, nil
	}
	f := c.flight
	if f == nil {
		f = c.start(ctx)
	}
	c.mu.Unlock()

	select {
	case <-f.done:
	case <-ctx.Done():
		return nil, fmt.Errorf("look up kid %q: %w", clip(kid), ctx.Err())
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	if k, ok := c.keys[kid]; ok {
		return k, nil // fresh, or the last good set when the fetch failed
	}
	switch {
	case f.err != nil && c.keys == nil:
		return nil, fmt.Errorf("look up kid %q: %w", clip(kid), f.err)
	case f.err != nil:
		return nil, fmt.Errorf("look up kid %q: %w (refreshing the key set failed: %v)", clip(kid), ErrUnknownKey, f.err)
	}
	return nil, fmt.Errorf("look up kid %q: %w", clip(kid), ErrUnknownKey)
}

// cached answers from the held set when no fetch is due or allowed. done is false
// when the caller must fetch (or join a fetch). c.mu must be held.
func (c *Cache) cached(kid string) (key *rsa.PublicKey, ok, done bool) {
	if c.keys == nil {
		return nil, false, false
	}
	now := c.clock.Now()
	key, ok = c.keys[kid]
	if ok && now.Sub(c.fetched) < CacheTTL {
		return key, true, true
	}
	if c.flight == nil && !c.attempted.IsZero() && now.Sub(c.attempted) < RefetchInterval {
		return key, ok, true // rate-limited: serve what is held
	}
	return nil, false, false
}

// start begins a fetch in the background of the calling goroutine's wait.
// c.mu must be held.
func (c *Cache) start(ctx context.Context) *flight {
	f := &flight{done: make(chan struct{})}
	c.flight = f
	prev := c.attempted
	if c.keys != nil {
		c.attempted = c.clock.Now() // the first fetch does not count against the re-fetch limit
	}
	go func() {
		keys, err := c.fetch(ctx)
		c.mu.Lock()
		defer c.mu.Unlock()
		if err == nil {
			c.keys = keys
			c.fetched = c.clock.Now()
		} else if ctx.Err() != nil {
			c.attempted = prev // the caller gave up; that was no real attempt
		}
		f.err = err
		c.flight = nil
		close(f.done)
	}()
	return f
}

// fetch downloads and decodes the key set.
func (c *Cache) fetch(ctx context.Context) (map[string]*rsa.PublicKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch JWKS %s: %w", c.url, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch JWKS: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return nil, fmt.Errorf("fetch JWKS %s: HTTP %d", c.url, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSSize+1))
	if err != nil {
		return nil, fmt.Errorf("fetch JWKS %s: read body: %w", c.url, err)
	}
	if len(body) > maxJWKSSize {
		return nil, fmt.Errorf("fetch JWKS %s: document larger than %d bytes", c.url, maxJWKSSize)
	}
	keys, err := ParseJWKS(body)
	if err != nil {
		return nil, fmt.Errorf("fetch JWKS %s: %w", c.url, err)
	}
	return keys, nil
}
