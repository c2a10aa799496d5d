//go:build windows

package plugins

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// pathExt lists the extensions of runnable files (PATHEXT).
func pathExt() []string {
	v := os.Getenv("PATHEXT")
	if v == "" {
		v = ".COM;.EXE;.BAT;.CMD"
	}
	var exts []string
	for _, e := range strings.Split(strings.ToLower(v), ";") {
		if strings.HasPrefix(e, ".") {
			exts = append(exts, e)
		}
	}
	return exts
}

// executableNames are the file names that run the command name: name with
// each PATHEXT extension, or name itself when it has one.
func executableNames(name string) []string {
	if commandName(name) != "" {
		return []string{name}
	}
	var names []string
	for _, e := range pathExt() {
		names = append(names, name+e)
	}
	return names
}

// isExecutable reports whether a regular file is runnable: Windows decides
// by extension, which executableNames and commandName already checked.
func isExecutable(fs.FileMode) bool { return true }

// commandName is the command a file name runs: the name without a PATHEXT
// extension, or "" when it has none.
func commandName(file string) string {
	ext := strings.ToLower(filepath.Ext(file))
	for _, e := range pathExt() {
		if ext == e {
			return strings.TrimSuffix(file, filepath.Ext(file))
		}
	}
	return ""
}
