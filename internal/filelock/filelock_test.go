//go:build unix

package filelock

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aignostics/aignostics/internal/clock"
)

func newClock() *clock.Fake { return clock.NewAutoFake(time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)) }

// TestLockCannotBeWedged plants locks that a naive reader would wait for
// (30 s) or hang on; each is broken or replaced at once.
func TestLockCannotBeWedged(t *testing.T) {
	clk := newClock()
	now := clk.Now()
	self := os.Getpid()
	plant := map[string]func(t *testing.T, path string){
		"dated in the future, live holder": func(t *testing.T, path string) {
			os.WriteFile(path, fmt.Appendf(nil, "%d %d\n", self, now.Add(24*time.Hour).UnixNano()), 0o600)
		},
		"garbage with a future mtime": func(t *testing.T, path string) {
			os.WriteFile(path, []byte("x"), 0o600)
			future := time.Now().Add(48 * time.Hour)
			os.Chtimes(path, future, future)
		},
		"a symlink to a FIFO": func(t *testing.T, path string) {
			fifo := filepath.Join(t.TempDir(), "fifo")
			if err := syscall.Mkfifo(fifo, 0o600); err != nil {
				t.Skip(err)
			}
			os.Symlink(fifo, path)
		},
		"a FIFO": func(t *testing.T, path string) {
			if err := syscall.Mkfifo(path, 0o600); err != nil {
				t.Skip(err)
			}
		},
		"a symlink to /dev/zero": func(t *testing.T, path string) { os.Symlink("/dev/zero", path) },
		"a dangling symlink":     func(t *testing.T, path string) { os.Symlink(filepath.Join(t.TempDir(), "none"), path) },
		"an empty directory":     func(t *testing.T, path string) { os.Mkdir(path, 0o700) },
	}
	if _, known := processStart(self); known {
		plant["PID reused: live PID, another start time"] = func(t *testing.T, path string) {
			os.WriteFile(path, fmt.Appendf(nil, "%d %d 1\n", 1, now.UnixNano()), 0o600)
		}
		plant["our own PID from an earlier container"] = func(t *testing.T, path string) {
			os.WriteFile(path, fmt.Appendf(nil, "%d %d 1\n", self, now.UnixNano()), 0o600)
		}
	}
	for name, fn := range plant {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.json.lock")
			fn(t, path)
			before := len(clk.Slept())
			l, err := Acquire(context.Background(), path, Options{Wait: 30 * time.Second, Clock: clk.Clock()})
			if err != nil {
				t.Fatalf("acquireLock: %v", err)
			}
			if slept := clk.Slept()[before:]; len(slept) != 0 {
				t.Errorf("waited %v for a lock that cannot be held", slept)
			}
			fi, err := os.Lstat(path)
			if err != nil || !fi.Mode().IsRegular() {
				t.Errorf("the lock is not a regular file now: %v %v", fi, err)
			}
			l.Release()
		})
	}
	t.Run("a directory with content", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "x.json.lock")
		os.MkdirAll(filepath.Join(path, "sub"), 0o700)
		_, err := Acquire(context.Background(), path, Options{Wait: 30 * time.Second, Clock: clk.Clock()})
		if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "directory") {
			t.Errorf("Acquire = %v, want ErrNotRegular naming a directory", err)
		}
	})
	t.Run("our own live holder is waited for", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "x.json.lock")
		os.WriteFile(path, fmt.Appendf(nil, "%d %d %s\n", self, now.UnixNano(), selfStart()), 0o600)
		_, err := Acquire(context.Background(), path, Options{Wait: 30 * time.Second, Clock: clk.Clock()})
		var busy *BusyError
		if !errors.As(err, &busy) || busy.PID != self {
			t.Errorf("acquireLock on a live lock = %v, want it reported after waiting", err)
		}
	})
}

// FuzzParse: lock files may be written by anything.
func FuzzParse(f *testing.F) {
	f.Add("123 1700000000000000000\n")
	f.Add("1 1700000000000000000 4242\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		if pid, _, _, ok := Parse(s); ok && pid <= 0 {
			t.Fatal("accepted a non-positive pid")
		}
	})
}
