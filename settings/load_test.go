package settings

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fixture is an isolated home, work dir and environment for Load.
type fixture struct {
	t         *testing.T
	home, wd  string
	env       map[string]string
	flags     map[string]string
	cacheRoot string
}

func newFixture(t *testing.T) *fixture {
	d := t.TempDir()
	f := &fixture{t: t, home: filepath.Join(d, "home"), wd: filepath.Join(d, "work"),
		env: map[string]string{}, flags: map[string]string{}, cacheRoot: filepath.Join(d, "cache")}
	for _, p := range []string{f.home, f.wd} {
		if err := os.MkdirAll(p, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *fixture) write(path, content string) string {
	f.t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		f.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		f.t.Fatal(err)
	}
	return path
}

func (f *fixture) homeEnv(content string) string {
	return f.write(filepath.Join(f.home, ".aignostics", ".env"), content)
}

func (f *fixture) workEnv(content string) string {
	return f.write(filepath.Join(f.wd, ".env"), content)
}

func (f *fixture) load() (*Settings, error) {
	return Load(LoadOptions{
		Flags:        f.flags,
		Getenv:       func(k string) (string, bool) { v, ok := f.env[k]; return v, ok },
		HomeDir:      f.home,
		WorkDir:      f.wd,
		UserCacheDir: f.cacheRoot,
	})
}

func (f *fixture) mustLoad() *Settings {
	f.t.Helper()
	s, err := f.load()
	if err != nil {
		f.t.Fatalf("Load: %v", err)
	}
	return s
}

func TestPrecedence(t *testing.T) {
	const v = EnvOrganizationID
	tests := []struct {
		name                  string
		flag, env, work, home string
		want                  string
		src                   Source
	}{
		{"default", "", "", "", "", "", SourceDefault},
		{"home file", "", "", "", "home", "home", SourceFile},
		{"work file beats home file", "", "", "work", "home", "work", SourceFile},
		{"env beats files", "", "env", "work", "home", "env", SourceEnv},
		{"flag beats env", "flag", "env", "work", "home", "flag", SourceFlag},
		{"empty env is unset", "", "", "work", "", "work", SourceFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			if tt.flag != "" {
				f.flags[v] = tt.flag
			}
			f.env[v] = tt.env
			if tt.work != "" {
				f.workEnv(v + "=" + tt.work + "\n")
			}
			if tt.home != "" {
				f.homeEnv(v + "=" + tt.home + "\nAIGNOSTICS_SCOPE=a,b\n")
			}
			s := f.mustLoad()
			if s.OrganizationID != tt.want || s.Sources[v] != tt.src {
				t.Errorf("got %q from %s, want %q from %s", s.OrganizationID, s.Sources[v], tt.want, tt.src)
			}
			if tt.home != "" && !cmp.Equal(s.Scope, []string{"a", "b"}) {
				t.Errorf("a key only in the home file was lost: scope %v", s.Scope)
			}
		})
	}
}

func TestExplicitEnvFileIsTheOnlyFile(t *testing.T) {
	f := newFixture(t)
	f.workEnv("AIGNOSTICS_ORGANIZATION_ID=work\nAIGNOSTICS_SCOPE=w\n")
	f.homeEnv("AIGNOSTICS_ORGANIZATION_ID=home\n")
	f.env[EnvEnvFile] = f.write(filepath.Join(f.home, "custom.env"), "export AIGNOSTICS_ORGANIZATION_ID='custom'\n")
	s := f.mustLoad()
	if s.OrganizationID != "custom" || !cmp.Equal(s.Scope, []string{"offline_access"}) {
		t.Errorf("org %q scope %v: want only the named file read", s.OrganizationID, s.Scope)
	}
	if !cmp.Equal(s.EnvFiles, []string{f.env[EnvEnvFile]}) {
		t.Errorf("EnvFiles = %v", s.EnvFiles)
	}

	f.env[EnvEnvFile] = filepath.Join(f.home, "missing.env")
	_, err := f.load()
	var se *Error
	if !errors.As(err, &se) || se.Setting != EnvEnvFile || !strings.Contains(err.Error(), "missing.env") {
		t.Errorf("missing explicit env file: err = %v", err)
	}
}

func TestMalformedEnvFileNamesFileAndLine(t *testing.T) {
	f := newFixture(t)
	path := f.workEnv("A=1\nBROKEN LINE\n")
	_, err := f.load()
	var se *Error
	if !errors.As(err, &se) || !strings.Contains(err.Error(), path+":2:") {
		t.Fatalf("err = %v, want *Error with %s:2:", err, path)
	}
	var syn *SyntaxError
	if !errors.As(err, &syn) {
		t.Errorf("err does not wrap *SyntaxError: %v", err)
	}
}

