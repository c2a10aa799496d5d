package oauth

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/internal/clock"
	"github.com/aignostics/aignostics/internal/retry"
)

// Config describes the authorization server, the client and the
// surroundings (streams, clock, browser) a Manager works with.
type Config struct {
	// AuthorizeURL, TokenURL, DeviceURL and JWKSURL are the authorization
	// server's endpoints; Issuer and Audience are the expected iss and aud.
	AuthorizeURL, TokenURL, DeviceURL, JWKSURL, Issuer, Audience string
	// ClientIDInteractive is used for PKCE and refresh; ClientIDDevice
	// ("" = no device flow unless asked for) for the device flow.
	ClientIDInteractive, ClientIDDevice, RedirectURI, Organization string
	// Scope is sent space-joined.
	Scope []string
	// RefreshTokenSeed (AIGNOSTICS_REFRESH_TOKEN) seeds the cache.
	RefreshTokenSeed string
	// CacheDir holds the token cache files (created 0700).
	CacheDir string
	// PythonTokenFile is the Python SDK's cached token ("JWT:EXP"), read
	// (never written) when the cache holds no token; "" means
	// CacheDir/.token, where the SDK keeps it on Linux and macOS.
	PythonTokenFile string
	// Backoff is the wait between attempts to bind a busy loopback port and
	// the base of the retry backoff of token requests; 0 means 3s.
	Backoff time.Duration
	// LoopbackSameHost treats localhost, 127.0.0.1 and ::1 as one host when
	// comparing iss and aud (local environment).
	LoopbackSameHost bool
	// HTTPClient talks to the authorization server; nil means a client with
	// a 30s timeout. It must not add an Authorization header.
	HTTPClient *http.Client
	// Stdin is read for a pasted redirect URL when Interactive() is true;
	// Stderr receives every message meant for the person logging in.
	Stdin  io.Reader
	Stderr io.Writer
	// Interactive reports whether stdin and stderr are terminals; nil means false.
	Interactive func() bool
	// HasBrowser reports whether a browser can be opened; nil means
	// DefaultHasBrowser(os.LookupEnv).
	HasBrowser func() bool
	// OpenBrowser opens url; nil means DefaultOpenBrowser(os.LookupEnv).
	OpenBrowser func(url string) error
	// Clock tells the time and waits (backoff, polling, the cache lock);
	// zero means the system clock.
	Clock clock.Clock
	// LoginTimeout bounds the wait for the browser callback; 0 means 5m.
	LoginTimeout time.Duration
	// LoginHint is the command that logs in, named in LoginRequiredError
	// (the command line sets its own; "" names none).
	LoginHint string
}

// LoginOptions chooses how Login runs.
type LoginOptions struct {
	// Relogin runs a new flow even when a valid token is cached.
	Relogin bool
	// Device forces the device flow.
	Device bool
	// NoBrowser runs PKCE printing the URL without opening a browser.
	NoBrowser bool
}

const (
	defaultBackoff      = 3 * time.Second
	defaultLoginTimeout = 5 * time.Minute
	refreshMargin       = 5 * time.Minute
	expiryLeeway        = 30 * time.Second // the least validity a token is used with
)

func (c *Config) fill() {
	if c.Backoff <= 0 {
		c.Backoff = defaultBackoff
	}
	if c.LoginTimeout <= 0 {
		c.LoginTimeout = defaultLoginTimeout
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 30 * time.Second, CheckRedirect: httpx.CheckRedirect}
	}
	if c.Stdin == nil {
		c.Stdin = strings.NewReader("")
	}
	if c.Stderr == nil {
		c.Stderr = io.Discard
	}
	if c.Interactive == nil {
		c.Interactive = func() bool { return false }
	}
	if c.HasBrowser == nil {
		c.HasBrowser = func() bool { return DefaultHasBrowser(os.LookupEnv) }
	}
	if c.OpenBrowser == nil {
		open := DefaultOpenBrowser(os.LookupEnv)
		c.OpenBrowser = open
	}
}

// policy is the retry policy of the flows: the configured backoff and
// clock, and a line on stderr for a person at a terminal.
func policy(c *Config, retries int) retry.Policy {
	return retry.Policy{
		Base: c.Backoff, Retries: retries, Clock: c.Clock,
		Notify: func(ev retry.Event) {
			if c.Interactive() {
				fmt.Fprintln(c.Stderr, ev.String())
			}
		},
	}
}

// policy is the retry policy of m's flows.
func (m *Manager) policy(retries int) retry.Policy { return policy(&m.c, retries) }
