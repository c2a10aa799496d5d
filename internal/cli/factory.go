package cli

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/internal/clock"
	"github.com/aignostics/aignostics/internal/hooks"
	"github.com/aignostics/aignostics/internal/iostreams"
	"github.com/aignostics/aignostics/oauth"
	"github.com/aignostics/aignostics/plugins"
	"github.com/aignostics/aignostics/resources"
	"github.com/aignostics/aignostics/settings"
)

// Factory gives commands what they need: the streams, the flags, the
// surroundings, and the clients, each built once per run on first use
// (sync.OnceValues), so a command that needs no HTTP never builds a client.
// A test may replace a func field before the command runs.
type Factory struct {
	IO    *iostreams.IOStreams
	Flags *Globals // filled by kong before any command runs

	Getenv     func(string) (string, bool)
	Environ    []string // the environment for child processes
	Executable string   // "" means os.Executable
	Version    string
	Commit     string
	GoVersion  string
	Clock      clock.Clock // tells the time and waits (polls, retries)

	// Settings are the effective settings: flags, environment, env file, defaults.
	Settings func() (*settings.Settings, error)
	// PlainHTTP is an HTTP client that never sends a token.
	PlainHTTP func() (*httpx.Client, error)
	// AuthedHTTP is an HTTP client that sends the token to the API origin.
	AuthedHTTP func() (*httpx.Client, error)
	// TokenSource is where API tokens come from: Env.TokenSource, else the
	// external token provider when one is set, else login and the token cache.
	TokenSource func() (httpx.TokenSource, error)
	// OAuth is the login manager over the token cache; refused (config
	// error) while a token provider is set.
	OAuth func() (*oauth.Manager, error)
	// Provider is the external token provider, or nil when none is set.
	Provider func() (*plugins.Provider, error)
	// Client is the typed API client, authenticated.
	Client func() (*resources.Client, error)
	// Output renders results on IO.Out in the chosen format.
	Output func() *Output
	// Hooks runs the user's event hooks (internal/hooks); fire with
	// f.Hooks().Fire(ctx, hooks.RunSubmitted, fields).
	Hooks func() *hooks.Runner

	env  Env      // as given, for nested runs (the demo)
	args []string // as given, for reporting errors kong met before it set the flags
	out  atomic.Pointer[Output]
}

// newFactory wires the cached constructors. Nothing is built here.
func newFactory(env Env, flags *Globals, args []string) *Factory {
	f := &Factory{
		IO: env.IO, Flags: flags,
		Getenv: env.Getenv, Environ: env.Environ, Executable: env.Executable,
		Version: env.Version, Commit: env.Commit, GoVersion: env.GoVersion, Clock: env.Clock,
		env: env, args: args,
	}
	f.Settings = sync.OnceValues(f.loadSettings)
	f.PlainHTTP = sync.OnceValues(f.newPlainHTTP)
	f.AuthedHTTP = sync.OnceValues(f.newAuthedHTTP)
	f.TokenSource = sync.OnceValues(f.newTokenSource)
	f.OAuth = sync.OnceValues(f.newOAuth)
	f.Provider = sync.OnceValues(f.newProvider)
	f.Client = sync.OnceValues(f.newClient)
	f.Output = sync.OnceValue(f.newOutput)
	f.Hooks = sync.OnceValue(f.newHooks)
	return f
}

func (f *Factory) loadSettings() (*settings.Settings, error) {
	g := f.Flags
	flags := map[string]string{}
	if g.APIRoot != "" {
		flags["AIGNOSTICS_API_ROOT"] = g.APIRoot
	}
	if g.Output != "" {
		flags["AIGNOSTICS_OUTPUT"] = g.Output
	}
	if g.Timeout != 0 {
		if g.Timeout.Duration() < time.Second {
			return nil, &settings.Error{Setting: "--timeout", Value: g.Timeout.String(), Reason: "must be at least 1s"}
		}
		flags["AIGNOSTICS_REQUEST_TIMEOUT_SECONDS"] = strconv.Itoa(int(g.Timeout.Duration() / time.Second))
	}
	if g.TokenProvider != "" {
		flags["AIGNOSTICS_TOKEN_PROVIDER"] = g.TokenProvider
	}
	if g.ShareToken != "" {
		flags[settings.EnvShareToken] = g.ShareToken.Reveal()
	}
	s, err := settings.Load(settings.LoadOptions{Flags: flags, Getenv: f.Getenv})
	var se *settings.Error
	if errors.As(err, &se) && flags[se.Setting] != "" {
		// The user typed a flag: name it, not the variable it stands for.
		named := *se
		named.Setting = flagOfSetting(se.Setting)
		err = &named
	}
	if err == nil {
		for _, w := range s.Warnings {
			fmt.Fprintf(f.IO.ErrOut, "aignostics: warning: %s\n", w)
		}
	}
	return s, err
}