func TestEnvironmentRows(t *testing.T) {
	type want struct {
		env, audience, clientID, host string
	}
	prod := want{"production", "https://aignostics-platform-samia", "YtJ7F9lAtxx16SZGQlYPe6wcjlXB78MM", "aignostics-platform.eu.auth0.com"}
	staging := want{"staging", "https://aignostics-platform-staging-samia", "fQkbvYzQPPVwLxc3uque5JsyFW00rJ7b", "aignostics-platform-staging.eu.auth0.com"}
	dev := want{"dev", "https://dev-8ouohmmrbuh2h4vu-samia", "gqduveFvx7LX90drQPGzr4JGUYdh24gA", "dev-8ouohmmrbuh2h4vu.eu.auth0.com"}
	test := dev
	test.env = "test"
	tests := []struct {
		root     string
		wantRoot string
		w        want
	}{
		{"", "https://platform.aignostics.com", prod},
		{"https://platform.aignostics.com", "https://platform.aignostics.com", prod},
		{"https://platform.aignostics.com/", "https://platform.aignostics.com", prod},
		{"HTTPS://Platform.Aignostics.com//", "HTTPS://Platform.Aignostics.com", prod},
		{"https://platform-staging.aignostics.com", "https://platform-staging.aignostics.com", staging},
		{"https://platform-staging.aignostics.com/", "https://platform-staging.aignostics.com", staging},
		{"https://platform-dev.aignostics.ai", "https://platform-dev.aignostics.ai", dev},
		{"https://platform-dev.aignostics.ai/", "https://platform-dev.aignostics.ai", dev},
		{"https://platform-test.aignostics.ai", "https://platform-test.aignostics.ai", test},
		{"https://platform-test.aignostics.ai/", "https://platform-test.aignostics.ai", test},
	}
	for _, tt := range tests {
		t.Run(tt.root, func(t *testing.T) {
			f := newFixture(t)
			if tt.root != "" {
				f.env[EnvAPIRoot] = tt.root
			}
			s := f.mustLoad()
			h := "https://" + tt.w.host
			got := []string{s.Environment, s.APIRoot, s.Audience, s.ClientIDInteractive, s.AuthorizationBaseURL,
				s.TokenURL, s.DeviceURL, s.JWSJSONURL, s.Issuer, s.RedirectURI, s.ClientIDDevice}
			wantVals := []string{tt.w.env, tt.wantRoot, tt.w.audience, tt.w.clientID, h + "/authorize",
				h + "/oauth/token", h + "/oauth/device/code", h + "/.well-known/jwks.json", h + "/", "http://localhost:8989/", ""}
			if diff := cmp.Diff(wantVals, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
			if s.IsLocal() {
				t.Error("IsLocal() on a platform environment")
			}
			if s.Sources[EnvAudience] != SourceEnvironment || s.Sources[EnvIssuer] != SourceDerived {
				t.Errorf("sources audience=%s issuer=%s", s.Sources[EnvAudience], s.Sources[EnvIssuer])
			}
		})
	}
}

func TestLocalEnvironment(t *testing.T) {
	for _, root := range []string{
		"http://localhost:8780", "http://localhost:8780/", "http://127.0.0.1:8780", "http://127.0.0.1",
		"http://127.4.5.6:1", "http://[::1]:9000", "https://localhost", "http://LOCALHOST:8000/",
	} {
		t.Run(root, func(t *testing.T) {
			f := newFixture(t)
			f.flags[EnvAPIRoot] = root
			s := f.mustLoad()
			r := strings.TrimRight(root, "/")
			got := []string{s.Environment, s.APIRoot, s.Audience, s.AuthorizationBaseURL, s.TokenURL, s.DeviceURL,
				s.JWSJSONURL, s.Issuer, s.ClientIDInteractive, s.ClientIDDevice, s.RedirectURI}
			want := []string{"local", r, r + "/api", r + "/authorize", r + "/oauth/token", r + "/oauth/device/code",
				r + "/.well-known/jwks.json", r + "/", "aignostics-local-interactive", "aignostics-local-device", "http://127.0.0.1:8989/"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
			if !s.IsLocal() || s.Sources[EnvAPIRoot] != SourceFlag {
				t.Errorf("IsLocal %v source %s", s.IsLocal(), s.Sources[EnvAPIRoot])
			}
		})
	}
}

func TestLocalKeepsExplicitFields(t *testing.T) {
	f := newFixture(t)
	f.env[EnvAPIRoot] = "http://127.0.0.1:8780"
	f.env[EnvClientIDDevice] = "my-device"
	f.env[EnvRedirectURI] = "http://127.0.0.1:9999/cb"
	s := f.mustLoad()
	if s.ClientIDDevice != "my-device" || s.RedirectURI != "http://127.0.0.1:9999/cb" || s.Environment != "local" {
		t.Errorf("got %q %q %q", s.Environment, s.ClientIDDevice, s.RedirectURI)
	}
}

func allSeven(host string) map[string]string {
	return map[string]string{
		EnvAudience:             "aud-x",
		EnvAuthorizationBaseURL: "https://" + host + "/authorize",
		EnvTokenURL:             "https://" + host + "/oauth/token",
		EnvDeviceURL:            "https://" + host + "/oauth/device/code",
		EnvJWSJSONURL:           "https://" + host + "/jwks",
		EnvRedirectURI:          "http://localhost:1234/",
		EnvClientIDInteractive:  "client-x",
	}
}

func TestCustomEnvironmentNeedsAllSeven(t *testing.T) {
	f := newFixture(t)
	f.env[EnvAPIRoot] = "https://platform.example.org/"
	for k, v := range allSeven("auth.example.org:8443") {
		f.env[k] = v
	}
	s := f.mustLoad()
	if s.Environment != "custom" || s.Audience != "aud-x" || s.TokenURL != "https://auth.example.org:8443/oauth/token" ||
		s.Issuer != "https://auth.example.org:8443/" || s.APIRoot != "https://platform.example.org" {
		t.Errorf("custom: %+v", s)
	}

	for _, missing := range authVars() {
		t.Run("without "+missing, func(t *testing.T) {
			g := newFixture(t)
			g.env[EnvAPIRoot] = "https://platform.example.org"
			for k, v := range allSeven("auth.example.org") {
				if k != missing {
					g.env[k] = v
				}
			}
			_, err := g.load()
			var se *Error
			if !errors.As(err, &se) || se.Setting != EnvAPIRoot {
				t.Fatalf("err = %v, want *Error for %s", err, EnvAPIRoot)
			}
		})
	}
}

func TestUnknownRoot(t *testing.T) {
	f := newFixture(t)
	f.env[EnvAPIRoot] = "https://platform.example.org"
	_, err := f.load()
	var se *Error
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want *Error", err)
	}
	msg := err.Error()
	for _, want := range append(authVars(), "unknown endpoint URL", `AIGNOSTICS_API_ROOT="https://platform.example.org"`) {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
}

func TestExplicitFieldsOverKnownRow(t *testing.T) {
	f := newFixture(t)
	f.env[EnvAPIRoot] = "https://platform-staging.aignostics.com"
	f.env[EnvClientIDInteractive] = "override-id"
	f.homeEnv("AIGNOSTICS_AUTHORIZATION_BASE_URL=https://login.example.com:444/authorize\n")
	s := f.mustLoad()
	if s.Environment != "staging" || s.ClientIDInteractive != "override-id" || s.Audience != "https://aignostics-platform-staging-samia" {
		t.Errorf("got env %s client %s audience %s", s.Environment, s.ClientIDInteractive, s.Audience)
	}
	if s.Issuer != "https://login.example.com:444/" || s.Sources[EnvAuthorizationBaseURL] != SourceFile || s.Sources[EnvClientIDInteractive] != SourceEnv {
		t.Errorf("issuer %s sources %v", s.Issuer, s.Sources)
	}
	f.env[EnvIssuer] = "https://issuer.example.com/"
	if s := f.mustLoad(); s.Issuer != "https://issuer.example.com/" || s.Sources[EnvIssuer] != SourceEnv {
		t.Errorf("explicit issuer: %s from %s", s.Issuer, s.Sources[EnvIssuer])
	}
}

func TestValidation(t *testing.T) {
	tests := []struct {
		name, key, value, reason string
	}{
		{"root not a URL", EnvAPIRoot, "platform.aignostics.com", "http or https"},
		{"root ftp", EnvAPIRoot, "ftp://platform.aignostics.com", "http or https"},
		{"root no host", EnvAPIRoot, "https://", "host"},
		{"root bad escape", EnvAPIRoot, "https://a%zz", "not a URL"},
		{"root with query", EnvAPIRoot, "http://localhost:8780/?x=1", "query"},
		{"root with user", EnvAPIRoot, "https://u@platform.aignostics.com", "user info"},
		{"token url", EnvTokenURL, "file:///etc/passwd", "http or https"},
		{"redirect no host", EnvRedirectURI, "http:///cb", "host"},
		{"jwks", EnvJWSJSONURL, "jwks.json", "http or https"},
		{"timeout zero", EnvRequestTimeout, "0", "positive"},
		{"timeout negative", EnvRequestTimeout, "-3", "positive"},
		{"timeout words", EnvRequestTimeout, "soon", "seconds"},
		{"backoff negative duration", EnvAuthorizationBackoff, "-1s", "positive"},
		{"provider timeout", EnvTokenProviderTimeout, "1e9", "seconds"},
		{"output", EnvOutput, "yaml", "auto, text, wide, json, jsonl"},
		{"proxy scheme", EnvHTTPSProxy, "ftp://proxy:21", "proxy scheme"},
		{"blank client id", EnvClientIDInteractive, "   ", "blank"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.env[tt.key] = tt.value
			_, err := f.load()
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want *Error", err)
			}
			if se.Setting != tt.key || !strings.Contains(se.Reason, tt.reason) || !strings.Contains(err.Error(), tt.key+"=") ||
				!strings.Contains(err.Error(), strings.TrimSpace(tt.value)) {
				t.Errorf("err = %q (setting %s), want %s and %q", err, se.Setting, tt.key, tt.reason)
			}
		})
	}
}

