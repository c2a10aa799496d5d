package oauth

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// pkceFlow is the Authorization Code grant with PKCE (RFC 7636) on a
// loopback redirect (RFC 8252).
type pkceFlow struct {
	m       *Manager
	browser bool // open the URL in a browser
	sshHint bool // no browser and no device client: hint at port forwarding
}

func (p *pkceFlow) clientID() string { return p.m.c.ClientIDInteractive }

// randomString is n random bytes, base64url without padding.
func randomString(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("read random bytes: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// s256 is the S256 code challenge of a verifier.
func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// authorizeURL builds the authorization request.
func (m *Manager) authorizeURL(challenge, state string) (string, error) {
	u, err := url.Parse(m.c.AuthorizeURL)
	if err != nil {
		return "", fmt.Errorf("parse authorize URL: %w", err)
	}
	q := u.Query()
	q.Set("client_id", m.c.ClientIDInteractive)
	q.Set("response_type", "code")
	q.Set("redirect_uri", m.c.RedirectURI)
	q.Set("scope", m.scope())
	if m.c.Audience != "" {
		q.Set("audience", m.c.Audience)
	}
	q.Set("access_type", "offline")
	if m.c.Organization != "" {
		q.Set("organization", m.c.Organization)
	}
	q.Set("code_challenge", challenge)
	q.Set("code_challenge_method", "S256")
	q.Set("state", state)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// obtain runs the browser login: bind the loopback listener, show (and
// maybe open) the authorize URL, wait for one callback or a pasted redirect
// URL, check state, and exchange the code with the verifier.
func (p *pkceFlow) obtain(ctx context.Context) (*tokenResponse, error) {
	c := &p.m.c
	verifier, err := randomString(32)
	if err != nil {
		return nil, &LoginError{Flow: "browser", Err: err}
	}
	state, err := randomString(16)
	if err != nil {
		return nil, &LoginError{Flow: "browser", Err: err}
	}
	authURL, err := p.m.authorizeURL(s256(verifier), state)
	if err != nil {
		return nil, &LoginError{Flow: "browser", Err: err}
	}
	lns, path, err := p.m.listenLoopback(ctx, c.RedirectURI)
	if err != nil {
		return nil, &LoginError{Flow: "browser", Err: err}
	}
	srv := newCallbackServer(path, state)
	srv.serve(lns)
	defer srv.close()

	ctx, cancel := context.WithTimeout(ctx, c.LoginTimeout)
	defer cancel()

	opened := false
	if p.browser {
		if err := c.OpenBrowser(authURL); err == nil {
			opened = true
			fmt.Fprintf(c.Stderr, "Opened a browser to log in. If it did not open, visit:\n%s\n", authURL)
		}
	}
	if !opened {
		fmt.Fprintf(c.Stderr, "To log in, open this URL in a browser:\n%s\n", authURL)
		if p.sshHint {
			_, port, _ := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(c.RedirectURI, "http://"), "https://"), ":")
			port, _, _ = strings.Cut(port, "/")
			fmt.Fprintf(c.Stderr, "On a remote machine, forward the port first: ssh -L %s:localhost:%s <this host> (or use the device flow).\n", port, port)
		}
	}
	pasted := make(chan callback, 1)
	if c.Interactive() {
		fmt.Fprintln(c.Stderr, "Or paste the URL the browser was sent to after login, then press Enter:")
		go readPasted(c.Stdin, pasted, state, c.Stderr)
	}
	fmt.Fprintln(c.Stderr, "Waiting for the login to complete...")

	var cb callback
	select {
	case cb = <-srv.results:
	case cb = <-pasted:
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, &LoginError{Flow: "browser", Err: fmt.Errorf("no login callback within %s", c.LoginTimeout)}
		}
		return nil, &LoginError{Flow: "browser", Err: ctx.Err()}
	}
	tr, err := p.finish(ctx, cb, state, verifier)
	if cb.done != nil {
		cb.done <- err
	}
	if err != nil {
		return nil, &LoginError{Flow: "browser", Err: err}
	}
	return tr, nil
}

// finish checks a callback and exchanges its code.
func (p *pkceFlow) finish(ctx context.Context, cb callback, state, verifier string) (*tokenResponse, error) {
	c := &p.m.c
	if cb.errCode != "" {
		msg := "the authorization server answered " + clip(cb.errCode)
		if cb.errDesc != "" {
			msg += ": " + clip(cb.errDesc)
		}
		return nil, errors.New(msg)
	}
	if subtle.ConstantTimeCompare([]byte(cb.state), []byte(state)) != 1 {
		return nil, errors.New("the callback's state does not match this login (a stale or forged redirect)")
	}
	if cb.code == "" {
		return nil, errors.New("the callback carried no authorization code")
	}
	form := url.Values{
		"grant_type":    {"authorization_code"},
		"client_id":     {c.ClientIDInteractive},
		"code":          {cb.code},
		"redirect_uri":  {c.RedirectURI},
		"code_verifier": {verifier},
	}
	var tr tokenResponse
	if _, err := postForm(ctx, c.HTTPClient, "token", c.TokenURL, form, &tr); err != nil {
		return nil, err
	}
	if tr.AccessToken == "" {
		return nil, errors.New("the token endpoint answered without an access_token")
	}
	return &tr, nil
}

// readPasted reads lines from r until one is a URL carrying code or error
// and this login's state; a URL of another login is named on stderr and
// skipped.
func readPasted(r io.Reader, out chan<- callback, state string, stderr io.Writer) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	for sc.Scan() {
		cb, ok := parsePasted(sc.Text())
		if !ok {
			continue
		}
		if !sameState(cb.state, state) {
			fmt.Fprintln(stderr, "That URL does not belong to this login (its state differs); still waiting.")
			continue
		}
		out <- cb
		return
	}
}

// parsePasted extracts the callback parameters from a pasted redirect URL.
func parsePasted(line string) (callback, bool) {
	u, err := url.Parse(strings.TrimSpace(line))
	if err != nil {
		return callback{}, false
	}
	q := u.Query()
	if q.Get("code") == "" && q.Get("error") == "" {
		return callback{}, false
	}
	return callbackFrom(q), true
}