// flagOfSetting names the global flag that sets a variable.
func flagOfSetting(name string) string {
	switch name {
	case settings.EnvAPIRoot:
		return "--api-root"
	case settings.EnvOutput:
		return "--output"
	case settings.EnvRequestTimeout:
		return "--timeout"
	case settings.EnvTokenProvider:
		return "--token-provider"
	case settings.EnvShareToken:
		return "--share-token"
	}
	return name
}

// HTTPOptions translates the settings into options for an HTTP client without a token.
func (f *Factory) HTTPOptions() (httpx.Options, error) {
	s, err := f.Settings()
	if err != nil {
		return httpx.Options{}, err
	}
	o := resources.Options{UserAgent: httpx.DefaultUserAgent(f.Version)}
	if f.Flags.Verbose {
		o.HTTPDebug = f.IO.ErrOut
	}
	ho := resources.HTTPOptions(s, nil, o)
	ho.Clock = f.Clock
	ho.Secrets = []string{s.ShareToken.Reveal()}
	if !f.Flags.Verbose && f.IO.IsStderrTTY() {
		// A person waiting on backoff is told why (-v logs it anyway).
		ho.Notify = func(line string) { fmt.Fprintln(f.IO.ErrOut, "aignostics: "+line) }
	}
	return ho, nil
}

func (f *Factory) newPlainHTTP() (*httpx.Client, error) {
	o, err := f.HTTPOptions()
	if err != nil {
		return nil, err
	}
	return httpx.New(o)
}

// newAuthedHTTP derives the authenticated client from the plain one: one
// transport, one connection pool and one TLS configuration for both.
func (f *Factory) newAuthedHTTP() (*httpx.Client, error) {
	plain, err := f.PlainHTTP()
	if err != nil {
		return nil, err
	}
	ts, err := f.TokenSource()
	if err != nil {
		return nil, err
	}
	return plain.WithToken(ts), nil
}

func (f *Factory) newTokenSource() (httpx.TokenSource, error) {
	if f.env.TokenSource != nil {
		return f.env.TokenSource, nil
	}
	p, err := f.Provider()
	if err != nil {
		return nil, err
	}
	if p != nil {
		return p, nil
	}
	m, err := f.OAuth()
	if err != nil {
		return nil, err
	}
	return m, nil
}

func (f *Factory) newProvider() (*plugins.Provider, error) {
	s, err := f.Settings()
	if err != nil {
		return nil, err
	}
	if s.TokenProvider == "" {
		return nil, nil
	}
	stdin := f.IO.In
	if !f.IO.CanPrompt() {
		stdin = nil
	}
	p, err := plugins.NewProvider(s.TokenProvider, plugins.ProviderOptions{
		Timeout: s.TokenProviderTimeout,
		Env:     append(append([]string{}, f.Environ...), "AIGNOSTICS_API_ROOT="+s.APIRoot, "AIGNOSTICS_AUDIENCE="+s.Audience),
		Stdin:   stdin,
		Stderr:  f.IO.ErrOut,
		Clock:   f.Clock,
	})
	if err != nil {
		name := settings.EnvTokenProvider
		if f.Flags.TokenProvider != "" {
			name = "--token-provider" // what the user typed
		}
		return nil, cliError(KindConfig, fmt.Errorf("%s: %w", name, err))
	}
	return p, nil
}