func TestDurationsAndScope(t *testing.T) {
	tests := []struct {
		name, timeout, backoff string
		flag                   bool
		wantTimeout            time.Duration
		wantBackoff            time.Duration
	}{
		{"defaults", "", "", false, 30 * time.Second, 3 * time.Second},
		{"seconds", "90", "5", false, 90 * time.Second, 5 * time.Second},
		{"fraction", "1.5", "0.25", false, 1500 * time.Millisecond, 250 * time.Millisecond},
		{"go duration from flag", "2m", "", true, 2 * time.Minute, 3 * time.Second},
		{"plain from flag", "45", "", true, 45 * time.Second, 3 * time.Second},
		{"go duration in env", "90s", "", false, 90 * time.Second, 3 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			m := f.env
			if tt.flag {
				m = f.flags
			}
			if tt.timeout != "" {
				m[EnvRequestTimeout] = tt.timeout
			}
			if tt.backoff != "" {
				f.env[EnvAuthorizationBackoff] = tt.backoff
			}
			s := f.mustLoad()
			if s.RequestTimeout != tt.wantTimeout || s.AuthorizationBackoff != tt.wantBackoff || s.TokenProviderTimeout != 30*time.Second {
				t.Errorf("timeout %v backoff %v provider %v", s.RequestTimeout, s.AuthorizationBackoff, s.TokenProviderTimeout)
			}
		})
	}

	for in, want := range map[string][]string{
		"":                              {"offline_access"},
		"offline_access":                {"offline_access"},
		" a , b,,c ,":                   {"a", "b", "c"},
		"openid,profile,offline_access": {"openid", "profile", "offline_access"},
	} {
		f := newFixture(t)
		if in != "" {
			f.env[EnvScope] = in
		}
		if got := f.mustLoad().Scope; !cmp.Equal(got, want) {
			t.Errorf("scope %q -> %q, want %q", in, got, want)
		}
	}
}

