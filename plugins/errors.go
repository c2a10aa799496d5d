package plugins

import (
	"errors"
	"fmt"
	"strings"
)

// ErrTimeout is wrapped by a ProviderError when the provider ran longer than
// its timeout and was killed.
var ErrTimeout = errors.New("timed out")

// ErrNotFound is wrapped by a ProviderError when the provider's executable
// could not be found or started.
var ErrNotFound = errors.New("not found")

// ProviderError is a failed run of a token provider. The CLI maps it to exit
// code 4 (kind "auth"). It never holds the token.
type ProviderError struct {
	// Command is the provider's executable as configured (argv[0] only;
	// arguments may hold secrets).
	Command string
	// ExitStatus is the provider's exit status; 0 when it exited cleanly but
	// printed something unusable, -1 when it did not run or was killed.
	ExitStatus int
	// LastStderrLine is the last non-blank line the provider wrote to stderr.
	LastStderrLine string
	// Err is the cause: ErrTimeout, ErrNotFound, an output problem, or the
	// error from running the process.
	Err error
}

// Error returns one line naming the provider, its exit status and the last
// line of its stderr.
func (e *ProviderError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "token provider %q", e.Command)
	switch {
	case errors.Is(e.Err, ErrRecursive):
		fmt.Fprintf(&b, " %v", e.Err)
	case errors.Is(e.Err, ErrTimeout), errors.Is(e.Err, ErrNotFound):
		fmt.Fprintf(&b, ": %v", e.Err)
	case e.ExitStatus > 0:
		fmt.Fprintf(&b, " failed with exit status %d", e.ExitStatus)
	case e.ExitStatus == 0 && e.Err != nil:
		fmt.Fprintf(&b, " exited 0 but %v", e.Err)
	case e.Err != nil:
		fmt.Fprintf(&b, " failed: %v", e.Err)
	}
	if e.LastStderrLine != "" {
		fmt.Fprintf(&b, "; its last stderr line: %s", e.LastStderrLine)
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *ProviderError) Unwrap() error { return e.Err }

// ExitCode is the CLI exit code for a failed token provider (authentication).
func (e *ProviderError) ExitCode() int { return 4 }
