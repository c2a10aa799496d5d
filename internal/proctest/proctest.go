//go:build unix

// Package proctest helps tests check that processes ended: a child and
// everything it started, after a timeout or an interruption ended its
// process group. Only tests import it.
package proctest

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Gone reports whether pid is no longer running: absent, or a zombie that
// nobody reaped yet (in a container the reaper may be missing).
func Gone(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return true
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return os.IsNotExist(err)
	}
	// pid (comm) S ...: the state follows the last ')'.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && i+2 < len(s) && (s[i+2] == 'Z' || s[i+2] == 'X')
}

// WaitGone waits, at most 10 s in short polls, until pid has ended; else it
// kills pid and fails the test. A signal is delivered at once, but the
// kernel takes a moment to end a process.
func WaitGone(t testing.TB, pid int) {
	t.Helper()
	for range 500 {
		if Gone(pid) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
	t.Fatalf("process %d is still running after its group was ended", pid)
}
