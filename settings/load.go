package settings

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// LoadOptions are the inputs of Load. Zero values use the process's own.
type LoadOptions struct {
	Flags                          map[string]string           // variable name -> value given as a flag
	Getenv                         func(string) (string, bool) // nil: os.LookupEnv
	HomeDir, WorkDir, UserCacheDir string                      // "": as the environment (HOME, XDG_CACHE_HOME, ...) and the OS say
}

// Load computes the effective settings: flags > process environment > env
// file > environment row > defaults. Every bad value gives an *Error naming
// the setting and the value.
func Load(o LoadOptions) (*Settings, error) {
	l := &lookup{flags: o.Flags, getenv: o.Getenv}
	if l.getenv == nil {
		l.getenv = os.LookupEnv
	}
	home, work := o.HomeDir, o.WorkDir
	if home == "" {
		home = homeDir(l.getenv)
	}
	if work == "" {
		work, _ = os.Getwd()
	}
	file, read, ignored, err := readEnvFiles(l, work, home)
	if err != nil {
		return nil, err
	}
	l.file = file
	s := &Settings{Sources: map[string]Source{}, EnvFiles: read}
	if len(ignored) > 0 {
		s.Warnings = append(s.Warnings, fmt.Sprintf("ignored %s from %s: the current directory's .env may not set the token provider, proxies, CA bundles, auth endpoints or an unknown API root; set them in the environment, ~/.aignostics/.env or AIGNOSTICS_ENV_FILE",
			strings.Join(ignored, ", "), filepath.Join(work, ".env")))
	}
	if _, src, ok := l.get(EnvEnvFile); ok {
		s.Sources[EnvEnvFile] = src
	}
	// str records and returns the value of name, or def from defSrc.
	str := func(name, def string, defSrc Source) string {
		if v, src, ok := l.get(name); ok {
			s.Sources[name] = src
			return v
		}
		s.Sources[name] = defSrc
		return def
	}
	if err := s.loadEndpoints(l, str); err != nil {
		return nil, err
	}
	if err := s.loadRest(str, o.UserCacheDir, l.getenv); err != nil {
		return nil, err
	}
	return s, nil
}

// loadEndpoints sets the api root, environment and auth fields.
func (s *Settings) loadEndpoints(l *lookup, str func(string, string, Source) string) error {
	root := str(EnvAPIRoot, DefaultAPIRoot, SourceDefault)
	u, err := checkURL(EnvAPIRoot, root)
	if err != nil {
		return err
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return &Error{Setting: EnvAPIRoot, Value: root, Reason: "must not contain user info, a query or a fragment"}
	}
	s.APIRoot = strings.TrimRight(root, "/")
	explicit := map[string]string{}
	for _, name := range authVars() {
		if v, _, ok := l.get(name); ok {
			explicit[name] = v
		}
	}
	var base map[string]string
	if e, ok := findEnvironment(s.APIRoot); ok {
		s.Environment, base = e.Name, e.authFields()
	} else if len(explicit) == len(authVars()) {
		s.Environment, base = "custom", map[string]string{}
	} else if isLoopbackURL(u) {
		s.Environment, base = "local", localAuthFields(s.APIRoot)
	} else {
		return &Error{Setting: EnvAPIRoot, Value: root, Reason: "unknown endpoint URL: not one of the known environments (" +
			knownRoots() + ") nor loopback; to use it set all seven auth settings " + strings.Join(authVars(), ", ")}
	}
	vals := map[string]string{}
	for _, name := range authVars() {
		vals[name] = str(name, base[name], SourceEnvironment)
	}
	for _, name := range []string{EnvAuthorizationBaseURL, EnvTokenURL, EnvDeviceURL, EnvJWSJSONURL, EnvRedirectURI} {
		if _, err := checkURL(name, vals[name]); err != nil {
			return err
		}
	}
	for _, name := range []string{EnvAudience, EnvClientIDInteractive} {
		if strings.TrimSpace(vals[name]) == "" {
			return &Error{Setting: name, Value: vals[name], Reason: "must not be blank"}
		}
	}
	s.Audience, s.AuthorizationBaseURL, s.TokenURL = vals[EnvAudience], vals[EnvAuthorizationBaseURL], vals[EnvTokenURL]
	s.DeviceURL, s.JWSJSONURL, s.RedirectURI = vals[EnvDeviceURL], vals[EnvJWSJSONURL], vals[EnvRedirectURI]
	s.ClientIDInteractive = vals[EnvClientIDInteractive]

	if s.IsLocal() {
		s.Issuer = str(EnvIssuer, s.APIRoot+"/", SourceEnvironment)
		s.ClientIDDevice = str(EnvClientIDDevice, LocalClientIDDevice, SourceEnvironment)
	} else {
		s.Issuer = str(EnvIssuer, issuerOf(s.AuthorizationBaseURL), SourceDerived)
		s.ClientIDDevice = str(EnvClientIDDevice, "", SourceDefault)
	}
	return nil
}

