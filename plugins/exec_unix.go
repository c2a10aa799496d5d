//go:build !windows

package plugins

import "io/fs"

// executableNames are the file names that run the command name.
func executableNames(name string) []string { return []string{name} }

// isExecutable reports whether a regular file's mode makes it runnable.
func isExecutable(mode fs.FileMode) bool { return mode.Perm()&0o111 != 0 }

// commandName is the command a file name runs (the name itself here).
func commandName(file string) string { return file }
