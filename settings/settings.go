package settings

import (
	"time"
)

// Source says where an effective value came from.
type Source string

// Sources of values, highest precedence first.
const (
	SourceFlag        Source = "flag"        // a command-line flag
	SourceEnv         Source = "env"         // the process environment
	SourceFile        Source = "file"        // an env file
	SourceEnvironment Source = "environment" // the row of the environments table
	SourceDerived     Source = "derived"     // computed from other settings
	SourceDefault     Source = "default"     // the built-in default
)

// Names of the settings variables not declared with the auth fields.
const (
	EnvAPIRoot              = "AIGNOSTICS_API_ROOT"
	EnvIssuer               = "AIGNOSTICS_ISSUER"
	EnvClientIDDevice       = "AIGNOSTICS_CLIENT_ID_DEVICE"
	EnvScope                = "AIGNOSTICS_SCOPE"
	EnvOrganizationID       = "AIGNOSTICS_ORGANIZATION_ID"
	EnvRefreshToken         = "AIGNOSTICS_REFRESH_TOKEN"
	EnvShareToken           = "AIGNOSTICS_SHARE_TOKEN"
	EnvCacheDir             = "AIGNOSTICS_CACHE_DIR"
	EnvRequestTimeout       = "AIGNOSTICS_REQUEST_TIMEOUT_SECONDS"
	EnvAuthorizationBackoff = "AIGNOSTICS_AUTHORIZATION_BACKOFF_SECONDS"
	EnvOutput               = "AIGNOSTICS_OUTPUT"
	EnvTokenProvider        = "AIGNOSTICS_TOKEN_PROVIDER"
	EnvTokenProviderTimeout = "AIGNOSTICS_TOKEN_PROVIDER_TIMEOUT_SECONDS"
	EnvGoogleCredentials    = "GOOGLE_APPLICATION_CREDENTIALS"
	EnvStorageEmulatorHost  = "STORAGE_EMULATOR_HOST"
	EnvRequestsCABundle     = "REQUESTS_CA_BUNDLE"
	EnvSSLCertFile          = "SSL_CERT_FILE"
	EnvHTTPSProxy           = "HTTPS_PROXY"
	EnvHTTPProxy            = "HTTP_PROXY"
	EnvNoProxy              = "NO_PROXY"
	EnvEnvFile              = "AIGNOSTICS_ENV_FILE" // names the only env file to read
)

// Defaults of the settings that have one.
const (
	DefaultAPIRoot              = "https://platform.aignostics.com"
	DefaultScope                = "offline_access"
	DefaultRequestTimeout       = 30 * time.Second
	DefaultAuthorizationBackoff = 3 * time.Second
	DefaultTokenProviderTimeout = 30 * time.Second
	DefaultOutput               = "auto"
)

// Variables returns every settings variable in the order `platform info`
// shows them.
func Variables() []string {
	return append(append([]string{EnvAPIRoot}, authVars()...),
		EnvIssuer, EnvClientIDDevice, EnvScope, EnvOrganizationID, EnvRefreshToken, EnvShareToken, EnvCacheDir,
		EnvRequestTimeout, EnvAuthorizationBackoff, EnvOutput, EnvTokenProvider, EnvTokenProviderTimeout,
		EnvGoogleCredentials, EnvStorageEmulatorHost, EnvRequestsCABundle, EnvSSLCertFile,
		EnvHTTPSProxy, EnvHTTPProxy, EnvNoProxy)
}

// Settings is the effective configuration. Sources records, per variable
// name, where each value came from.
type Settings struct {
	APIRoot     string // trailing slash removed
	Environment string // production|staging|dev|test|local|custom

	Audience, AuthorizationBaseURL, TokenURL, DeviceURL, JWSJSONURL, RedirectURI string
	ClientIDInteractive, ClientIDDevice, Issuer                                  string

	Scope          []string
	OrganizationID string
	RefreshToken   Secret
	ShareToken     Secret // reads a run shared by token (--share-token)
	CacheDir       string // "" when not set and there is no user cache directory (no $HOME)

	RequestTimeout, AuthorizationBackoff, TokenProviderTimeout time.Duration

	Output        string // auto|text|json|jsonl
	TokenProvider string

	GoogleApplicationCredentials, StorageEmulatorHost string
	RequestsCABundle, SSLCertFile                     string
	HTTPSProxy, HTTPProxy, NoProxy                    string

	Sources  map[string]Source // key: variable name, e.g. "AIGNOSTICS_API_ROOT"
	EnvFiles []string          // env files that were read, in the order read
	// Warnings are one-line notes for stderr, e.g. keys of ./.env that
	// were ignored as untrusted.
	Warnings []string

	cacheDirNote string // why CacheDir is empty, for `platform info`
}

// IsLocal reports whether the api root is a loopback address served by the
// local environment (the emulator).
func (s *Settings) IsLocal() bool { return s.Environment == "local" }