func TestOtherDefaults(t *testing.T) {
	f := newFixture(t)
	s := f.mustLoad()
	if s.CacheDir != filepath.Join(f.cacheRoot, "aignostics") || s.Output != "auto" || s.RefreshToken != "" || s.TokenProvider != "" {
		t.Errorf("defaults: cache %s output %s", s.CacheDir, s.Output)
	}
	f.env[EnvCacheDir] = "/tmp/x"
	f.env[EnvOutput] = "JSONL"
	f.env["https_proxy"] = "http://lower:3128"
	f.env[EnvHTTPProxy] = "proxy.local:8080"
	f.env["no_proxy"] = "a,b"
	f.env[EnvNoProxy] = "upper"
	s = f.mustLoad()
	if s.CacheDir != "/tmp/x" || s.Output != "jsonl" || s.HTTPSProxy != "http://lower:3128" || s.HTTPProxy != "proxy.local:8080" || s.NoProxy != "upper" {
		t.Errorf("got cache %s output %s proxies %q %q %q", s.CacheDir, s.Output, s.HTTPSProxy, s.HTTPProxy, s.NoProxy)
	}
}

func TestEntries(t *testing.T) {
	f := newFixture(t)
	f.env[EnvRefreshToken] = "refresh-secret-123"
	f.env[EnvSSLCertFile] = "/etc/ca.pem"
	f.env[EnvHTTPSProxy] = "http://user:hunter2@proxy:3128"
	envFile := f.workEnv("AIGNOSTICS_ORGANIZATION_ID=org-1\n")
	s := f.mustLoad()

	byName := func(es []Entry) map[string]Entry {
		m := map[string]Entry{}
		for _, e := range es {
			m[e.Name] = e
		}
		return m
	}
	masked := byName(s.Entries(true))
	for _, name := range Variables() {
		if _, ok := masked[name]; !ok {
			t.Errorf("Entries lacks %s", name)
		}
	}
	checks := []struct {
		name, value, source string
	}{
		{"environment", "production", "derived"},
		{EnvEnvFile, envFile, "default"},
		{EnvAPIRoot, "https://platform.aignostics.com", "default"},
		{EnvAudience, "https://aignostics-platform-samia", "environment"},
		{EnvRefreshToken, "**********", "env"},
		{EnvOrganizationID, "org-1", "file"},
		{EnvRequestTimeout, "30", "default"},
		{EnvScope, "offline_access", "default"},
		{EnvHTTPSProxy, "http://user:xxxxx@proxy:3128", "env"},
	}
	for _, c := range checks {
		if e := masked[c.name]; e.Value != c.value || e.Source != c.source {
			t.Errorf("%s = %+v, want %q from %s", c.name, e, c.value, c.source)
		}
	}
	if n := masked[EnvSSLCertFile].Note; !strings.Contains(n, "replaces the system CA roots") {
		t.Errorf("SSL_CERT_FILE note %q", n)
	}
	for _, e := range s.Entries(true) {
		if strings.Contains(e.Value, "refresh-secret") || strings.Contains(e.Value, "hunter2") {
			t.Errorf("masked entry leaks: %+v", e)
		}
	}
	plain := byName(s.Entries(false))
	if plain[EnvRefreshToken].Value != "refresh-secret-123" || plain[EnvHTTPSProxy].Value != "http://user:hunter2@proxy:3128" {
		t.Errorf("unmasked entries: %+v %+v", plain[EnvRefreshToken], plain[EnvHTTPSProxy])
	}
}

