//go:build unix

package oauth

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aignostics/aignostics/httpx"
)

// TestLockDirectoryIsConfigError: a lock path that is a directory with
// content cannot be replaced: a configuration error naming it.
func TestLockDirectoryIsConfigError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.json.lock")
	os.MkdirAll(filepath.Join(path, "sub"), 0o700)
	_, err := acquireLock(context.Background(), path, newClock().Clock())
	var ce *httpx.ConfigError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "directory") {
		t.Errorf("acquireLock = %v, want a config error naming a directory", err)
	}
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
