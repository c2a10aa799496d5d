package oauth

import (
	"context"
	"fmt"
	"net/url"
	"strings"
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

// obtain posts the refresh grant, retrying transport failures and 5xx/429
// answers up to three times with exponential backoff.
func (r *refreshFlow) obtain(ctx context.Context) (*tokenResponse, error) {
	form := url.Values{
		"grant_type":    {"refresh_token"},
		"client_id":     {r.client},
		"refresh_token": {r.refreshToken},
	}
	var resp tokenResponse
	var err error
	wait := r.m.c.Backoff
	for attempt := 0; ; attempt++ {
		_, err = postForm(ctx, r.m.c.HTTPClient, "token", r.m.c.TokenURL, form, &resp)
		if err == nil || !retryable(err) || attempt == 3 {
			break
		}
		if serr := r.m.c.Clock.Sleep(ctx, wait); serr != nil {
			return nil, fmt.Errorf("refresh access token: %w", serr)
		}
		wait = min(wait*2, 30e9)
	}
	if err != nil {
		return nil, err
	}
	if resp.AccessToken == "" {
		return nil, fmt.Errorf("refresh access token: the token endpoint answered without an access_token")
	}
	return &resp, nil
}

// scope is the space-joined scope sent to the server.
func (m *Manager) scope() string { return strings.Join(m.c.Scope, " ") }