func TestErrorMasksSecretValue(t *testing.T) {
	e := &Error{Setting: EnvRefreshToken, Value: "abc-secret", Reason: "too short"}
	if strings.Contains(e.Error(), "abc-secret") || !strings.Contains(e.Error(), EnvRefreshToken) {
		t.Errorf("Error() = %q", e.Error())
	}
	f := newFixture(t)
	f.env[EnvAPIRoot] = "https://user:pa55word@platform.aignostics.com"
	_, err := f.load()
	if err == nil || strings.Contains(err.Error(), "pa55word") || !strings.Contains(err.Error(), "user:xxxxx@") {
		t.Errorf("api root with a password: err = %v", err)
	}
}

func TestIsLoopbackHost(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "LocalHost": true, "127.0.0.1": true, "127.255.0.9": true, "::1": true, "[::1]": true,
		"128.0.0.1": false, "platform.aignostics.com": false, "localhost.example.com": false, "": false, "::2": false, "0.0.0.0": false,
	} {
		if got := IsLoopbackHost(host); got != want {
			t.Errorf("IsLoopbackHost(%q) = %v", host, got)
		}
	}
}

func TestDirsFromGivenEnvironment(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Linux layout")
	}
	d := t.TempDir()
	home := filepath.Join(d, "h")
	env := map[string]string{"HOME": home}
	if err := os.MkdirAll(filepath.Join(home, ".aignostics"), 0o700); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(home, ".aignostics", ".env"), []byte("AIGNOSTICS_ORGANIZATION_ID=from-home\n"), 0o600)
	load := func() *Settings {
		s, err := Load(LoadOptions{Getenv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }, WorkDir: d})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := load()
	if s.OrganizationID != "from-home" || s.CacheDir != filepath.Join(home, ".cache", "aignostics") {
		t.Errorf("org %q cache %q", s.OrganizationID, s.CacheDir)
	}
	env["XDG_CACHE_HOME"] = filepath.Join(d, "xdg")
	if s := load(); s.CacheDir != filepath.Join(d, "xdg", "aignostics") {
		t.Errorf("cache %q, want under XDG_CACHE_HOME", s.CacheDir)
	}
}

