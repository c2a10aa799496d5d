// Package retry is the one backoff and retry policy of the module:
// exponential waits with equal jitter from a base, a cap on every wait
// (Retry-After included), a bound on the number of retries, and a callback
// that tells a person what is being waited for ("retrying in 3.5s (2/4)").
// Whether a failure may be retried is the caller's decision: this package
// only decides how long to wait and how often.
package retry

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aignostics/aignostics/internal/clock"
)

// Defaults of a zero Policy.
const (
	DefaultBase    = 3 * time.Second
	DefaultCap     = 30 * time.Second
	DefaultRetries = 4
)

// Policy says how long to wait before each retry and how many there are.
// The zero value is usable: DefaultBase, DefaultCap, DefaultRetries, the
// system clock.
type Policy struct {
	// Base is the wait before the first retry, doubled for each next one
	// (before jitter); zero means DefaultBase.
	Base time.Duration
	// Cap bounds every wait, a server's Retry-After included; zero means
	// DefaultCap. A Cap equal to Base gives waits that do not grow.
	Cap time.Duration
	// Retries is how many times a failed attempt is tried again; zero means
	// DefaultRetries, negative none.
	Retries int
	// Jitter returns a number in [0,1) placing each wait between half of
	// its backoff and all of it; nil means math/rand/v2.
	Jitter func() float64
	// Clock waits; zero means the system clock.
	Clock clock.Clock
	// Notify, when set, is told of each retry before its wait.
	Notify func(Event)
}

// Event is one retry about to happen.
type Event struct {
	Retry   int           // 1 for the first retry
	Retries int           // how many retries there are at most
	Wait    time.Duration // the wait before it
	Err     error         // the failure that is retried
}

// String is the line shown to a person: "<failure>; retrying in 3.5s (2/4)".
func (e Event) String() string {
	return fmt.Sprintf("%v; retrying in %s (%d/%d)", e.Err, e.Wait.Round(100*time.Millisecond), e.Retry, e.Retries)
}

func (p Policy) base() time.Duration {
	if p.Base <= 0 {
		return DefaultBase
	}
	return p.Base
}

func (p Policy) limit() time.Duration {
	if p.Cap <= 0 {
		return DefaultCap
	}
	return p.Cap
}

// Max is the number of retries the policy allows.
func (p Policy) Max() int {
	switch {
	case p.Retries == 0:
		return DefaultRetries
	case p.Retries < 0:
		return 0
	}
	return p.Retries
}

// Delay is the wait before retry number retry (1 for the first): Base
// doubled retry-1 times and capped, with equal jitter (between half of that
// and all of it). A positive retryAfter (a server's Retry-After) replaces
// it, capped, without jitter.
func (p Policy) Delay(retry int, retryAfter time.Duration) time.Duration {
	limit := p.limit()
	if retryAfter > 0 {
		return min(retryAfter, limit)
	}
	d := p.base()
	for i := 1; i < retry && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	r := rand.Float64
	if p.Jitter != nil {
		r = p.Jitter
	}
	return d/2 + time.Duration(r()*float64(d/2))
}

// ErrExhausted is returned by Wait when no retry is left.
var ErrExhausted = errors.New("no retries left")

// Wait waits before retry number retry (1 for the first) after the failure
// cause: it tells Notify and sleeps Delay(retry, retryAfter). It returns
// ErrExhausted at once when retry is past Max, and the context's cause when
// ctx ends during the wait.
func (p Policy) Wait(ctx context.Context, retry int, retryAfter time.Duration, cause error) error {
	if retry > p.Max() {
		return ErrExhausted
	}
	d := p.Delay(retry, retryAfter)
	if p.Notify != nil {
		p.Notify(Event{Retry: retry, Retries: p.Max(), Wait: d, Err: cause})
	}
	return p.Clock.Sleep(ctx, d)
}

// Do calls op until it succeeds, fails with an error not marked by
// Retryable, or the retries are spent, waiting by the policy in between.
// attempt is 0 for the first call. It returns op's last error (without the
// Retryable mark); a wait cut short by ctx returns the context's cause
// joined with that error.
func (p Policy) Do(ctx context.Context, op func(ctx context.Context, attempt int) error) error {
	for attempt := 0; ; attempt++ {
		err := op(ctx, attempt)
		if err == nil {
			return nil
		}
		var r *retryable
		if !errors.As(err, &r) {
			return err
		}
		if ctx.Err() != nil {
			return r.err
		}
		if werr := p.Wait(ctx, attempt+1, r.after, r.err); werr != nil {
			if errors.Is(werr, ErrExhausted) {
				return r.err
			}
			return errors.Join(werr, r.err)
		}
	}
}

// retryable marks an error of op that Do may retry.
type retryable struct {
	err   error
	after time.Duration
}

func (r *retryable) Error() string { return r.err.Error() }
func (r *retryable) Unwrap() error { return r.err }

// Retryable marks err as a failure Do may try again (nil stays nil).
func Retryable(err error) error { return RetryableAfter(err, 0) }

// RetryableAfter is Retryable with the wait the server asked for (0: none).
func RetryableAfter(err error, after time.Duration) error {
	if err == nil {
		return nil
	}
	return &retryable{err: err, after: after}
}

// ParseRetryAfter reads a Retry-After value, seconds or an HTTP date
// relative to now; 0 when absent, in the past or unusable. It is not
// capped: Delay caps it.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		if n > int64(24*time.Hour/time.Second) {
			return 24 * time.Hour // far beyond any cap; no overflow
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}
