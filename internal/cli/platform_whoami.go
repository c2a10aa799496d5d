package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aignostics/aignostics/jwt"
	"github.com/aignostics/aignostics/oauth"
	"github.com/aignostics/aignostics/resources"
)

// PlatformWhoamiCmd is `platform whoami`.
type PlatformWhoamiCmd struct {
	NoMaskSecrets bool `name:"no-mask-secrets" help:"Show the organization's bucket secret, Logfire token, Sentry DSN and the user's e-mail."`
	Relogin       bool `help:"Run a new login first."`
}

// tokenInfo is what whoami shows of a token; nil fields are claims the token lacks.
type tokenInfo struct {
	Issuer          *string  `json:"issuer"`
	IssuedAt        *string  `json:"issued_at"`
	ExpiresAt       *string  `json:"expires_at"`
	ExpiresIn       *int64   `json:"expires_in"`
	Scope           []string `json:"scope"`
	Audience        []string `json:"audience"`
	AuthorizedParty *string  `json:"authorized_party"`
	OrgID           *string  `json:"org_id"`
	Role            *string  `json:"role"`
}

// tokenSource says where whoami's token came from: kind "cache" (this
// tool's token cache), "refresh" (refreshed now into that cache), "login",
// "python-sdk" (the Python SDK's .token, verified, never written) or
// "provider" (AIGNOSTICS_TOKEN_PROVIDER); file is the file holding it.
type tokenSource struct {
	Kind string `json:"kind"`
	File string `json:"file,omitempty"`
}

// userInfo is the JSON form of whoami (the Python SDK's UserInfo, plus
// where the token came from).
type userInfo struct {
	Role         *string                            `json:"role"`
	TokenSource  tokenSource                        `json:"token_source"`
	Token        *tokenInfo                         `json:"token"`
	User         resources.UserReadResponse         `json:"user"`
	Organization resources.OrganizationReadResponse `json:"organization"`
}

// Run shows the token's claims and the /v1/me user and organization.
func (c *PlatformWhoamiCmd) Run(ctx context.Context, f *Factory) error {
	var m *oauth.Manager
	if c.Relogin {
		var err error
		if m, err = f.OAuth(); err != nil {
			return err
		}
		if _, _, err := m.Login(ctx, oauth.LoginOptions{Relogin: true}); err != nil {
			return err
		}
	}
	t, err := obtainToken(ctx, f)
	if err != nil {
		return err
	}
	var src tokenSource
	if ts, _ := f.TokenSource(); ts != nil {
		m, _ = ts.(*oauth.Manager)
		if m != nil {
			src.Kind, src.File = m.Origin()
		} else if p, _ := f.Provider(); p != nil {
			src.Kind = "provider"
		} else {
			src.Kind = "given"
		}
	}
	info := userInfo{TokenSource: src, Token: newTokenInfo(tokenClaims(ctx, f, m, t.AccessToken), f.Now())}
	if info.Token != nil {
		info.Role = info.Token.Role
	}
	client, err := f.Client()
	if err != nil {
		return err
	}
	me, err := client.Me(ctx)
	if err != nil {
		return err
	}
	info.User, info.Organization = me.User, me.Organization
	if !c.NoMaskSecrets {
		maskMe(&info.User, &info.Organization)
	}
	return f.Output().Object(info, whoamiFields(info))
}

// newTokenInfo extracts the claims whoami shows; nil when there are none.
func newTokenInfo(c *jwt.Claims, now time.Time) *tokenInfo {
	if c == nil {
		return nil
	}
	ti := &tokenInfo{Issuer: nonEmpty(c.Issuer), AuthorizedParty: nonEmpty(c.AuthorizedParty), OrgID: nonEmpty(c.OrgID)}
	if c.IssuedAt != 0 {
		ti.IssuedAt = nonEmpty(time.Unix(c.IssuedAt, 0).UTC().Format(time.RFC3339))
	}
	if c.ExpiresAt != 0 {
		ti.ExpiresAt = nonEmpty(time.Unix(c.ExpiresAt, 0).UTC().Format(time.RFC3339))
		in := c.ExpiresAt - now.Unix()
		ti.ExpiresIn = &in
	}
	if c.Scope != "" {
		ti.Scope = strings.Fields(c.Scope)
	}
	if len(c.Audience) > 0 {
		ti.Audience = []string(c.Audience)
		if raw, ok := c.Raw[c.Audience[0]+"/role"]; ok {
			var role string
			if json.Unmarshal(raw, &role) == nil && role != "" {
				ti.Role = &role
			}
		}
	}
	return ti
}

// masked is how the Python SDK hides a secret: its length only.
func masked(s string) string {
	if s == "" {
		return s
	}
	return fmt.Sprintf("***MASKED(%d)***", len(s))
}

// maskMe hides the organization's bucket secret, Logfire token and Sentry
// DSN and the user's e-mail (the bucket access key id stays, as in the SDK).
func maskMe(u *resources.UserReadResponse, o *resources.OrganizationReadResponse) {
	if u.Email != nil {
		m := masked(*u.Email)
		u.Email = &m
	}
	o.AignosticsBucketHMACSecretAccessKey = masked(o.AignosticsBucketHMACSecretAccessKey)
	o.AignosticsLogfireToken = masked(o.AignosticsLogfireToken)
	o.AignosticsSentryDSN = masked(o.AignosticsSentryDSN)
}

func whoamiFields(info userInfo) []Field {
	var f []Field
	f = append(f, userFields(info.User, info.Organization)...)
	f = append(f, Field{"role", orNA(info.Role)})
	source := info.TokenSource.Kind
	if info.TokenSource.File != "" {
		source += " (" + info.TokenSource.File + ")"
	}
	f = append(f, Field{"token source", source})
	ti := info.Token
	if ti == nil {
		ti = &tokenInfo{}
	}
	expires := orNA(ti.ExpiresAt)
	if ti.ExpiresIn != nil {
		expires += fmt.Sprintf(" (in %s)", (time.Duration(*ti.ExpiresIn) * time.Second).String())
	}
	f = append(f,
		Field{"token issuer", orNA(ti.Issuer)},
		Field{"token issued at", orNA(ti.IssuedAt)},
		Field{"token expires at", expires},
		Field{"token scope", listOrNA(ti.Scope)},
		Field{"token audience", listOrNA(ti.Audience)},
		Field{"token authorized party", orNA(ti.AuthorizedParty)},
		Field{"token org id", orNA(ti.OrgID)},
	)
	return f
}

// userFields renders the user and organization (already masked if wanted).
func userFields(u resources.UserReadResponse, o resources.OrganizationReadResponse) []Field {
	return []Field{
		{"user id", u.ID},
		{"user name", orNA(u.Name)},
		{"user email", orNA(u.Email)},
		{"organization id", o.ID},
		{"organization name", orNA(o.Name)},
		{"organization display name", orNA(o.DisplayName)},
		{"bucket", o.AignosticsBucketProtocol + "://" + o.AignosticsBucketName},
		{"bucket hmac access key id", o.AignosticsBucketHMACAccessKeyID},
		{"bucket hmac secret access key", o.AignosticsBucketHMACSecretAccessKey},
		{"logfire token", o.AignosticsLogfireToken},
		{"sentry dsn", o.AignosticsSentryDSN},
	}
}

func listOrNA(l []string) string {
	if len(l) == 0 {
		return "n/a"
	}
	return strings.Join(l, " ")
}