func (f *Factory) newOAuth() (*oauth.Manager, error) {
	s, err := f.Settings()
	if err != nil {
		return nil, err
	}
	if s.TokenProvider != "" {
		return nil, cliErrorf(KindConfig, "a token provider is set (AIGNOSTICS_TOKEN_PROVIDER or --token-provider): it replaces login and the token cache; unset it to use login")
	}
	plain, err := f.PlainHTTP()
	if err != nil {
		return nil, err
	}
	return oauth.NewManager(oauth.Config{
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
		PythonTokenFile:     s.PythonTokenFile(),
		Backoff:             s.AuthorizationBackoff,
		LoopbackSameHost:    s.IsLocal(),
		HTTPClient:          plain.HTTP(),
		Stdin:               f.IO.In,
		Stderr:              f.IO.ErrOut,
		Interactive:         f.IO.CanPrompt,
		Clock:               f.Clock,
		LoginHint:           f.loginCommand(s),
	}), nil
}

// loginCommand is the command a user runs to log in with the current settings.
func (f *Factory) loginCommand(s *settings.Settings) string {
	if f.Flags.APIRoot != "" {
		return "aignostics --api-root " + s.APIRoot + " platform login"
	}
	return "aignostics platform login"
}

func (f *Factory) newClient() (*resources.Client, error) {
	s, err := f.Settings()
	if err != nil {
		return nil, err
	}
	hc, err := f.AuthedHTTP()
	if err != nil {
		return nil, err
	}
	return resources.NewFromHTTP(s.APIRoot, hc, resources.Options{Debugf: f.Debugf, Clock: f.Clock,
		StorageEndpoint: s.StorageEmulatorHost, DiscoverStorage: s.IsLocal()}), nil
}

// ReadClient is the client of the commands that read a run (describe,
// items, results, download). With a share token (--share-token or
// AIGNOSTICS_SHARE_TOKEN) it sends that token and no login token, so a run
// shared by token is read without logging in; otherwise it is Client.
func (f *Factory) ReadClient() (*resources.Client, error) {
	s, err := f.Settings()
	if err != nil {
		return nil, err
	}
	if s.ShareToken == "" {
		return f.Client()
	}
	plain, err := f.PlainHTTP()
	if err != nil {
		return nil, err
	}
	f.Debugf("share token given: reading without a login token")
	return resources.NewFromHTTP(s.APIRoot, plain, resources.Options{Debugf: f.Debugf, Clock: f.Clock,
		StorageEndpoint: s.StorageEmulatorHost, DiscoverStorage: s.IsLocal(), ShareToken: s.ShareToken}), nil
}

func (f *Factory) newHooks() *hooks.Runner {
	return &hooks.Runner{Dir: hooks.Dir(f.Getenv), Timeout: f.env.HookTimeout, Env: f.Environ, Stderr: f.IO.ErrOut, Now: f.Clock.Now}
}

// Now is the time on the run's clock.
func (f *Factory) Now() time.Time { return f.Clock.Now() }

// Debugf writes a debug line to stderr when -v was given (secrets redacted).
func (f *Factory) Debugf(format string, args ...any) {
	if !f.Flags.Verbose {
		return
	}
	fmt.Fprintln(f.IO.ErrOut, "debug: "+httpx.Redact(f.scrub(fmt.Sprintf(format, args...))))
}

// scrub masks the share token's value in s wherever it appears (it is sent
// in a query and could surface in a message); settings that do not load
// leave s as it is.
func (f *Factory) scrub(s string) string {
	if f.Flags != nil && f.Flags.ShareToken != "" {
		s = httpx.RedactValues(s, f.Flags.ShareToken.Reveal())
	}
	if f.Getenv != nil {
		if v, ok := f.Getenv(settings.EnvShareToken); ok {
			s = httpx.RedactValues(s, v)
		}
	}
	// Kong may fail before it sets the flag: take the value from the words
	// (a word too short to be a token is left alone, or every "a" would go).
	for i, a := range f.args {
		v, ok := strings.CutPrefix(a, "--share-token=")
		if !ok && a == "--share-token" && i+1 < len(f.args) {
			v, ok = f.args[i+1], true
		}
		if ok && len(v) >= 8 {
			s = httpx.RedactValues(s, v)
		}
	}
	if f.Settings != nil {
		if st, err := f.Settings(); err == nil {
			s = httpx.RedactValues(s, st.ShareToken.Reveal())
		}
	}
	return s
}
