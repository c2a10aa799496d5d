package cli

import (
	"errors"

	"github.com/aignostics/aignostics/oauth"
	"github.com/aignostics/aignostics/resources"
)

// hint is the command-line advice for a library error that needs one (the
// flag or command that gets past it), "" for others. The library packages
// speak no CLI words; their sentinel errors are mapped here.
func hint(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, resources.ErrMissingChecksum):
		return "use --no-verify to accept artifacts without one"
	case errors.Is(err, oauth.ErrPortInUse):
		return "or log in with 'aignostics platform login --device'"
	}
	return ""
}

// withHint is the message of err followed by its hint, if any.
func withHint(err error) string {
	if h := hint(err); h != "" {
		return err.Error() + " (" + h + ")"
	}
	return err.Error()
}
