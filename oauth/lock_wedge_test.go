//go:build unix

package oauth

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

	"github.com/aignostics/aignostics/httpx"
)

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
			l, err := acquireLock(context.Background(), path, clk.Clock())
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
			l.release()
		})
	}
	t.Run("a directory with content", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "x.json.lock")
		os.MkdirAll(filepath.Join(path, "sub"), 0o700)
		_, err := acquireLock(context.Background(), path, clk.Clock())
		var ce *httpx.ConfigError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), "directory") {
			t.Errorf("acquireLock = %v, want a config error naming a directory", err)
		}
	})
	t.Run("our own live holder is waited for", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "x.json.lock")
		os.WriteFile(path, fmt.Appendf(nil, "%d %d %s\n", self, now.UnixNano(), selfStart()), 0o600)
		_, err := acquireLock(context.Background(), path, clk.Clock())
		if err == nil || !strings.Contains(err.Error(), "locked by process") {
			t.Errorf("acquireLock on a live lock = %v, want it reported after waiting", err)
		}
	})
}

// TestCacheFileNotOursRefused: a cache file open to others, or not a
// regular file, is refused with a configuration error; logout still
// removes it.
func TestCacheFileNotOursRefused(t *testing.T) {
	for name, fn := range map[string]func(path string){
		"mode 0644": func(path string) { os.WriteFile(path, []byte(`{"access_token":"a","refresh_token":"r"}`), 0o644) },
		"a symlink": func(path string) {
			other := path + ".elsewhere"
			os.WriteFile(other, []byte(`{"access_token":"a","refresh_token":"r"}`), 0o600)
			os.Symlink(other, path)
		},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFakeAS(t, newClock())
			c := f.config(t.TempDir())
			m := NewManager(c)
			os.MkdirAll(c.CacheDir, 0o700)
			fn(m.CacheFile())
			_, err := m.Current(context.Background())
			var ce *httpx.ConfigError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), m.CacheFile()) {
				t.Fatalf("Current = %v, want a config error naming the file", err)
			}
			if n, err := m.Logout(false); n != 1 || err != nil {
				t.Errorf("Logout = %d, %v; want the file removed", n, err)
			}
			if f.count("revoke") != 0 {
				t.Error("a refresh token from an untrusted file was sent to the server")
			}
		})
	}
}

// TestCacheDirNotCreatable is a configuration error naming the path.
func TestCacheDirNotCreatable(t *testing.T) {
	f := newFakeAS(t, newClock())
	c := f.config(filepath.Join(os.DevNull, "cache"))
	_, err := NewManager(c).Current(context.Background())
	var ce *httpx.ConfigError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), c.CacheDir) {
		t.Errorf("Current = %v, want a config error naming %s", err, c.CacheDir)
	}
}
