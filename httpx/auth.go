package httpx

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// origin returns "scheme://host:port" in lower case with the default port
// made explicit, "" for a URL without scheme or host.
func origin(u *url.URL) string {
	if u == nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[scheme]
	}
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return scheme + "://" + host + ":" + port
}

// originOf parses s and returns its origin ("" when it does not parse).
func originOf(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return ""
	}
	return origin(u)
}

// tokenError marks a failure of the TokenSource so it is neither retried
// nor mistaken for a network error.
type tokenError struct{ err error }

// Error names the token failure.
func (e *tokenError) Error() string { return "get access token: " + e.err.Error() }

// Unwrap returns the TokenSource error.
func (e *tokenError) Unwrap() error { return e.err }

// authTransport sets the user agent, sends the bearer token only to the
// API's origin, strips credentials from redirects to another origin (and
// the Referer from every redirect), and on
// a 401 invalidates the token and re-sends once with a new one.
type authTransport struct {
	next   http.RoundTripper
	ua     string
	origin string // normalised AuthOrigin
	tokens TokenSource
}

// RoundTrip never modifies req; it sends a clone.
func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	if r.Header.Get("User-Agent") == "" {
		r.Header.Set("User-Agent", t.ua)
	}
	if req.Response != nil {
		// net/http sets Referer to the URL redirected from, query and all:
		// a share token or a signature there would go along.
		r.Header.Del("Referer")
	}
	if req.Response != nil && origin(firstRequest(req).URL) != origin(req.URL) {
		r.Header.Del("Authorization")
		r.Header.Del("Cookie")
	}
	if t.tokens == nil || t.origin == "" || r.Header.Get("Authorization") != "" || origin(r.URL) != t.origin {
		return t.next.RoundTrip(r)
	}
	ctx := req.Context()
	tok, err := t.tokens.Token(ctx)
	if err != nil {
		return nil, &tokenError{err}
	}
	r.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err := t.next.RoundTrip(r)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	t.tokens.Invalidate(tok.AccessToken)
	fresh, err := t.tokens.Token(ctx)
	if err != nil {
		discard(resp)
		return nil, &tokenError{err}
	}
	if fresh.AccessToken == tok.AccessToken || (req.Body != nil && req.Body != http.NoBody && req.GetBody == nil) {
		return resp, nil
	}
	r2 := req.Clone(ctx)
	if req.GetBody != nil {
		if r2.Body, err = req.GetBody(); err != nil {
			return resp, nil
		}
	}
	discard(resp)
	if r2.Header.Get("User-Agent") == "" {
		r2.Header.Set("User-Agent", t.ua)
	}
	r2.Header.Set("Authorization", "Bearer "+fresh.AccessToken)
	return t.next.RoundTrip(r2)
}

// firstRequest follows a redirect chain back to the request the caller made.
func firstRequest(r *http.Request) *http.Request {
	for r.Response != nil && r.Response.Request != nil {
		r = r.Response.Request
	}
	return r
}

// discard drains a little of a response body (so the connection can be
// reused) and closes it.
func discard(resp *http.Response) {
	io.CopyN(io.Discard, resp.Body, 4<<10)
	resp.Body.Close()
}

// checkAuthOrigin validates Options.AuthOrigin.
func checkAuthOrigin(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	o := originOf(s)
	if o == "" {
		return "", &ConfigError{Setting: "AuthOrigin", Path: s, Err: fmt.Errorf("want scheme://host[:port]")}
	}
	return o, nil
}

// ErrCrossOriginRedirect is wrapped by the error of a request whose body
// (a token grant with its refresh token or device code, an upload) a
// server redirected to another origin: 307 and 308 re-send the body, so
// such a redirect is never followed.
var ErrCrossOriginRedirect = errors.New("refused to follow a redirect that re-sends the request body to another origin")

// maxRedirects is how many redirects one request follows.
const maxRedirects = 10

// CheckRedirect is the redirect policy of every client httpx builds (an
// http.Client.CheckRedirect for clients built elsewhere): at most
// maxRedirects, and never a body to another origin. (Headers that carry
// credentials are removed from redirects to another origin by
// authTransport.)
func CheckRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return fmt.Errorf("stopped after %d redirects", maxRedirects)
	}
	if req.Body != nil && req.Body != http.NoBody && origin(req.URL) != origin(via[0].URL) {
		return fmt.Errorf("%w (%s %s to %s)", ErrCrossOriginRedirect, req.Method, Redact(redactQuery(via[0].URL)), Redact(redactQuery(req.URL)))
	}
	return nil
}

// redactQuery is u without its query and fragment, for messages.
func redactQuery(u *url.URL) string {
	v := *u
	v.RawQuery, v.Fragment, v.User = "", "", nil
	return v.String()
}
