package cli

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/aignostics/aignostics/checksum"
	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/jwt"
	"github.com/aignostics/aignostics/oauth"
	"github.com/aignostics/aignostics/plugins"
	"github.com/aignostics/aignostics/resources"
	"github.com/aignostics/aignostics/settings"
)

// state holds what a run of the command line builds once: settings, clients
// and the token source.
type state struct {
	args     []string // as given, for reporting errors kong met before it set the flags
	mu       sync.Mutex
	settings *settings.Settings
	setErr   error
	out      *Output
	plain    *httpx.Client
	authed   *httpx.Client
	tokens   httpx.TokenSource
	oauth    *oauth.Manager
	provider *plugins.Provider
}

// Settings loads the effective settings once: flags, environment, env file, defaults.
func (g *Globals) Settings() (*settings.Settings, error) {
	g.state.mu.Lock()
	defer g.state.mu.Unlock()
	if g.state.settings != nil || g.state.setErr != nil {
		return g.state.settings, g.state.setErr
	}
	flags := map[string]string{}
	if g.APIRoot != "" {
		flags["AIGNOSTICS_API_ROOT"] = g.APIRoot
	}
	if g.Output != "" {
		flags["AIGNOSTICS_OUTPUT"] = g.Output
	}
	if g.Timeout != 0 {
		if g.Timeout < time.Second {
			g.state.setErr = &settings.Error{Setting: "--timeout", Value: g.Timeout.String(), Reason: "must be at least 1s"}
			return nil, g.state.setErr
		}
		flags["AIGNOSTICS_REQUEST_TIMEOUT_SECONDS"] = strconv.Itoa(int(g.Timeout / time.Second))
	}
	if g.TokenProvider != "" {
		flags["AIGNOSTICS_TOKEN_PROVIDER"] = g.TokenProvider
	}
	g.state.settings, g.state.setErr = settings.Load(settings.LoadOptions{Flags: flags, Getenv: g.env.Getenv})
	return g.state.settings, g.state.setErr
}

// HTTPOptions translates the settings into options for an HTTP client without a token.
func (g *Globals) HTTPOptions() (httpx.Options, error) {
	s, err := g.Settings()
	if err != nil {
		return httpx.Options{}, err
	}
	o := resources.Options{UserAgent: httpx.DefaultUserAgent(g.env.Version)}
	if g.Verbose {
		o.HTTPDebug = g.env.Stderr
	}
	ho := resources.HTTPOptions(s, nil, o)
	if !g.Verbose && g.StderrIsTerminal() {
		// A person waiting on backoff is told why (-v logs it anyway).
		ho.Notify = func(line string) { fmt.Fprintln(g.env.Stderr, "aignostics: "+line) }
	}
	return ho, nil
}

// PlainHTTP is an HTTP client that never sends a token.
func (g *Globals) PlainHTTP() (*httpx.Client, error) {
	if c := g.state.plain; c != nil {
		return c, nil
	}
	o, err := g.HTTPOptions()
	if err != nil {
		return nil, err
	}
	c, err := httpx.New(o)
	if err != nil {
		return nil, err
	}
	g.state.plain = c
	return c, nil
}

// AuthedHTTP is an HTTP client that sends the token to the API origin.
func (g *Globals) AuthedHTTP() (*httpx.Client, error) {
	if c := g.state.authed; c != nil {
		return c, nil
	}
	o, err := g.HTTPOptions()
	if err != nil {
		return nil, err
	}
	ts, err := g.TokenSource()
	if err != nil {
		return nil, err
	}
	o.Token = ts
	c, err := httpx.New(o)
	if err != nil {
		return nil, err
	}
	g.state.authed = c
	return c, nil
}

// TokenSource is where API tokens come from: the embedding's source, the
// external token provider when one is set, else login and the token cache.
func (g *Globals) TokenSource() (httpx.TokenSource, error) {
	if g.state.tokens != nil {
		return g.state.tokens, nil
	}
	if g.env.TokenSource != nil {
		g.state.tokens = g.env.TokenSource
		return g.state.tokens, nil
	}
	p, err := g.Provider()
	if err != nil {
		return nil, err
	}
	if p != nil {
		g.state.tokens = p
		return p, nil
	}
	m, err := g.OAuth()
	if err != nil {
		return nil, err
	}
	g.state.tokens = m
	return m, nil
}

