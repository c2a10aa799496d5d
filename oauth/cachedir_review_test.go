package oauth

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/aignostics/aignostics/httpx"
)

// TestNoCacheDir: a Manager without a cache directory reports a
// configuration error naming AIGNOSTICS_CACHE_DIR for every operation that
// needs the cache, before any login flow, and never writes to the current
// directory.
func TestNoCacheDir(t *testing.T) {
	f := newFakeAS(t, newClock())
	t.Chdir(t.TempDir())
	c := f.config("")
	m := NewManager(c)
	ctx := context.Background()
	_, err1 := m.Current(ctx)
	_, err2 := access(m.Token(ctx))
	_, _, err3 := m.Login(ctx, LoginOptions{Device: true})
	_, err4 := m.Logout(false)
	_, err5 := m.Logout(true)
	for i, err := range []error{err1, err2, err3, err4, err5} {
		var ce *httpx.ConfigError
		if !errors.As(err, &ce) || ce.Setting != "AIGNOSTICS_CACHE_DIR" {
			t.Errorf("operation %d: err = %v, want a config error naming AIGNOSTICS_CACHE_DIR", i+1, err)
		}
	}
	if n := f.count("device"); n != 0 {
		t.Errorf("a device login started (%d requests) although its token could not be kept", n)
	}
	if entries, _ := os.ReadDir("."); len(entries) != 0 {
		t.Errorf("files written to the current directory: %v", entries)
	}
}
