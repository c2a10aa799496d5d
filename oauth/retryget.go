package oauth

import (
	"io"
	"net/http"
	"time"

	"github.com/aignostics/aignostics/internal/clock"
)

// getRetries is how many times a failed GET (the JWKS) is tried again.
const getRetries = 3

// retryingGETs returns a client like hc whose GET requests are retried with
// backoff after a network error, a 5xx or a 429: the JWKS is needed to
// verify a new token, and one lost answer must not fail a login. Other
// methods pass through untouched (token requests have their own rules).
func retryingGETs(hc *http.Client, backoff time.Duration, clk clock.Clock) *http.Client {
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c := *hc
	c.Transport = &getRetrier{base: base, backoff: backoff, clock: clk}
	return &c
}

// getRetrier is the transport of retryingGETs.
type getRetrier struct {
	base    http.RoundTripper
	backoff time.Duration
	clock   clock.Clock
}

// RoundTrip sends req, again after a transient failure when it is a GET.
func (g *getRetrier) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet {
		return g.base.RoundTrip(req)
	}
	wait := g.backoff
	for attempt := 0; ; attempt++ {
		resp, err := g.base.RoundTrip(req)
		transient := err != nil || resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests
		if !transient || attempt == getRetries || req.Context().Err() != nil {
			return resp, err
		}
		if resp != nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
		}
		if err := g.clock.Sleep(req.Context(), wait); err != nil {
			return nil, err
		}
		wait *= 2
	}
}
