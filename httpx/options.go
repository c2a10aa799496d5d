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
	// MaxAnswer bounds a JSON answer's body (after decompression) that
	// JSON reads; default DefaultMaxAnswer.
	MaxAnswer int64
	// AnswerTimeout bounds one attempt of a JSON call from sending to the
	// last byte of its answer, so a server dribbling bytes cannot hold a
	// command forever (the idle timeout alone would never fire); default
	// DefaultAnswerTimeouts times Timeout. Streamed bodies (Do) have none.
	AnswerTimeout time.Duration
	Clock         clock.Clock    // waits between retries and idle-read timers; zero: the system clock
	Rand          func() float64 // jitter source in [0,1); nil: math/rand/v2
}

// Defaults.
const (
	DefaultTimeout    = 30 * time.Second
	DefaultRetryBase  = 3 * time.Second
	DefaultMaxRetries = 4
	MaxBackoff        = retry.DefaultCap // cap of every wait, Retry-After included
	DefaultMaxAnswer  = 64 << 20         // bytes of one JSON answer
	// DefaultAnswerTimeouts is AnswerTimeout's default in units of Timeout.
	DefaultAnswerTimeouts = 4
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
	if o.MaxAnswer <= 0 {
		o.MaxAnswer = DefaultMaxAnswer
	}
	if o.AnswerTimeout <= 0 {
		o.AnswerTimeout = DefaultAnswerTimeouts * o.Timeout
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
