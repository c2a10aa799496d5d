package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/aignostics/aignostics/internal/retry"
)

// strategy is one way of obtaining tokens from the authorization server.
type strategy interface {
	// obtain runs the grant to its end.
	obtain(ctx context.Context) (*tokenResponse, error)
	// clientID is the client the tokens are issued to (refresh uses it).
	clientID() string
}

// choose picks the login strategy as DESIGN.md says: --device -> device;
// --no-browser -> PKCE printing the URL; a browser -> PKCE opening it; a
// device client -> device; else PKCE printing the URL with a port-forward hint.
func (m *Manager) choose(o LoginOptions) (strategy, error) {
	switch {
	case o.Device:
		if m.c.ClientIDDevice == "" {
			return nil, fmt.Errorf("device login: %w; set AIGNOSTICS_CLIENT_ID_DEVICE", ErrNoDeviceClient)
		}
		return &deviceFlow{m: m}, nil
	case o.NoBrowser:
		return &pkceFlow{m: m}, nil
	case m.c.HasBrowser():
		return &pkceFlow{m: m, browser: true}, nil
	case m.c.ClientIDDevice != "":
		return &deviceFlow{m: m}, nil
	default:
		return &pkceFlow{m: m, sshHint: true}, nil
	}
}

// refreshFlow exchanges a refresh token (RFC 6749 section 6).
type refreshFlow struct {
	m            *Manager
	refreshToken string
	client       string
}

func (r *refreshFlow) clientID() string { return r.client }

// refreshRetries is how often a refresh grant that never reached the
// server is tried again.
const refreshRetries = 3

// obtain posts the refresh grant. It is sent again only when it cannot have
// been taken: no connection was made, or the server answered 429, which
// does not take a grant (a 503 is returned: the next command may try). With rotation, a refresh token
// presented twice is a reuse, which can revoke the whole login: a lost or
// unusable answer and other 5xx are returned, not retried.
func (r *refreshFlow) obtain(ctx context.Context) (*tokenResponse, error) {
	form := url.Values{
		"grant_type":    {"refresh_token"},
		"client_id":     {r.client},
		"refresh_token": {r.refreshToken},
	}
	var resp tokenResponse
	err := r.m.policy(refreshRetries).Do(ctx, func(ctx context.Context, _ int) error {
		_, err := postForm(ctx, r.m.c.HTTPClient, "token", r.m.c.TokenURL, form, &resp)
		if neverSent(err) || notTaken(err) {
			return retry.Retryable(err)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if resp.AccessToken == "" {
		// A 2xx without a token: whether the grant was used is unknown.
		return nil, &transportError{name: "token", sent: true, err: errors.New("the token endpoint answered without an access_token")}
	}
	return &resp, nil
}

// scope is the space-joined scope sent to the server.
func (m *Manager) scope() string { return strings.Join(m.c.Scope, " ") }
