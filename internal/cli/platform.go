package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aignostics/aignostics/jwt"
	"github.com/aignostics/aignostics/oauth"
)

// PlatformCmd groups login, logout, identity, token, health and settings.
type PlatformCmd struct {
	Login  PlatformLoginCmd  `cmd:"" help:"Log in to the platform (browser with PKCE, or the device flow)."`
	Logout PlatformLogoutCmd `cmd:"" help:"Forget the cached login (and revoke it at the server, best effort)."`
	Whoami PlatformWhoamiCmd `cmd:"" help:"Show the logged-in user, their organization and the token's claims."`
	Token  PlatformTokenCmd  `cmd:"" help:"Print a valid access token (credential helper)."`
	Health PlatformHealthCmd `cmd:"" help:"Check the platform's public and authenticated health."`
	Info   PlatformInfoCmd   `cmd:"" help:"Show every effective setting, where it came from, and the user."`
}

// PlatformLoginCmd is `platform login`.
type PlatformLoginCmd struct {
	Relogin   bool `help:"Run a new login even when a valid one is cached."`
	Device    bool `help:"Use the device flow (a code to confirm in any browser)."`
	NoBrowser bool `name:"no-browser" help:"Print the login URL instead of opening a browser."`
}

// loginResult is the JSON form of `platform login`.
type loginResult struct {
	LoggedIn  bool    `json:"logged_in"`
	NewLogin  bool    `json:"new_login"`
	Subject   *string `json:"subject"`
	OrgID     *string `json:"org_id"`
	ExpiresAt string  `json:"expires_at"`
}

// Run logs in, or says who is logged in when a valid login is cached.
func (c *PlatformLoginCmd) Run(g *Globals) error {
	m, err := g.OAuth()
	if err != nil {
		return err
	}
	tok, fresh, err := m.Login(g.Context(), oauth.LoginOptions{Relogin: c.Relogin, Device: c.Device, NoBrowser: c.NoBrowser})
	if err != nil {
		return authFailure(err)
	}
	claims := tokenClaims(g, m, tok.AccessToken)
	r := loginResult{LoggedIn: true, NewLogin: fresh, ExpiresAt: tok.ExpiresAt.UTC().Format(time.RFC3339)}
	if claims != nil {
		r.Subject, r.OrgID = nonEmpty(claims.Subject), nonEmpty(claims.OrgID)
	}
	what := "Already logged in"
	if fresh {
		what = "Logged in"
	}
	return g.Out().Object(r, []Field{
		{"status", what},
		{"subject", orNA(r.Subject)},
		{"org_id", orNA(r.OrgID)},
		{"expires_at", r.ExpiresAt},
	})
}

// authFailure gives a failed login the authentication exit code, and a
// login that cannot start for want of configuration the config exit code.
func authFailure(err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	if errors.Is(err, oauth.ErrNoDeviceClient) || errors.Is(err, oauth.ErrBadRedirectURI) {
		return Exit(2, KindConfig, err)
	}
	var te *oauth.TokenError
	if errors.Is(err, oauth.ErrLoginFailed) || errors.As(err, &te) {
		return Exit(4, KindAuth, err)
	}
	return err
}

// tokenClaims returns the claims of a token: verified for our own tokens,
// merely parsed when verification is impossible; nil when it is no JWT.
func tokenClaims(g *Globals, m *oauth.Manager, access string) *jwt.Claims {
	if m != nil {
		if t, err := m.Verify(g.Context(), access); err == nil {
			return &t.Claims
		} else {
			g.Debugf("verify the cached access token: %v", err)
		}
	}
	t, err := jwt.Parse(access)
	if err != nil {
		return nil
	}
	return &t.Claims
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func orNA(p *string) string {
	if p == nil {
		return "n/a"
	}
	return *p
}

// PlatformLogoutCmd is `platform logout`.
type PlatformLogoutCmd struct {
	All bool `help:"Remove every cached login, for all environments."`
}

// Run removes the cached login; exit 2 when there was none.
func (c *PlatformLogoutCmd) Run(g *Globals) error {
	m, err := g.OAuth()
	if err != nil {
		return err
	}
	n, err := m.LogoutContext(g.Context(), c.All)
	if err != nil {
		return err
	}
	if n == 0 {
		return Exitf(2, KindNotFound, "not logged in: no cached login to remove")
	}
	return g.Out().Object(map[string]any{"logged_out": true, "removed": n},
		[]Field{{"status", "Logged out"}, {"removed", fmt.Sprintf("%d cached login(s)", n)}})
}
