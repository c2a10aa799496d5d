package emulator

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aignostics/aignostics/jwt"
)

// Lifetimes of the authorization server's short-lived grants.
const (
	codeLifetime   = 60 * time.Second
	deviceLifetime = 600 * time.Second
	deviceInterval = 1 * time.Second
)

// supportedScope reports whether /authorize, /oauth/device/code and the token
// endpoint accept scope s.
func supportedScope(s string) bool {
	switch s {
	case "openid", "profile", "email", "offline_access":
		return true
	}
	return false
}

// authServer is the OAuth 2.0 authorization server of the local environment.
type authServer struct {
	e *Emulator

	mu        sync.Mutex
	codes     map[string]*authCode     // code -> grant
	pending   map[string]*authRequest  // consent page id -> request
	refresh   map[string]*refreshGrant // sha256(refresh token) -> grant
	devices   map[string]*deviceGrant  // sha256(device code) -> grant
	userCodes map[string]string        // user code -> sha256(device code)
}

// authRequest is a validated /authorize request.
type authRequest struct {
	ClientID, RedirectURI, Challenge, Scope, State string
}

type authCode struct {
	authRequest
	Subject string
	Expires time.Time
	Used    bool
}

// refreshGrant is one refresh token; tokens rotated from each other share a Family.
type refreshGrant struct {
	Family   string `json:"family"`
	Subject  string `json:"sub"`
	ClientID string `json:"client_id"`
	Scope    string `json:"scope"`
	Rotated  bool   `json:"rotated,omitempty"`
	Revoked  bool   `json:"revoked,omitempty"`
}

// oauthSnapshot is the persisted part of the authorization server: refresh
// grants, keyed by the SHA-256 of the token (the tokens themselves are not kept).
type oauthSnapshot struct {
	Refresh map[string]*refreshGrant `json:"refresh_tokens,omitempty"`
}

// tokenGrant is what a token response is issued for.
type tokenGrant struct {
	Subject, ClientID, Scope, Family string
}

// tokenResponse is the token endpoint's success body.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	Scope        string `json:"scope,omitempty"`
}

func newAuthServer(e *Emulator) *authServer {
	return &authServer{
		e:         e,
		codes:     map[string]*authCode{},
		pending:   map[string]*authRequest{},
		refresh:   map[string]*refreshGrant{},
		devices:   map[string]*deviceGrant{},
		userCodes: map[string]string{},
	}
}

func hashSecret(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// issue signs an access token (and an ID token for openid, a refresh token for
// offline_access) for g.
func (a *authServer) issue(g tokenGrant) (tokenResponse, error) {
	e := a.e
	pub := e.URL()
	now := e.now()
	life := e.opts.TokenLifetime
	kid, key := e.keys.current()
	claims := map[string]any{
		"iss":             pub + "/",
		"sub":             g.Subject,
		"aud":             []string{pub + "/api", pub + "/userinfo"},
		"iat":             now.Unix(),
		"exp":             now.Add(life).Unix(),
		"scope":           g.Scope,
		"azp":             g.ClientID,
		"org_id":          e.keys.orgID,
		pub + "/api/role": "member",
	}
	access, err := jwt.Sign(key, kid, claims)
	if err != nil {
		return tokenResponse{}, fmt.Errorf("sign access token: %w", err)
	}
	tr := tokenResponse{AccessToken: access, TokenType: "Bearer", ExpiresIn: int64(life / time.Second), Scope: g.Scope}
	scopes := strings.Fields(g.Scope)
	if slices.Contains(scopes, "openid") {
		u := userFor(g.Subject)
		id, err := jwt.Sign(key, kid, map[string]any{
			"iss": pub + "/", "sub": g.Subject, "aud": g.ClientID,
			"iat": now.Unix(), "exp": now.Add(life).Unix(),
			"email": u.Email, "name": u.Name, "org_id": e.keys.orgID,
		})
		if err != nil {
			return tokenResponse{}, fmt.Errorf("sign id token: %w", err)
		}
		tr.IDToken = id
	}
	if slices.Contains(scopes, "offline_access") {
		tr.RefreshToken = randomToken(32)
		fam := g.Family
		if fam == "" {
			fam = randomHex(8)
		}
		a.mu.Lock()
		a.refresh[hashSecret(tr.RefreshToken)] = &refreshGrant{Family: fam, Subject: g.Subject, ClientID: g.ClientID, Scope: g.Scope}
		a.mu.Unlock()
		e.markDirty()
	}
	return tr, nil
}

// revokeAll makes every refresh token unusable.
func (a *authServer) revokeAll() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, g := range a.refresh {
		g.Revoked = true
	}
}

// revokeFamily revokes every refresh token rotated from the same login.
// The caller holds a.mu.
func (a *authServer) revokeFamilyLocked(family string) {
	for _, g := range a.refresh {
		if g.Family == family {
			g.Revoked = true
		}
	}
}

func (a *authServer) snapshot() oauthSnapshot {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := oauthSnapshot{Refresh: make(map[string]*refreshGrant, len(a.refresh))}
	for k, g := range a.refresh {
		c := *g
		s.Refresh[k] = &c
	}
	return s
}

func (a *authServer) restore(s oauthSnapshot) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for k, g := range s.Refresh {
		if g != nil {
			a.refresh[k] = g
		}
	}
}

// checkScope returns the normalised scope or an error naming an unsupported one.
func checkScope(scope string) (string, error) {
	fs := strings.Fields(scope)
	for _, s := range fs {
		if !supportedScope(s) {
			return "", fmt.Errorf("unsupported scope %q", s)
		}
	}
	return strings.Join(fs, " "), nil
}

// user is the profile of a subject.
type user struct{ Email, Name string }

// userFor derives a stable profile from a subject.
func userFor(sub string) user {
	if sub == DefaultSubject {
		return user{Email: "emulator-user@aignostics.local", Name: "Emulator User"}
	}
	local := sub
	if i := strings.LastIndexAny(local, "|"); i >= 0 {
		local = local[i+1:]
	}
	local = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, local)
	if local == "" {
		local = "user"
	}
	return user{Email: strings.ToLower(local) + "@aignostics.local", Name: local}
}