// loadRest sets everything that does not depend on the environment.
func (s *Settings) loadRest(str func(string, string, Source) string, cacheRoot string, getenv func(string) (string, bool)) error {
	s.Scope = splitScope(str(EnvScope, DefaultScope, SourceDefault))
	s.OrganizationID = str(EnvOrganizationID, "", SourceDefault)
	s.RefreshToken = Secret(str(EnvRefreshToken, "", SourceDefault))
	s.ShareToken = Secret(str(EnvShareToken, "", SourceDefault))

	cache := str(EnvCacheDir, "", SourceDefault)
	if cache == "" && cacheRoot == "" {
		d, err := userCacheDir(getenv)
		if err != nil {
			// Only the token cache needs the directory, and it says so when
			// used: a token provider, `platform info` or the emulator work
			// without one.
			s.cacheDirNote = "not set and there is no user cache directory (" + err.Error() + "); login needs it"
		}
		cacheRoot = d
	}
	if cache == "" && cacheRoot != "" {
		cache = filepath.Join(cacheRoot, "aignostics")
	}
	s.CacheDir = cache

	var err error
	durations := []struct {
		name string
		def  time.Duration
		dst  *time.Duration
	}{
		{EnvRequestTimeout, DefaultRequestTimeout, &s.RequestTimeout},
		{EnvAuthorizationBackoff, DefaultAuthorizationBackoff, &s.AuthorizationBackoff},
		{EnvTokenProviderTimeout, DefaultTokenProviderTimeout, &s.TokenProviderTimeout},
	}
	for _, d := range durations {
		raw := str(d.name, "", SourceDefault)
		*d.dst = d.def
		if raw != "" {
			if *d.dst, err = parseSeconds(d.name, raw); err != nil {
				return err
			}
		}
	}

	s.Output = strings.ToLower(strings.TrimSpace(str(EnvOutput, DefaultOutput, SourceDefault)))
	switch s.Output {
	case "auto", "text", "wide", "json", "jsonl":
	default:
		return &Error{Setting: EnvOutput, Value: s.Output, Reason: "must be one of auto, text, wide, json, jsonl"}
	}
	s.TokenProvider = str(EnvTokenProvider, "", SourceDefault)
	s.GoogleApplicationCredentials = str(EnvGoogleCredentials, "", SourceDefault)
	s.StorageEmulatorHost = str(EnvStorageEmulatorHost, "", SourceDefault)
	s.RequestsCABundle = str(EnvRequestsCABundle, "", SourceDefault)
	s.SSLCertFile = str(EnvSSLCertFile, "", SourceDefault)
	s.HTTPSProxy = str(EnvHTTPSProxy, "", SourceDefault)
	s.HTTPProxy = str(EnvHTTPProxy, "", SourceDefault)
	s.NoProxy = str(EnvNoProxy, "", SourceDefault)
	if err := checkProxy(EnvHTTPSProxy, s.HTTPSProxy); err != nil {
		return err
	}
	return checkProxy(EnvHTTPProxy, s.HTTPProxy)
}

// knownRoots lists the api roots of the environments table.
func knownRoots() string {
	var roots []string
	for _, e := range environments() {
		roots = append(roots, e.APIRoot)
	}
	return strings.Join(roots, ", ")
}

// splitScope splits a comma-separated scope, trimming blanks and dropping
// empty elements.
func splitScope(v string) []string {
	out := []string{}
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// checkURL requires an absolute http or https URL with a host.
func checkURL(name, v string) (*url.URL, error) {
	u, err := url.Parse(v)
	if err != nil {
		return nil, &Error{Setting: name, Value: v, Reason: "not a URL", Err: err}
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, &Error{Setting: name, Value: v, Reason: "must be an http or https URL"}
	}
	if u.Hostname() == "" {
		return nil, &Error{Setting: name, Value: v, Reason: "must name a host"}
	}
	return u, nil
}

// checkProxy accepts "host:port" or a URL with scheme http, https, socks5
// or socks5h and a host; "" is fine (no proxy).
func checkProxy(name, v string) error {
	if v == "" {
		return nil
	}
	raw := v
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return &Error{Setting: name, Value: v, Reason: "not a proxy URL", Err: err}
	}
	switch u.Scheme {
	case "http", "https", "socks5", "socks5h":
	default:
		return &Error{Setting: name, Value: v, Reason: "proxy scheme must be http, https, socks5 or socks5h"}
	}
	if u.Hostname() == "" {
		return &Error{Setting: name, Value: v, Reason: "proxy URL must name a host"}
	}
	return nil
}

// parseSeconds reads a positive duration: a number of seconds ("30", "1.5")
// or a Go duration ("30s", "2m", as the --timeout flag gives it).
func parseSeconds(name, v string) (time.Duration, error) {
	t := strings.TrimSpace(v)
	d, err := time.ParseDuration(t)
	if err != nil {
		d, err = time.ParseDuration(t + "s")
	}
	if err != nil {
		return 0, &Error{Setting: name, Value: v, Reason: "must be a positive number of seconds (or a duration such as 90s)"}
	}
	if d <= 0 {
		return 0, &Error{Setting: name, Value: v, Reason: "must be positive"}
	}
	return d, nil
}

// String summarises the settings without secrets, for debugging.
func (s *Settings) String() string {
	return fmt.Sprintf("environment=%s api_root=%s", s.Environment, s.APIRoot)
}
