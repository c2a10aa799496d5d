package httpx

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/aignostics/aignostics/internal/clock"
	"github.com/aignostics/aignostics/internal/retry"
)

// Options configure a Client. Zero values mean the defaults.
type Options struct {
	Timeout    time.Duration // connect, TLS, response headers, each idle body read; default 30s
	RetryBase  time.Duration // backoff base, default 3s; doubled per retry, capped at 30s, jittered
	MaxRetries int           // default 4 (0 means default; -1 means none)
	UserAgent  string        // default DefaultUserAgent(main module version from the build info)

	HTTPSProxy, HTTPProxy, NoProxy string // proxy settings (HTTPS_PROXY, HTTP_PROXY, NO_PROXY)
	CABundle                       string // REQUESTS_CA_BUNDLE: PEM added to the system pool
	CertFile                       string // SSL_CERT_FILE: PEM that replaces the system roots

	AuthOrigin string      // "scheme://host[:port]"; the token is sent only to this origin
	Token      TokenSource // nil: no Authorization header

	Debug io.Writer // -v log (redacted); nil: off
	// Secrets are values masked in the debug log and Notify lines wherever
	// they appear, beyond what Redact recognises by shape or by name (a
	// share token sent in a query, say). Empty strings are ignored.
	Secrets []string
	// Notify, when set, is told of each retry before its wait, in one
	// redacted line, so a person is not left staring at a silent terminal.
	Notify func(line string)
	Clock  clock.Clock    // waits between retries and idle-read timers; zero: the system clock
	Rand   func() float64 // jitter source in [0,1); nil: math/rand/v2
	// MaxJSONBody bounds the answer JSON reads and decodes; a larger one is
	// an error (not retried). Default DefaultMaxJSONBody.
	MaxJSONBody int64
}

// Defaults.
const (
	DefaultTimeout    = 30 * time.Second
	DefaultRetryBase  = 3 * time.Second
	DefaultMaxRetries = 4
	MaxBackoff        = retry.DefaultCap // cap of every wait, Retry-After included
	// DefaultMaxJSONBody bounds one JSON answer (a page of a list, a run
	// with its metadata, a version's documents): far above any the API
	// sends, far below what would exhaust memory.
	DefaultMaxJSONBody = 64 << 20
)

// DefaultUserAgent returns "aignostics-go/<version> (<os>; <arch>)". An empty
// version or Go's "(devel)" becomes "dev".
func DefaultUserAgent(version string) string {
	if version == "" || version == "(devel)" {
		version = "dev"
	}
	return fmt.Sprintf("aignostics-go/%s (%s; %s)", version, runtime.GOOS, runtime.GOARCH)
}

// withDefaults returns o with zero values replaced by the defaults.
func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.RetryBase <= 0 {
		o.RetryBase = DefaultRetryBase
	}
	switch {
	case o.MaxRetries == 0:
		o.MaxRetries = DefaultMaxRetries
	case o.MaxRetries < 0:
		o.MaxRetries = 0
	}
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent(buildVersion())
	}
	if o.MaxJSONBody <= 0 {
		o.MaxJSONBody = DefaultMaxJSONBody
	}
	return o
}

// buildVersion returns the main module's version from the build info, ""
// when unknown.
func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		return bi.Main.Version
	}
	return ""
}
