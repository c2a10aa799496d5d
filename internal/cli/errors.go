package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/aignostics/aignostics/checksum"
	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/jwt"
	"github.com/aignostics/aignostics/oauth"
	"github.com/aignostics/aignostics/plugins"
	"github.com/aignostics/aignostics/resources"
	"github.com/aignostics/aignostics/settings"
)

// Kind is what went wrong, as scripts see it in `{"error": KIND, ...}`. Its
// exit code follows from it (ExitCode): call sites name the kind only.
type Kind string

// Error kinds (DESIGN.md, "Exit codes").
const (
	KindUsage       Kind = "usage"
	KindInvalid     Kind = "invalid"
	KindNotFound    Kind = "not_found"
	KindConflict    Kind = "conflict"
	KindForbidden   Kind = "forbidden"
	KindConfig      Kind = "config"
	KindAuth        Kind = "auth"
	KindServer      Kind = "server"
	KindNetwork     Kind = "network"
	KindTimeout     Kind = "timeout"
	KindFailed      Kind = "failed"
	KindIntegrity   Kind = "integrity"
	KindInterrupted Kind = "interrupted"
)

// ExitCode is the process exit code of an error of kind k: the one table
// from kind to exit code.
func (k Kind) ExitCode() int {
	switch k {
	case KindUsage, KindInvalid, KindNotFound, KindConflict, KindForbidden, KindConfig:
		return 2
	case KindAuth:
		return 4
	case KindIntegrity:
		return 5
	case KindInterrupted:
		return 130
	}
	return 1 // server, network, timeout, failed, and anything unknown
}

// ExitError is an error with the kind the command line reports it as.
type ExitError struct {
	Kind Kind
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// Code is the exit code of the error's kind.
func (e *ExitError) Code() int { return e.Kind.ExitCode() }

// cliError gives err the kind the command line reports it as.
func cliError(kind Kind, err error) error {
	return &ExitError{Kind: kind, Err: err}
}

// cliErrorf is cliError with a formatted message (%w wraps as in fmt.Errorf).
func cliErrorf(kind Kind, format string, args ...any) error {
	return &ExitError{Kind: kind, Err: fmt.Errorf(format, args...)}
}

// classify returns the kind of err: the one given with cliError, else the
// kind of the library error inside it (classifyDomain, HTTP statuses).
func classify(err error) Kind {
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Kind
	}
	if errors.Is(err, context.Canceled) {
		return KindInterrupted
	}
	if kind, ok := classifyDomain(err); ok {
		return kind
	}
	var ae *httpx.APIError
	if errors.As(err, &ae) {
		switch {
		case ae.StatusCode == 401:
			return KindAuth
		case ae.StatusCode == 403:
			return KindForbidden
		case ae.StatusCode == 404 || ae.StatusCode == 410:
			return KindNotFound
		case ae.StatusCode == 409 || ae.StatusCode == 412:
			return KindConflict
		case ae.StatusCode == 400 || ae.StatusCode == 422:
			return KindInvalid
		case ae.StatusCode >= 500 || ae.StatusCode == 429:
			return KindServer
		}
		return KindFailed
	}
	if errors.Is(err, httpx.ErrMaybeSent) {
		return KindNetwork
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return KindTimeout
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return KindNetwork
	}
	return KindFailed
}

// classifyDomain maps the sentinel and typed errors of the library packages
// to kinds.
func classifyDomain(err error) (Kind, bool) {
	var (
		se *settings.Error
		ce *httpx.ConfigError
		pe *plugins.ProviderError
		te *oauth.TokenError
	)
	if errors.As(err, &te) && !errors.Is(err, oauth.ErrLoginRequired) && !errors.Is(err, oauth.ErrLoginFailed) {
		switch {
		case te.StatusCode >= 500 || te.StatusCode == 429:
			return KindServer, true // the server failed; the login is not at fault
		case te.StatusCode == 407:
			return KindNetwork, true // a proxy in between refused
		}
	}
	switch {
	case errors.As(err, &se), errors.As(err, &ce),
		errors.Is(err, oauth.ErrNoDeviceClient), errors.Is(err, oauth.ErrBadRedirectURI):
		return KindConfig, true
	case errors.Is(err, oauth.ErrLoginRequired), errors.Is(err, oauth.ErrLoginFailed),
		errors.As(err, &te), errors.As(err, &pe):
		return KindAuth, true
	case errors.Is(err, checksum.ErrMismatch), errors.Is(err, resources.ErrIntegrity):
		return KindIntegrity, true
	case errors.Is(err, resources.ErrNoVersions):
		return KindNotFound, true
	case errors.Is(err, resources.ErrNoBucketKeys):
		return KindForbidden, true
	case errors.Is(err, resources.ErrArtifactsDeleted), errors.Is(err, resources.ErrDownloadFailed):
		return KindFailed, true
	}
	for _, e := range []error{jwt.ErrMalformed, jwt.ErrAlgorithm, jwt.ErrUnknownKey, jwt.ErrWeakKey, jwt.ErrSignature, jwt.ErrExpired, jwt.ErrNotYetValid, jwt.ErrAudience, jwt.ErrIssuer} {
		if errors.Is(err, e) {
			return KindAuth, true
		}
	}
	return "", false
}

// report writes err to stderr, one line in text and {"error", "message"} in
// json and jsonl, and returns its exit code.
func (f *Factory) report(err error) int {
	kind := classify(err)
	msg := oneLine(strings.TrimSpace(httpx.Redact(f.scrub(withHint(err)))))
	if kind == KindInterrupted && strings.HasSuffix(msg, context.Canceled.Error()) {
		msg = "interrupted"
	}
	if format, _ := f.errorFormat(); format == FormatJSON || format == FormatJSONL {
		b, _ := marshal(map[string]string{"error": string(kind), "message": msg}, false)
		fmt.Fprintf(f.IO.ErrOut, "%s\n", b)
	} else {
		fmt.Fprintf(f.IO.ErrOut, "%s %s\n", paint(f.IO.ErrColorEnabled(), "red", "aignostics:"), msg)
	}
	return kind.ExitCode()
}

// errorFormat resolves the output format for error reporting without
// failing: a broken setting must still be reported, and errors kong met
// come before it set the flags.
func (f *Factory) errorFormat() (format string, explicit bool) {
	if out, ok := f.outputIfBuilt(); ok {
		if out.errFormat != "" {
			return out.errFormat, out.explicit
		}
		return out.format, out.explicit
	}
	v := f.Flags.Output
	if v == "" {
		v = outputFlag(f.args)
	}
	if v == "" {
		v, _ = f.Getenv("AIGNOSTICS_OUTPUT")
	}
	switch v {
	case FormatJSON, FormatJSONL, FormatText:
		return v, true
	}
	if f.IO.IsStdoutTTY() {
		return FormatText, false
	}
	return FormatJSON, false
}

// outputFlag finds -o/--output among raw arguments: when parsing fails,
// kong has not set the flag, yet the error should come in the asked format.
func outputFlag(args []string) string {
	for i, a := range args {
		switch {
		case a == "--":
			return ""
		case (a == "-o" || a == "--output") && i+1 < len(args):
			return args[i+1]
		case strings.HasPrefix(a, "--output="):
			return strings.TrimPrefix(a, "--output=")
		case strings.HasPrefix(a, "-o") && len(a) > 2 && !strings.HasPrefix(a, "--"):
			return strings.TrimPrefix(a[2:], "=")
		}
	}
	return ""
}
