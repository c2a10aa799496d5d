package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aignostics/aignostics/httpx"
)

const maxBody = 1 << 20

// tokenResponse is a successful token endpoint answer (RFC 6749 section 5.1).
type tokenResponse struct {
	AccessToken  string      `json:"access_token"`
	TokenType    string      `json:"token_type"`
	RefreshToken string      `json:"refresh_token"`
	ExpiresIn    json.Number `json:"expires_in"`
	Scope        string      `json:"scope"`
}

// errorResponse is an OAuth error body; Interval is sent with slow_down by some servers.
type errorResponse struct {
	Error       string      `json:"error"`
	Description string      `json:"error_description"`
	Interval    json.Number `json:"interval"`
}

// postForm posts form to endpoint and decodes a 2xx JSON answer into out.
// A non-2xx answer becomes a *TokenError (with the server's interval, if
// any, returned too). Transport failures are returned wrapped, unredacted of
// nothing secret: the form is never part of an error.
func postForm(ctx context.Context, hc *http.Client, name, endpoint string, form url.Values, out any) (interval time.Duration, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, fmt.Errorf("build %s request: %w", name, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	var sent atomic.Bool // a connection was had: the request may have reached the server
	req = req.WithContext(httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { sent.Store(true) },
	}))
	resp, err := hc.Do(req)
	if errors.Is(err, httpx.ErrCrossOriginRedirect) {
		// The server answered with a redirect that would carry the grant
		// elsewhere: it did not take the grant, and nothing was re-sent.
		return 0, fmt.Errorf("call %s endpoint: %w", name, stripURLError(err))
	}
	if err != nil {
		return 0, &transportError{name: name, err: stripURLError(err), sent: sent.Load()}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return 0, &transportError{name: name, err: stripURLError(err), sent: true}
	}
	if resp.StatusCode/100 != 2 {
		te := &TokenError{Endpoint: name, StatusCode: resp.StatusCode}
		var er errorResponse
		if json.Unmarshal(body, &er) == nil {
			te.Code, te.Description = er.Error, clip(er.Description)
			if n, err := strconv.ParseFloat(string(er.Interval), 64); err == nil && n > 0 {
				interval = time.Duration(min(n, 3600) * float64(time.Second))
			}
		} else if v, err := url.ParseQuery(string(body)); err == nil && v.Get("error") != "" {
			te.Code, te.Description = v.Get("error"), clip(v.Get("error_description"))
		}
		// A failing server may echo what it was sent (the refresh token,
		// the device code, the code verifier): never repeat it.
		var sent []string
		for _, k := range []string{"refresh_token", "device_code", "code", "code_verifier", "client_secret", "token"} {
			sent = append(sent, form.Get(k))
		}
		te.Code = httpx.Redact(httpx.RedactValues(te.Code, sent...))
		te.Description = httpx.Redact(httpx.RedactValues(te.Description, sent...))
		return interval, te
	}
	if err := json.Unmarshal(body, out); err != nil {
		// The server took the request and answered something unusable:
		// as good as a lost answer (a refresh token may have been rotated).
		return 0, &transportError{name: name, sent: true,
			err: fmt.Errorf("decode answer (status %d): %w", resp.StatusCode, errors.New("not a JSON object of the expected form"))}
	}
	return 0, nil
}

// transportError is a failure to get any answer from the server; such
// failures are retried where the flow allows.
type transportError struct {
	name string
	err  error
	sent bool // the request may have reached the server
}

func (e *transportError) Error() string { return fmt.Sprintf("call %s endpoint: %v", e.name, e.err) }
func (e *transportError) Unwrap() error { return e.err }

// retryable reports whether err is a transport failure or a 5xx/429 answer.
func retryable(err error) bool {
	var te *transportError
	if errors.As(err, &te) {
		return !errors.Is(err, context.Canceled)
	}
	var oe *TokenError
	if errors.As(err, &oe) {
		return oe.StatusCode >= 500 || oe.StatusCode == http.StatusTooManyRequests
	}
	return false
}

// neverSent reports whether err is a failure to reach the server at all
// (no connection was made), so the request cannot have taken effect.
func neverSent(err error) bool {
	var te *transportError
	return errors.As(err, &te) && !te.sent && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}

// stripURLError drops the URL from a *url.Error (it is ours and known) so
// that only the cause remains.
func stripURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s %s: %w", ue.Op, redactURL(ue.URL), ue.Err)
	}
	return err
}

// redactURL removes the query (which may carry codes) from a URL for messages.
func redactURL(s string) string {
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		return s[:i]
	}
	return s
}

func clip(s string) string {
	if len(s) > 300 {
		return s[:300] + "..."
	}
	return s
}

// lifetime returns the expires_in of a token response, or 0.
func (r *tokenResponse) lifetime() time.Duration {
	n, err := strconv.ParseFloat(string(r.ExpiresIn), 64)
	if err != nil || n <= 0 {
		return 0
	}
	return time.Duration(n * float64(time.Second))
}
