package resources

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/aignostics/aignostics/httpx"
)

// Errors of this package, matched with errors.Is.
var (
	// ErrStaleChecksum: a custom metadata update carried a checksum that is no
	// longer current (HTTP 412). Such errors also match httpx.ErrConflict.
	ErrStaleChecksum = errors.New("custom metadata changed since it was read (stale checksum)")
	// ErrNoVersions: an application has no (semver) versions to resolve.
	ErrNoVersions = errors.New("application has no versions")
	// ErrNotTerminated: the operation needs a terminated run.
	ErrNotTerminated = errors.New("run is not terminated")
	// ErrInvalidPageSize: a page size outside 5..100.
	ErrInvalidPageSize = errors.New("page size must be between 5 and 100")
	// ErrMaybeCreated: a create request was sent without an answer and no
	// matching run was found; the run may nevertheless exist.
	ErrMaybeCreated = errors.New("the run may exist: the request was sent but no answer came, and no matching run was found")
)

// statusOf returns the HTTP status of an *httpx.APIError in err's chain, or 0.
func statusOf(err error) int {
	var ae *httpx.APIError
	if errors.As(err, &ae) {
		return ae.StatusCode
	}
	return 0
}

// staleChecksum wraps a 412 so that it matches both ErrStaleChecksum and
// httpx.ErrConflict.
func staleChecksum(err error) error {
	if statusOf(err) == http.StatusPreconditionFailed {
		return fmt.Errorf("%w: %w", ErrStaleChecksum, err)
	}
	return err
}

func checkPageSize(n int) error {
	if n < 5 || n > 100 {
		return fmt.Errorf("page size %d: %w", n, ErrInvalidPageSize)
	}
	return nil
}
