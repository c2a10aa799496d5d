package settings

import (
	"path/filepath"
	"testing"
)

func TestPythonTokenFile(t *testing.T) {
	local := filepath.Join("C:", "Users", "u", "AppData", "Local")
	for _, tc := range []struct {
		goos, dir string
		src       Source
		want      string
	}{
		{"linux", "/home/u/.cache/aignostics", SourceDefault, "/home/u/.cache/aignostics/.token"},
		{"darwin", "/Users/u/Library/Caches/aignostics", SourceDefault, "/Users/u/Library/Caches/aignostics/.token"},
		{"windows", filepath.Join(local, "aignostics"), SourceDefault, filepath.Join(local, "aignostics", "aignostics", "Cache", ".token")},
		{"windows", filepath.Join("D:", "cache"), SourceEnv, filepath.Join("D:", "cache", ".token")},
		{"linux", "", SourceDefault, ""},
	} {
		if got := pythonTokenFile(tc.goos, tc.dir, tc.src); got != filepath.FromSlash(tc.want) {
			t.Errorf("%s %s %s: %q, want %q", tc.goos, tc.dir, tc.src, got, tc.want)
		}
	}
}