func TestUnreadableDefaultEnvFile(t *testing.T) {
	f := newFixture(t)
	dir := filepath.Join(f.wd, ".env")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	_, err := f.load()
	var se *Error
	if !errors.As(err, &se) || !strings.Contains(err.Error(), dir) {
		t.Errorf("err = %v, want an *Error naming %s", err, dir)
	}
}

func TestEnvFileCannotNameAnotherEnvFile(t *testing.T) {
	f := newFixture(t)
	other := f.write(filepath.Join(f.wd, "other.env"), "AIGNOSTICS_ORGANIZATION_ID=other\n")
	f.workEnv("AIGNOSTICS_ENV_FILE=" + other + "\nAIGNOSTICS_SCOPE=x\n")
	s := f.mustLoad()
	if s.OrganizationID != "" || !cmp.Equal(s.Scope, []string{"x"}) {
		t.Errorf("org %q scope %v: AIGNOSTICS_ENV_FILE from a file must be ignored", s.OrganizationID, s.Scope)
	}
}

// TestWorkDirEnvIsNotTrusted: ./.env (a cloned repository) may not set
// what runs programs, routes traffic or changes trust; those keys are
// ignored with one warning and the other sources still set them.
func TestWorkDirEnvIsNotTrusted(t *testing.T) {
	f := newFixture(t)
	f.workEnv(strings.Join([]string{
		"AIGNOSTICS_TOKEN_PROVIDER=/tmp/evil",
		"HTTPS_PROXY=http://evil:3128", "http_proxy=evil:3128", "NO_PROXY=*",
		"REQUESTS_CA_BUNDLE=./ca.pem", "SSL_CERT_FILE=./ca.pem", "STORAGE_EMULATOR_HOST=evil:9000",
		"AIGNOSTICS_TOKEN_URL=https://evil/oauth/token", "AIGNOSTICS_ISSUER=https://evil/",
		"AIGNOSTICS_API_ROOT=https://evil.example",
		"AIGNOSTICS_OUTPUT=json", // harmless: kept
	}, "\n") + "\n")
	f.homeEnv("HTTPS_PROXY=http://corp:3128\n")
	s := f.mustLoad()
	if s.TokenProvider != "" || s.HTTPProxy != "" || s.NoProxy != "" || s.RequestsCABundle != "" || s.SSLCertFile != "" ||
		s.APIRoot != DefaultAPIRoot || strings.Contains(s.TokenURL, "evil") || strings.Contains(s.Issuer, "evil") {
		t.Errorf("./.env set an untrusted value: %+v", s)
	}
	if s.HTTPSProxy != "http://corp:3128" || s.Output != "json" {
		t.Errorf("HTTPS_PROXY %q (want the home file's), output %q (want ./.env's)", s.HTTPSProxy, s.Output)
	}
	if len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0], "AIGNOSTICS_TOKEN_PROVIDER") || !strings.Contains(s.Warnings[0], "AIGNOSTICS_API_ROOT") ||
		strings.Contains(s.Warnings[0], "evil") || strings.Contains(s.Warnings[0], "AIGNOSTICS_OUTPUT") {
		t.Errorf("warnings %q, want one line naming the ignored keys (not their values)", s.Warnings)
	}

	// A known environment or loopback as API root is fine in ./.env.
	for _, root := range []string{"https://platform-staging.aignostics.com", "http://127.0.0.1:8000"} {
		f := newFixture(t)
		f.workEnv("AIGNOSTICS_API_ROOT=" + root + "\n")
		if s := f.mustLoad(); s.APIRoot != root || len(s.Warnings) != 0 {
			t.Errorf("./.env API root %s: got %s, warnings %q", root, s.APIRoot, s.Warnings)
		}
	}
	// AIGNOSTICS_ENV_FILE naming the same file trusts it.
	f2 := newFixture(t)
	p := f2.workEnv("AIGNOSTICS_TOKEN_PROVIDER=/usr/bin/provider\n")
	f2.env[EnvEnvFile] = p
	if s := f2.mustLoad(); s.TokenProvider != "/usr/bin/provider" || len(s.Warnings) != 0 {
		t.Errorf("AIGNOSTICS_ENV_FILE: provider %q, warnings %q", s.TokenProvider, s.Warnings)
	}
}
