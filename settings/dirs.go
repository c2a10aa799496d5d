package settings

import (
	"os"
	"path/filepath"
	"runtime"
)

// homeDir returns the user's home directory as the given environment names
// it (HOME, or USERPROFILE on Windows), falling back to os.UserHomeDir.
func homeDir(getenv func(string) (string, bool)) string {
	key := "HOME"
	if runtime.GOOS == "windows" {
		key = "USERPROFILE"
	}
	if v, ok := getenv(key); ok && v != "" {
		return v
	}
	h, _ := os.UserHomeDir()
	return h
}

// userCacheDir follows os.UserCacheDir but reads the given environment:
// XDG_CACHE_HOME or $HOME/.cache on Unix, $HOME/Library/Caches on macOS,
// %LocalAppData% on Windows; it falls back to os.UserCacheDir.
func userCacheDir(getenv func(string) (string, bool)) (string, error) {
	get := func(k string) string { v, _ := getenv(k); return v }
	switch runtime.GOOS {
	case "windows":
		if v := get("LocalAppData"); v != "" {
			return v, nil
		}
	case "darwin", "ios":
		if v := get("HOME"); v != "" {
			return filepath.Join(v, "Library", "Caches"), nil
		}
	case "plan9":
		if v := get("home"); v != "" {
			return filepath.Join(v, "lib", "cache"), nil
		}
	default:
		if v := get("XDG_CACHE_HOME"); v != "" && filepath.IsAbs(v) {
			return v, nil
		}
		if v := get("HOME"); v != "" {
			return filepath.Join(v, ".cache"), nil
		}
	}
	return os.UserCacheDir()
}

// PythonTokenFile is where the Python SDK keeps its cached token for these
// settings: {cache dir}/.token. Its default cache directory is ours on
// Linux and macOS, but %LocalAppData%\aignostics\aignostics\Cache on Windows
// (platformdirs), where ours is %LocalAppData%\aignostics. "" when there is
// no cache directory.
func (s *Settings) PythonTokenFile() string {
	return pythonTokenFile(runtime.GOOS, s.CacheDir, s.Sources[EnvCacheDir])
}

func pythonTokenFile(goos, cacheDir string, src Source) string {
	if cacheDir == "" {
		return ""
	}
	if goos == "windows" && src == SourceDefault {
		return filepath.Join(filepath.Dir(cacheDir), "aignostics", "aignostics", "Cache", ".token")
	}
	return filepath.Join(cacheDir, ".token")
}
