package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/settings"
)

// Error kinds, as scripts see them in `{"error": KIND, ...}`.
const (
	KindUsage       = "usage"
	KindInvalid     = "invalid"
	KindNotFound    = "not_found"
	KindConflict    = "conflict"
	KindForbidden   = "forbidden"
	KindConfig      = "config"
	KindAuth        = "auth"
	KindServer      = "server"
	KindNetwork     = "network"
	KindTimeout     = "timeout"
	KindFailed      = "failed"
	KindIntegrity   = "integrity"
	KindInterrupted = "interrupted"
)

// ExitError is an error with the exit code and kind the command line reports.
type ExitError struct {
	Code int
	Kind string
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// Exit attaches an exit code and kind to err.
func Exit(code int, kind string, err error) error {
	return &ExitError{Code: code, Kind: kind, Err: err}
}

// Exitf is Exit with a formatted message.
func Exitf(code int, kind, format string, args ...any) error {
	return &ExitError{Code: code, Kind: kind, Err: fmt.Errorf(format, args...)}
}

// classify returns the exit code and kind of err per the CLI contract.
func classify(err error) (int, string) {
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code, ee.Kind
	}
	if errors.Is(err, context.Canceled) {
		return 130, KindInterrupted
	}
	if code, kind, ok := classifyDomain(err); ok {
		return code, kind
	}
	var se *settings.Error
	if errors.As(err, &se) {
		return 2, KindConfig
	}
	var ce *httpx.ConfigError
	if errors.As(err, &ce) {
		return 2, KindConfig
	}
	var ae *httpx.APIError
	if errors.As(err, &ae) {
		switch {
		case ae.StatusCode == 401:
			return 4, KindAuth
		case ae.StatusCode == 403:
			return 2, KindForbidden
		case ae.StatusCode == 404 || ae.StatusCode == 410:
			return 2, KindNotFound
		case ae.StatusCode == 409 || ae.StatusCode == 412:
			return 2, KindConflict
		case ae.StatusCode == 400 || ae.StatusCode == 422:
			return 2, KindInvalid
		case ae.StatusCode >= 500 || ae.StatusCode == 429:
			return 1, KindServer
		}
		return 1, KindFailed
	}
	if errors.Is(err, httpx.ErrMaybeSent) {
		return 1, KindNetwork
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return 1, KindTimeout
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return 1, KindNetwork
	}
	return 1, KindFailed
}

// report writes err to stderr in the output format and returns its exit code.
func (g *Globals) report(err error) int {
	code, kind := classify(err)
	msg := oneLine(strings.TrimSpace(httpx.Redact(err.Error())))
	if kind == KindInterrupted && strings.HasSuffix(msg, context.Canceled.Error()) {
		msg = "interrupted"
	}
	format, _ := g.outputFormatSafe()
	if format == FormatJSON || format == FormatJSONL {
		b, _ := marshal(map[string]string{"error": kind, "message": msg}, false)
		fmt.Fprintf(g.env.Stderr, "%s\n", b)
		return code
	}
	fmt.Fprintf(g.env.Stderr, "aignostics: %s\n", msg)
	return code
}

// outputFormatSafe resolves the output format for error reporting without
// failing: a broken setting must still be reported.
func (g *Globals) outputFormatSafe() (format string, explicit bool) {
	if g.state != nil && g.state.out != nil {
		return g.state.out.format, g.state.out.explicit
	}
	f := g.Output
	if f == "" && g.state != nil {
		f = outputFlag(g.state.args)
	}
	if f == "" && g.env.Getenv != nil {
		f, _ = g.env.Getenv("AIGNOSTICS_OUTPUT")
	}
	switch f {
	case FormatJSON, FormatJSONL, FormatText:
		return f, true
	}
	if g.env.IsTerminal != nil && g.env.IsTerminal(g.env.Stdout) {
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