// Provider is the external token provider, or nil when none is set.
func (g *Globals) Provider() (*plugins.Provider, error) {
	if g.state.provider != nil {
		return g.state.provider, nil
	}
	s, err := g.Settings()
	if err != nil {
		return nil, err
	}
	if s.TokenProvider == "" {
		return nil, nil
	}
	var stdin = g.env.Stdin
	if !g.Interactive() {
		stdin = nil
	}
	p, err := plugins.NewProvider(s.TokenProvider, plugins.ProviderOptions{
		Timeout: s.TokenProviderTimeout,
		Env:     append(append([]string{}, g.env.Environ...), "AIGNOSTICS_API_ROOT="+s.APIRoot, "AIGNOSTICS_AUDIENCE="+s.Audience),
		Stdin:   stdin,
		Stderr:  g.env.Stderr,
		Now:     g.env.Now,
	})
	if err != nil {
		return nil, Exit(2, KindConfig, fmt.Errorf("AIGNOSTICS_TOKEN_PROVIDER: %w", err))
	}
	g.state.provider = p
	return p, nil
}

// OAuth is the login manager over the token cache. It is refused while an
// external token provider is set: the provider replaces login entirely.
func (g *Globals) OAuth() (*oauth.Manager, error) {
	if g.state.oauth != nil {
		return g.state.oauth, nil
	}
	s, err := g.Settings()
	if err != nil {
		return nil, err
	}
	if s.TokenProvider != "" {
		return nil, Exitf(2, KindConfig, "a token provider is set (AIGNOSTICS_TOKEN_PROVIDER or --token-provider): it replaces login and the token cache; unset it to use login")
	}
	plain, err := g.PlainHTTP()
	if err != nil {
		return nil, err
	}
	g.state.oauth = oauth.NewManager(oauth.Config{
		AuthorizeURL:        s.AuthorizationBaseURL,
		TokenURL:            s.TokenURL,
		DeviceURL:           s.DeviceURL,
		JWKSURL:             s.JWSJSONURL,
		Issuer:              s.Issuer,
		Audience:            s.Audience,
		ClientIDInteractive: s.ClientIDInteractive,
		ClientIDDevice:      s.ClientIDDevice,
		RedirectURI:         s.RedirectURI,
		Organization:        s.OrganizationID,
		Scope:               s.Scope,
		RefreshTokenSeed:    s.RefreshToken.Reveal(),
		CacheDir:            s.CacheDir,
		Backoff:             s.AuthorizationBackoff,
		LoopbackSameHost:    s.IsLocal(),
		HTTPClient:          plain.HTTP(),
		Stdin:               g.env.Stdin,
		Stderr:              g.env.Stderr,
		Interactive:         g.Interactive,
		Now:                 g.env.Now,
		LoginHint:           g.loginHint(s),
	})
	return g.state.oauth, nil
}

// loginHint is the command a user runs to log in with the current settings.
func (g *Globals) loginHint(s *settings.Settings) string {
	if g.APIRoot != "" {
		return "aignostics --api-root " + s.APIRoot + " platform login"
	}
	return "aignostics platform login"
}

// Client is the typed API client, authenticated.
func (g *Globals) Client() (*resources.Client, error) {
	s, err := g.Settings()
	if err != nil {
		return nil, err
	}
	hc, err := g.AuthedHTTP()
	if err != nil {
		return nil, err
	}
	return resources.NewFromHTTP(s.APIRoot, hc, resources.Options{Debugf: g.Debugf, Now: g.Now}), nil
}

// classifyDomain maps the errors of the library packages to exit codes.
func classifyDomain(err error) (int, string, bool) {
	switch {
	case errors.Is(err, oauth.ErrNoDeviceClient), errors.Is(err, oauth.ErrBadRedirectURI):
		return 2, KindConfig, true
	case errors.Is(err, oauth.ErrLoginRequired), errors.Is(err, oauth.ErrLoginFailed):
		return 4, KindAuth, true
	case errors.Is(err, checksum.ErrMismatch):
		return 5, KindIntegrity, true
	}
	var pe *plugins.ProviderError
	if errors.As(err, &pe) {
		return 4, KindAuth, true
	}
	for _, e := range []error{jwt.ErrMalformed, jwt.ErrAlgorithm, jwt.ErrUnknownKey, jwt.ErrWeakKey, jwt.ErrSignature, jwt.ErrExpired, jwt.ErrNotYetValid, jwt.ErrAudience, jwt.ErrIssuer} {
		if errors.Is(err, e) {
			return 4, KindAuth, true
		}
	}
	return 0, "", false
}
