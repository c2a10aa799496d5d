package httpx

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"reflect"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aignostics/aignostics/internal/retry"
)

// Do sends req with the retry rules: GET and HEAD retry on 5xx, 429,
// timeouts, resets and other network errors; PUT and DELETE only when the
// request never reached the server or the server answered 5xx/429; POST (and
// PATCH) only when it never reached the server; never on other 4xx. A 401 is
// answered once by a fresh token (see HTTP). A status of 400 or more becomes
// an *APIError (its body read and closed); a network failure a
// *RequestError, matching ErrMaybeSent when a non-idempotent request may have
// taken effect. The caller closes the returned body; each of its reads is
// bounded by the timeout.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	return c.do(req, nil)
}

// JSON sends in (JSON-encoded, when not nil) with method to url and decodes
// the answer into out (when not nil). The body is read and decoded inside
// the retry loop, so a GET whose body is cut off or is not valid JSON is
// retried (JSON of the wrong shape is not: that would not change).
func (c *Client) JSON(ctx context.Context, method, url string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("encode request body of %s %s: %w", method, Redact(url), err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return fmt.Errorf("build request %s %s: %w", method, Redact(url), redactURLError(err))
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	_, err = c.do(req, func(resp *http.Response) error { return decodeBody(resp, out, c.o.MaxAnswer) })
	return err
}

// ErrAnswerTooLarge is wrapped by the error of a JSON answer larger than
// Options.MaxAnswer (a gzip bomb, an endless stream).
var ErrAnswerTooLarge = errors.New("the answer is too large")

// AnswerDeadlineError is the cause of a JSON call whose answer did not
// arrive whole within Options.AnswerTimeout.
type AnswerDeadlineError struct{ After time.Duration }

func (e *AnswerDeadlineError) Error() string {
	return fmt.Sprintf("the answer did not arrive whole within %s", e.After)
}

// Timeout marks it as a timeout.
func (e *AnswerDeadlineError) Timeout() bool { return true }

// AnswerContext bounds an answer the caller reads itself (a request sent
// with HTTP().Do) as JSON bounds each of its attempts: ctx ends after
// Options.AnswerTimeout; end stops the timer and returns the
// *AnswerDeadlineError when it fired.
func (c *Client) AnswerContext(ctx context.Context) (actx context.Context, end func() error) {
	return c.attemptContext(ctx, true)
}

// attemptContext bounds one attempt of a JSON call by AnswerTimeout (on
// the client's clock); end stops the timer and returns the deadline error
// when it fired. Without on, ctx is returned as it is.
func (c *Client) attemptContext(ctx context.Context, on bool) (actx context.Context, end func() error) {
	if !on {
		return ctx, func() error { return nil }
	}
	cctx, cancel := context.WithCancelCause(ctx)
	late := &AnswerDeadlineError{After: c.o.AnswerTimeout}
	t := c.o.Clock.AfterFunc(c.o.AnswerTimeout, func() { cancel(late) })
	return cctx, func() error {
		t.Stop()
		fired := context.Cause(cctx) == late
		cancel(nil)
		if fired {
			return late
		}
		return nil
	}
}

// bodyError is a failure to read or decode a 2xx answer.
type bodyError struct {
	read bool // the body could not be read (cut off, reset, stalled)
	err  error
}

// Error says whether reading or decoding failed.
func (e *bodyError) Error() string {
	if e.read {
		return "read response body: " + e.err.Error()
	}
	return "decode response body: " + e.err.Error()
}

// Unwrap returns the cause.
func (e *bodyError) Unwrap() error { return e.err }

// decodeBody reads the whole body (at most limit bytes, decompressed),
// closes it and decodes it into out.
func decodeBody(resp *http.Response, out any, limit int64) error {
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	resp.Body.Close()
	if err != nil {
		return &bodyError{read: true, err: err}
	}
	if int64(len(data)) > limit {
		return &bodyError{err: fmt.Errorf("%w: more than %d bytes", ErrAnswerTooLarge, limit)}
	}
	if out == nil {
		return nil
	}
	if len(bytes.TrimSpace(data)) == 0 && resp.StatusCode != http.StatusOK {
		return nil // 201/202/204 without a body
	}
	// Decode into a fresh value so a failed attempt leaves out untouched.
	pv := reflect.ValueOf(out)
	if pv.Kind() != reflect.Pointer || pv.IsNil() {
		return &bodyError{err: fmt.Errorf("decode target %T is not a non-nil pointer", out)}
	}
	fresh := reflect.New(pv.Elem().Type())
	if err := json.Unmarshal(data, fresh.Interface()); err != nil {
		return &bodyError{err: err}
	}
	pv.Elem().Set(fresh.Elem())
	return nil
}

// idempotent methods are retried after any network failure.
func idempotent(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

// retryOnStatus reports whether method may be retried after a 5xx or 429.
func retryOnStatus(method string) bool {
	return idempotent(method) || method == http.MethodPut || method == http.MethodDelete
}

// do is the retry loop shared by Do and JSON; consume (JSON) reads a 2xx
// body inside the loop.
func (c *Client) do(req *http.Request, consume func(*http.Response) error) (*http.Response, error) {
	ctx := req.Context()
	method, where := req.Method, Redact(req.URL.String())
	maxRetries := c.o.MaxRetries
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		maxRetries = 0 // the body cannot be sent twice
	}
	for attempt := 0; ; attempt++ {
		var sent atomic.Bool
		actx, endAttempt := c.attemptContext(ctx, consume != nil)
		r := req.WithContext(httptrace.WithClientTrace(actx, &httptrace.ClientTrace{
			GotConn: func(httptrace.GotConnInfo) { sent.Store(true) },
		}))
		if attempt > 0 && req.GetBody != nil {
			b, err := req.GetBody()
			if err != nil {
				return nil, &RequestError{Method: method, URL: where, Err: fmt.Errorf("rewind request body: %w", err)}
			}
			r.Body = b
		}
		resp, err := c.hc.Do(r)
		var (
			again bool
			wait  time.Duration
			final error
		)
		switch {
		case err != nil:
			err = unwrapURLError(err)
			var te *tokenError
			if errors.As(err, &te) {
				return nil, fmt.Errorf("%s %s: %w", method, where, te)
			}
			maybe := !idempotent(method) && sent.Load()
			if ctx.Err() != nil {
				return nil, &RequestError{Method: method, URL: where, Err: context.Cause(ctx), MaybeSent: maybe}
			}
			again = retryableNetError(err) && (idempotent(method) || !sent.Load())
			final = &RequestError{Method: method, URL: where, Err: err, MaybeSent: maybe}
		case resp.StatusCode >= 400:
			apiErr := newAPIError(method, req.URL.String(), resp)
			again = (resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests) && retryOnStatus(method)
			if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
				wait = retry.ParseRetryAfter(resp.Header.Get("Retry-After"), c.o.Clock.Now())
			}
			final = apiErr
		case consume == nil:
			return resp, nil
		default:
			err := consume(resp)
			if err == nil {
				endAttempt()
				return resp, nil
			}
			// The server answered 2xx: a non-idempotent request took effect,
			// but its answer is lost.
			if ctx.Err() != nil {
				return nil, &RequestError{Method: method, URL: where, Err: context.Cause(ctx), MaybeSent: !idempotent(method)}
			}
			var be *bodyError
			readFail := errors.As(err, &be) && be.read
			var syntax *json.SyntaxError
			again = idempotent(method) && (readFail || errors.As(err, &syntax))
			final = &RequestError{Method: method, URL: where, Err: err, MaybeSent: readFail && !idempotent(method)}
		}
		if late := endAttempt(); late != nil && ctx.Err() == nil {
			// Not retried: a server that trickles its answer would hold
			// the command for every attempt.
			return nil, &RequestError{Method: method, URL: where, Err: late, MaybeSent: !idempotent(method) && sent.Load()}
		}
		if !again || attempt >= maxRetries {
			return nil, final
		}
		if err := c.policy(maxRetries).Wait(ctx, attempt+1, wait, final); err != nil {
			return nil, &RequestError{Method: method, URL: where, Err: fmt.Errorf("waiting to retry after %v: %w", final, err)}
		}
	}
}

