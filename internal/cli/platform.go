package cli

import (
	"context"
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
	Doctor PlatformDoctorCmd `cmd:"" help:"Check settings, proxy, CA bundle, DNS and TLS of each endpoint, clock skew, the login port, the token and the cache directory; exit 1 when anything is wrong."`
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
func (c *PlatformLoginCmd) Run(ctx context.Context, f *Factory) error {
	m, err := f.OAuth()
	if err != nil {
		return err
	}
	tok, fresh, err := m.Login(ctx, oauth.LoginOptions{Relogin: c.Relogin, Device: c.Device, NoBrowser: c.NoBrowser})
	if err != nil {
		return err
	}
	claims := tokenClaims(ctx, f, m, tok.AccessToken)
	r := loginResult{LoggedIn: true, NewLogin: fresh, ExpiresAt: tok.ExpiresAt.UTC().Format(time.RFC3339)}
	if claims != nil {
		r.Subject, r.OrgID = nonEmpty(claims.Subject), nonEmpty(claims.OrgID)
	}
	what := "Already logged in"
	if fresh {
		what = "Logged in"
	}
	return f.Output().Object(r, []Field{
		{"status", what},
		{"subject", orNA(r.Subject)},
		{"org_id", orNA(r.OrgID)},
		{"expires_at", r.ExpiresAt},
	})
}

// tokenClaims returns the claims of a token: verified for our own tokens,
// merely parsed when verification is impossible; nil when it is no JWT.
func tokenClaims(ctx context.Context, f *Factory, m *oauth.Manager, access string) *jwt.Claims {
	if m != nil {
		if t, err := m.Verify(ctx, access); err == nil {
			return &t.Claims
		} else {
			f.Debugf("verify the cached access token: %v", err)
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

// Run removes the cached login. Logged out already is not an error (as gh):
// a note says so, exit 0.
func (c *PlatformLogoutCmd) Run(ctx context.Context, f *Factory) error {
	m, err := f.OAuth()
	if err != nil {
		return err
	}
	n, err := m.LogoutContext(ctx, c.All)
	if err != nil {
		return err
	}
	if n == 0 {
		o := f.Output()
		o.Notef("not logged in: no cached login to remove")
		if o.Format() == FormatText {
			return nil
		}
		return o.Object(map[string]any{"logged_out": true, "removed": 0}, nil)
	}
	return f.Output().Object(map[string]any{"logged_out": true, "removed": n},
		[]Field{{"status", "Logged out"}, {"removed", fmt.Sprintf("%d cached login(s)", n)}})
}
