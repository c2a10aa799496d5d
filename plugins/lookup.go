package plugins

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// lookPath finds the executable name: a name with a path separator is used
// as it is; otherwise the absolute directories of pathEnv are searched in
// order (empty and relative entries are skipped, so the current directory
// is never searched by accident).
func lookPath(name, pathEnv string) (string, error) {
	if strings.ContainsRune(name, '/') || strings.ContainsRune(name, filepath.Separator) {
		if err := checkExecutable(name); err != nil {
			return "", err
		}
		return name, nil
	}
	for _, dir := range filepath.SplitList(pathEnv) {
		if dir == "" || !filepath.IsAbs(dir) {
			continue
		}
		for _, n := range executableNames(name) {
			p := filepath.Join(dir, n)
			if checkExecutable(p) == nil {
				return p, nil
			}
		}
	}
	return "", fmt.Errorf("%q is not an executable on PATH", name)
}

// checkExecutable reports whether path is a regular file (after symlinks)
// that may be run: with an executable bit (on Windows: any, the extension
// decides).
func checkExecutable(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("stat %s: %w", path, errors.Unwrap(err))
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", path)
	}
	if !isExecutable(fi.Mode()) {
		return fmt.Errorf("%s is not executable", path)
	}
	return nil
}
