package oauth

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aignostics/aignostics/internal/clock"
)

const (
	lockStale = 2 * time.Minute
	lockWait  = 30 * time.Second
	lockPoll  = 50 * time.Millisecond
)

// fileLock is a lock file created with O_EXCL that holds "PID UNIXNANO".
type fileLock struct {
	path    string
	content string
}

// acquireLock takes the lock at path, waiting at most lockWait (counted in
// the injected sleeps) and breaking a lock older than lockStale or held by a
// process that no longer exists.
func acquireLock(ctx context.Context, path string, clk clock.Clock) (*fileLock, error) {
	var waited time.Duration
	for {
		content := fmt.Sprintf("%d %d\n", os.Getpid(), clk.Now().UnixNano())
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			_, werr := f.WriteString(content)
			cerr := f.Close()
			if werr != nil || cerr != nil {
				os.Remove(path)
				return nil, fmt.Errorf("write lock file %s: %w", path, errors.Join(werr, cerr))
			}
			return &fileLock{path: path, content: content}, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("create lock file %s: %w", path, err)
		}
		if breakStale(path, clk.Now()) {
			continue
		}
		if waited >= lockWait {
			pid, _ := lockOwner(path)
			return nil, fmt.Errorf("token cache is locked by process %d (lock file %s); try again or remove the file if that process is gone", pid, path)
		}
		if err := clk.Sleep(ctx, lockPoll); err != nil {
			return nil, fmt.Errorf("wait for token cache lock: %w", err)
		}
		waited += lockPoll
	}
}

// breakStale removes the lock at path when it is stale and reports whether it did.
func breakStale(path string, now time.Time) bool {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return true // released meanwhile: try again at once
	}
	if err != nil {
		return false
	}
	pid, at, ok := parseLock(string(data))
	stale := !ok || now.Sub(at) > lockStale || (pid != os.Getpid() && !processAlive(pid))
	if !ok {
		// A lock file being written right now is empty for an instant;
		// only treat an unparsable lock as stale once it is old.
		fi, err := os.Stat(path)
		stale = err == nil && time.Since(fi.ModTime()) > lockStale
	}
	if !stale {
		return false
	}
	// Remove it only if it still holds what we judged stale.
	if cur, err := os.ReadFile(path); err == nil && string(cur) == string(data) {
		os.Remove(path)
	}
	return true
}

func lockOwner(path string) (int, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	pid, _, ok := parseLock(string(data))
	return pid, ok
}

// parseLock reads "PID UNIXNANO".
func parseLock(s string) (pid int, at time.Time, ok bool) {
	f := strings.Fields(s)
	if len(f) != 2 {
		return 0, time.Time{}, false
	}
	p, err1 := strconv.Atoi(f[0])
	n, err2 := strconv.ParseInt(f[1], 10, 64)
	if err1 != nil || err2 != nil || p <= 0 {
		return 0, time.Time{}, false
	}
	return p, time.Unix(0, n), true
}

// release removes the lock file if it is still ours.
func (l *fileLock) release() {
	if data, err := os.ReadFile(l.path); err == nil && string(data) == l.content {
		os.Remove(l.path)
	}
}
