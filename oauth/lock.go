package oauth

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/internal/clock"
	"github.com/aignostics/aignostics/internal/filelock"
)

const (
	lockStale = 2 * time.Minute
	lockWait  = 30 * time.Second
	lockPoll  = 50 * time.Millisecond
)

// acquireLock takes the token cache lock at path (see internal/filelock:
// a stale, future-dated, reused-PID or planted lock is broken), waiting at
// most lockWait (counted in the injected sleeps) for a live holder.
func acquireLock(ctx context.Context, path string, clk clock.Clock) (*filelock.Lock, error) {
	l, err := filelock.Acquire(ctx, path, filelock.Options{Stale: lockStale, Wait: lockWait, Poll: lockPoll, Clock: clk})
	var busy *filelock.BusyError
	switch {
	case errors.As(err, &busy):
		return nil, fmt.Errorf("token cache is locked by process %d (lock file %s); try again or remove the file if that process is gone", busy.PID, path)
	case errors.Is(err, filelock.ErrNotRegular):
		return nil, &httpx.ConfigError{Setting: "AIGNOSTICS_CACHE_DIR", Path: path, Err: err}
	case err != nil:
		return nil, fmt.Errorf("token cache lock: %w", err)
	}
	return l, nil
}

// readBounded reads at most limit bytes of the regular file at path without
// following a symlink.
func readBounded(path string, limit int64) ([]byte, error) { return filelock.ReadBounded(path, limit) }

// fileKind names the type of a file mode for messages.
func fileKind(m fs.FileMode) string { return filelock.FileKind(m) }
