package settings

import (
	"strings"
	"testing"
)

// TestNoUserCacheDirIsNotAnError: without $HOME (a system service, env -i)
// settings still load, so commands that need no token cache (a token
// provider, platform info) work; the cache dir is empty and info says why.
func TestNoUserCacheDirIsNotAnError(t *testing.T) {
	t.Setenv("HOME", "")
	t.Setenv("XDG_CACHE_HOME", "")
	env := map[string]string{"AIGNOSTICS_ENV_FILE": "/dev/null"}
	s, err := Load(LoadOptions{
		Getenv:  func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		HomeDir: t.TempDir(), WorkDir: t.TempDir(),
	})
	if err != nil {
		t.Fatalf("Load without a user cache directory: %v", err)
	}
	if s.CacheDir != "" {
		t.Errorf("CacheDir = %q, want empty (never the current directory)", s.CacheDir)
	}
	var note string
	for _, e := range s.Entries(true) {
		if e.Name == EnvCacheDir {
			note = e.Note
		}
	}
	if !strings.Contains(note, "no user cache directory") {
		t.Errorf("platform info note for %s = %q", EnvCacheDir, note)
	}
	env[EnvCacheDir] = "/somewhere"
	if s, err := Load(LoadOptions{Getenv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }, WorkDir: t.TempDir()}); err != nil || s.CacheDir != "/somewhere" {
		t.Errorf("explicit cache dir: %v %+v", err, s)
	}
}
