package oauth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/internal/clock"
)

const (
	lockStale = 2 * time.Minute
	lockWait  = 30 * time.Second
	lockPoll  = 50 * time.Millisecond
)

// maxLockFile bounds what is read of a lock file (it may be anything).
const maxLockFile = 256

// fileLock is a lock file created with O_EXCL that holds "PID UNIXNANO
// START": START tells the holder from a later process with the same PID
// (PID reuse after kill -9, or every container run being PID 1); it is the
// process start time from /proc on Linux, "-" where unknown.
type fileLock struct {
	path    string
	content string
}

// acquireLock takes the lock at path, waiting at most lockWait (counted in
// the injected sleeps) and breaking a lock that is stale: older than
// lockStale or dated more than lockStale in the future, held by a process
// that no longer exists or that cannot be its holder, or not a regular file
// (replaced; a directory that cannot be removed is an error).
func acquireLock(ctx context.Context, path string, clk clock.Clock) (*fileLock, error) {
	var waited time.Duration
	for {
		content := fmt.Sprintf("%d %d %s\n", os.Getpid(), clk.Now().UnixNano(), selfStart())
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
		broken, err := breakStale(path, clk.Now())
		if err != nil {
			return nil, err
		}
		if broken {
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

// breakStale removes the lock at path when it is stale and reports whether
// it did (or the lock went away by itself). A lock path that is not a
// regular file (a planted symlink, FIFO or directory) is removed without
// being opened; one that cannot be removed is an error.
func breakStale(path string, now time.Time) (bool, error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return true, nil // released meanwhile: try again at once
	}
	if err != nil {
		return false, nil
	}
	if !fi.Mode().IsRegular() {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return false, &httpx.ConfigError{Setting: "AIGNOSTICS_CACHE_DIR", Path: path,
				Err: fmt.Errorf("the token cache lock is a %s, not a regular file, and cannot be removed: %w", fileKind(fi.Mode()), err)}
		}
		return true, nil
	}
	data, err := readBounded(path, maxLockFile)
	if errors.Is(err, fs.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, nil
	}
	pid, at, start, ok := parseLockFull(string(data))
	var stale bool
	if ok {
		stale = now.Sub(at) > lockStale || at.Sub(now) > lockStale || !holderAlive(pid, start)
	} else {
		// A lock file being written right now is empty for an instant;
		// only treat an unparsable lock as stale once it is old (or dated
		// in the future, which no writer does).
		age := time.Since(fi.ModTime())
		stale = age > lockStale || age < -lockStale
	}
	if !stale {
		return false, nil
	}
	// Remove it only if it still holds what we judged stale.
	if cur, err := readBounded(path, maxLockFile); err == nil && string(cur) == string(data) {
		os.Remove(path)
	}
	return true, nil
}

// holderAlive reports whether the process that wrote a lock may still hold
// it: a process with its PID exists and, when the lock records a start
// time and this system tells one, started at that time.
func holderAlive(pid int, start string) bool {
	if start != "" && start != "-" {
		if cur, known := processStart(pid); known {
			return cur == start
		}
	}
	return pid == os.Getpid() || processAlive(pid)
}

// readBounded reads at most limit bytes of the regular file at path,
// without following a symlink where the system allows.
func readBounded(path string, limit int64) ([]byte, error) {
	f, err := openNoFollow(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is a %s, not a regular file", path, fileKind(fi.Mode()))
	}
	return io.ReadAll(io.LimitReader(f, limit))
}

// fileKind names the type of a file mode for messages.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&fs.ModeSymlink != 0:
		return "symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	}
	return "special file"
}

func lockOwner(path string) (int, bool) {
	data, err := readBounded(path, maxLockFile)
	if err != nil {
		return 0, false
	}
	pid, _, ok := parseLock(string(data))
	return pid, ok
}

// parseLock reads "PID UNIXNANO [START]".
func parseLock(s string) (pid int, at time.Time, ok bool) {
	pid, at, _, ok = parseLockFull(s)
	return pid, at, ok
}

// parseLockFull reads "PID UNIXNANO [START]"; START is "" when absent.
func parseLockFull(s string) (pid int, at time.Time, start string, ok bool) {
	f := strings.Fields(s)
	if len(f) != 2 && len(f) != 3 {
		return 0, time.Time{}, "", false
	}
	p, err1 := strconv.Atoi(f[0])
	n, err2 := strconv.ParseInt(f[1], 10, 64)
	if err1 != nil || err2 != nil || p <= 0 {
		return 0, time.Time{}, "", false
	}
	if len(f) == 3 {
		start = f[2]
	}
	return p, time.Unix(0, n), start, true
}

// release removes the lock file if it is still ours.
func (l *fileLock) release() {
	if data, err := readBounded(l.path, maxLockFile); err == nil && string(data) == l.content {
		os.Remove(l.path)
	}
}
