//go:build unix

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Planted lock files (dated in the future, naming a live PID that cannot be
// the holder, not a regular file) do not wedge the token cache: the command
// goes on at once instead of waiting 30 s and failing, or hanging on a FIFO.
func TestTokenCacheLockCannotBeWedged(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("unix lock files")
	}
	h := newHostileServer(t)
	a := newAuthServer(t, h)
	c := newAuthCLI(t, h)
	c.env["AIGNOSTICS_REFRESH_TOKEN"] = a.newRefresh()
	c.must("platform", "token")
	files := cacheFiles(t, c.env["AIGNOSTICS_CACHE_DIR"])
	if len(files) != 1 {
		t.Fatalf("cache files %v", files)
	}
	lock := files[0] + ".lock"
	now := time.Now()
	plants := map[string]func(){
		"future time": func() { os.WriteFile(lock, fmt.Appendf(nil, "1 %d\n", now.Add(24*time.Hour).UnixNano()), 0o600) },
		"PID 1 with another start time": func() {
			os.WriteFile(lock, fmt.Appendf(nil, "1 %d 7\n", now.UnixNano()), 0o600)
		},
		"symlink to a FIFO": func() {
			fifo := filepath.Join(t.TempDir(), "fifo")
			if err := syscall.Mkfifo(fifo, 0o600); err != nil {
				t.Skip(err)
			}
			os.Symlink(fifo, lock)
		},
		"empty directory": func() { os.Mkdir(lock, 0o700) },
	}
	if runtime.GOOS != "linux" {
		delete(plants, "PID 1 with another start time") // no start time to compare
	}
	for name, plant := range plants {
		t.Run(name, func(t *testing.T) {
			os.RemoveAll(lock)
			plant()
			r := c.run(nil, "", "platform", "token")
			if r.code != 0 {
				t.Errorf("exit %d, stderr %q; want the planted lock broken", r.code, r.stderr)
			}
			if _, err := os.Lstat(lock); err == nil {
				t.Errorf("the lock is left behind")
			}
		})
	}
	a.checkNoReuse(t)
}

// A token cache file open to others is refused (exit 2, naming it), as ssh
// refuses such keys; logout removes it; an uncreatable cache directory is a
// configuration error naming it.
func TestTokenCacheFilesNotOursRefused(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("unix modes")
	}
	h := newHostileServer(t)
	a := newAuthServer(t, h)
	c := newAuthCLI(t, h)
	c.env["AIGNOSTICS_REFRESH_TOKEN"] = a.newRefresh()
	c.must("platform", "token")
	file := cacheFiles(t, c.env["AIGNOSTICS_CACHE_DIR"])[0]
	if err := os.Chmod(file, 0o644); err != nil {
		t.Fatal(err)
	}
	r := c.run(nil, "", "platform", "token")
	if r.code != 2 || !strings.Contains(r.stderr, file) || !strings.Contains(r.stderr, "0644") {
		t.Errorf("cache file 0644: exit %d, stderr %q; want 2 naming the file and its mode", r.code, r.stderr)
	}
	c.must("platform", "logout")
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("logout left the refused file: %v", err)
	}

	bad := filepath.Join(os.DevNull, "cache")
	r = c.run(map[string]string{"AIGNOSTICS_CACHE_DIR": bad}, "", "platform", "token")
	if r.code != 2 || !strings.Contains(r.stderr, bad) {
		t.Errorf("uncreatable cache dir: exit %d, stderr %q; want 2 naming %s", r.code, r.stderr, bad)
	}
}
