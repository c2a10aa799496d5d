package settings

import (
	"net"
	"net/url"
	"strings"
)

// environment is one row of the table of known platform environments.
type environment struct {
	Name     string
	APIRoot  string
	AuthHost string // Auth0 tenant host
	Audience string
	ClientID string // interactive client id (public, not a secret)
}

// environments returns the known platform environments (DESIGN.md, "Environments").
func environments() []environment {
	const devHost = "dev-8ouohmmrbuh2h4vu.eu.auth0.com"
	return []environment{
		{"production", "https://platform.aignostics.com", "aignostics-platform.eu.auth0.com",
			"https://aignostics-platform-samia", "YtJ7F9lAtxx16SZGQlYPe6wcjlXB78MM"},
		{"staging", "https://platform-staging.aignostics.com", "aignostics-platform-staging.eu.auth0.com",
			"https://aignostics-platform-staging-samia", "fQkbvYzQPPVwLxc3uque5JsyFW00rJ7b"},
		{"dev", "https://platform-dev.aignostics.ai", devHost,
			"https://dev-8ouohmmrbuh2h4vu-samia", "gqduveFvx7LX90drQPGzr4JGUYdh24gA"},
		{"test", "https://platform-test.aignostics.ai", devHost,
			"https://dev-8ouohmmrbuh2h4vu-samia", "gqduveFvx7LX90drQPGzr4JGUYdh24gA"},
	}
}

// Names of the seven auth settings that, given together, define a custom
// environment.
const (
	EnvAudience             = "AIGNOSTICS_AUDIENCE"
	EnvAuthorizationBaseURL = "AIGNOSTICS_AUTHORIZATION_BASE_URL"
	EnvTokenURL             = "AIGNOSTICS_TOKEN_URL"
	EnvDeviceURL            = "AIGNOSTICS_DEVICE_URL"
	EnvJWSJSONURL           = "AIGNOSTICS_JWS_JSON_URL"
	EnvRedirectURI          = "AIGNOSTICS_REDIRECT_URI"
	EnvClientIDInteractive  = "AIGNOSTICS_CLIENT_ID_INTERACTIVE"
)

// authVars lists the seven auth settings in a stable order.
func authVars() []string {
	return []string{EnvAudience, EnvAuthorizationBaseURL, EnvTokenURL, EnvDeviceURL,
		EnvJWSJSONURL, EnvRedirectURI, EnvClientIDInteractive}
}

// authFields returns the auth values of a row keyed by variable name.
func (e environment) authFields() map[string]string {
	h := "https://" + e.AuthHost
	return map[string]string{
		EnvAudience:             e.Audience,
		EnvAuthorizationBaseURL: h + "/authorize",
		EnvTokenURL:             h + "/oauth/token",
		EnvDeviceURL:            h + "/oauth/device/code",
		EnvJWSJSONURL:           h + "/.well-known/jwks.json",
		EnvRedirectURI:          "http://localhost:8989/",
		EnvClientIDInteractive:  e.ClientID,
	}
}

// Client ids of the local environment (the emulator).
const (
	LocalClientIDInteractive = "aignostics-local-interactive"
	LocalClientIDDevice      = "aignostics-local-device"
)

// localAuthFields returns the auth values of the local environment for a
// loopback api root (no trailing slash).
func localAuthFields(root string) map[string]string {
	return map[string]string{
		EnvAudience:             root + "/api",
		EnvAuthorizationBaseURL: root + "/authorize",
		EnvTokenURL:             root + "/oauth/token",
		EnvDeviceURL:            root + "/oauth/device/code",
		EnvJWSJSONURL:           root + "/.well-known/jwks.json",
		EnvRedirectURI:          "http://127.0.0.1:8989/",
		EnvClientIDInteractive:  LocalClientIDInteractive,
	}
}

// findEnvironment returns the row whose api root equals root, ignoring
// trailing slashes and the case of scheme and host.
func findEnvironment(root string) (environment, bool) {
	root = strings.TrimRight(root, "/")
	for _, e := range environments() {
		if strings.EqualFold(e.APIRoot, root) {
			return e, true
		}
	}
	return environment{}, false
}

// IsLoopbackHost reports whether host (without port or brackets) is
// localhost, an address in 127.0.0.0/8, or ::1.
func IsLoopbackHost(host string) bool {
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") || strings.EqualFold(host, "localhost.") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// isLoopbackURL reports whether u names a loopback host.
func isLoopbackURL(u *url.URL) bool { return IsLoopbackHost(u.Hostname()) }

// issuerOf returns "scheme://host[:port]/" of an authorization URL.
func issuerOf(authorizationURL string) string {
	u, err := url.Parse(authorizationURL)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host + "/"
}
