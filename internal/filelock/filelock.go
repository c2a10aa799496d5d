// Package filelock is a lock between processes on one machine: a lock file
// created with O_EXCL that holds "PID UNIXNANO START". START (the process
// start time from /proc on Linux, "-" where unknown) tells the holder from
// a later process with the same PID (PID reuse after kill -9, every
// container run being PID 1). A lock cannot be wedged: one older than
// Options.Stale or dated more than Stale in the future, one whose holder is
// gone or cannot be the holder, and a lock path that is not a regular file
// (a planted symlink or FIFO, removed without being opened) are broken.
package filelock

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

	"github.com/aignostics/aignostics/internal/clock"
)

// maxLockFile bounds what is read of a lock file (it may be anything).
const maxLockFile = 256

// Options configure Acquire.
type Options struct {
	Stale time.Duration // a lock older than this is broken; default 2 min
	Wait  time.Duration // how long to wait for a live holder; 0: do not wait
	Poll  time.Duration // between tries while waiting; default 50 ms
	Clock clock.Clock   // the clock of the lock's time and of the waits
}

// ErrNotRegular is wrapped by the error of a lock path that is not a regular
// file and cannot be removed (a directory with content).
var ErrNotRegular = errors.New("not a regular file")

// BusyError says that a live process holds the lock.
type BusyError struct {
	Path string
	PID  int // the holder, 0 when unknown
}

func (e *BusyError) Error() string {
	return fmt.Sprintf("%s is locked by process %d", e.Path, e.PID)
}

// Lock is a held lock; Release gives it up.
type Lock struct {
	path    string
	content string
}

// Acquire takes the lock at path, waiting up to o.Wait (in o.Clock's
// sleeps) for a live holder, and breaking stale locks (see the package
// comment). A live holder after the wait is a *BusyError.
func Acquire(ctx context.Context, path string, o Options) (*Lock, error) {
	if o.Stale <= 0 {
		o.Stale = 2 * time.Minute
	}
	if o.Poll <= 0 {
		o.Poll = 50 * time.Millisecond
	}
	var waited time.Duration
	for {
		content := fmt.Sprintf("%d %d %s\n", os.Getpid(), o.Clock.Now().UnixNano(), selfStart())
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			_, werr := f.WriteString(content)
			cerr := f.Close()
			if werr != nil || cerr != nil {
				os.Remove(path)
				return nil, fmt.Errorf("write lock file %s: %w", path, errors.Join(werr, cerr))
			}
			return &Lock{path: path, content: content}, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("create lock file %s: %w", path, err)
		}
		broken, err := breakStale(path, o.Clock.Now(), o.Stale)
		if err != nil {
			return nil, err
		}
		if broken {
			continue
		}
		if waited >= o.Wait {
			pid, _ := owner(path)
			return nil, &BusyError{Path: path, PID: pid}
		}
		if err := o.Clock.Sleep(ctx, o.Poll); err != nil {
			return nil, fmt.Errorf("wait for lock %s: %w", path, err)
		}
		waited += o.Poll
	}
}

// breakStale removes the lock at path when it is stale and reports whether
// it did (or the lock went away by itself).
func breakStale(path string, now time.Time, stale time.Duration) (bool, error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return true, nil // released meanwhile: try again at once
	}
	if err != nil {
		return false, nil
	}
	if !fi.Mode().IsRegular() {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return false, fmt.Errorf("the lock %s is a %s, %w, and cannot be removed: %w", path, FileKind(fi.Mode()), ErrNotRegular, err)
		}
		return true, nil
	}
	data, err := ReadBounded(path, maxLockFile)
	if errors.Is(err, fs.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, nil
	}
	pid, at, start, ok := Parse(string(data))
	var isStale bool
	if ok {
		isStale = now.Sub(at) > stale || at.Sub(now) > stale || !holderAlive(pid, start)
	} else {
		// A lock file being written right now is empty for an instant;
		// only treat an unparsable lock as stale once it is old (or dated
		// in the future, which no writer does).
		age := time.Since(fi.ModTime())
		isStale = age > stale || age < -stale
	}
	if !isStale {
		return false, nil
	}
	// Remove it only if it still holds what we judged stale.
	if cur, err := ReadBounded(path, maxLockFile); err == nil && string(cur) == string(data) {
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

func owner(path string) (int, bool) {
	data, err := ReadBounded(path, maxLockFile)
	if err != nil {
		return 0, false
	}
	pid, _, _, ok := Parse(string(data))
	return pid, ok
}

// Parse reads a lock file's "PID UNIXNANO [START]"; START is "" when absent.
func Parse(s string) (pid int, at time.Time, start string, ok bool) {
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

// Release removes the lock file if it is still ours.
func (l *Lock) Release() {
	if data, err := ReadBounded(l.path, maxLockFile); err == nil && string(data) == l.content {
		os.Remove(l.path)
	}
}

// ReadBounded reads at most limit bytes of the regular file at path,
// without following a symlink where the system allows and without
// blocking on a FIFO.
func ReadBounded(path string, limit int64) ([]byte, error) {
	f, err := OpenNoFollow(path, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is a %s, %w", path, FileKind(fi.Mode()), ErrNotRegular)
	}
	return io.ReadAll(io.LimitReader(f, limit))
}

// FileKind names the type of a file mode for messages.
func FileKind(m fs.FileMode) string {
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