// policy is the retry policy of a request that may be retried maxRetries
// times: the debug log and Notify hear of each retry.
func (c *Client) policy(maxRetries int) retry.Policy {
	return retry.Policy{
		Base: c.o.RetryBase, Cap: MaxBackoff, Retries: max(maxRetries, 1), Jitter: c.o.Rand, Clock: c.o.Clock,
		Notify: func(ev retry.Event) {
			c.log.printf("retry %d/%d in %s: %v", ev.Retry, ev.Retries, ev.Wait, ev.Err)
			if c.o.Notify != nil {
				c.o.Notify(Redact(RedactValues(ev.String(), c.o.Secrets...)))
			}
		},
	}
}

// unwrapURLError removes the *url.Error that http.Client adds (its message
// holds the unredacted URL).
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// retryableNetError reports whether a failure without an answer may go
// away on its own: not certificate problems, unknown hosts, bad URLs or
// redirect loops.
func retryableNetError(err error) bool {
	var (
		unknownAuthority x509.UnknownAuthorityError
		hostname         x509.HostnameError
		invalid          x509.CertificateInvalidError
		verify           *tls.CertificateVerificationError
		record           tls.RecordHeaderError
		cfg              *ConfigError
		dns              *net.DNSError
		addr             *net.AddrError
	)
	if errors.As(err, &dns) && dns.IsNotFound {
		return false // a host that does not exist will not appear on retry
	}
	if errors.As(err, &addr) {
		return false // a malformed address stays malformed
	}
	if errors.Is(err, ErrCrossOriginRedirect) {
		return false
	}
	switch {
	case errors.As(err, &unknownAuthority), errors.As(err, &hostname), errors.As(err, &invalid),
		errors.As(err, &verify), errors.As(err, &record), errors.As(err, &cfg):
		return false
	}
	msg := err.Error()
	for _, s := range []string{"unsupported protocol scheme", "stopped after", "no Host in request URL", "invalid header field"} {
		if strings.Contains(msg, s) {
			return false
		}
	}
	return true
}
