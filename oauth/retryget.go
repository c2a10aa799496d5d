package oauth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/aignostics/aignostics/internal/retry"
)

// getRetries is how many times a failed GET (the JWKS) is tried again.
const getRetries = 3

// retryingGETs returns a client like hc whose GET requests are retried by
// policy after a network error, a 5xx or a 429: the JWKS is needed to
// verify a new token, and one lost answer must not fail a login. Other
// methods pass through untouched (token requests have their own rules).
func retryingGETs(hc *http.Client, policy retry.Policy) *http.Client {
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c := *hc
	c.Transport = &getRetrier{base: base, policy: policy}
	return &c
}

// getRetrier is the transport of retryingGETs.
type getRetrier struct {
	base   http.RoundTripper
	policy retry.Policy
}

// errTransient is the stand-in error of a 5xx or 429 answer being retried.
var errTransient = errors.New("transient answer")

// RoundTrip sends req, again after a transient failure when it is a GET.
func (g *getRetrier) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet {
		return g.base.RoundTrip(req)
	}
	var resp *http.Response
	err := g.policy.Do(req.Context(), func(ctx context.Context, attempt int) error {
		var err error
		resp, err = g.base.RoundTrip(req)
		switch {
		case err != nil:
			return retry.Retryable(err)
		case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
			if attempt == g.policy.Max() {
				return nil // the last answer is the caller's to read
			}
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
			return retry.Retryable(fmt.Errorf("GET %s: %w: %s", redactURL(req.URL.String()), errTransient, resp.Status))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return resp, nil
}
