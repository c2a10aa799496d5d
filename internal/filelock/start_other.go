//go:build !linux

package filelock

// processStart cannot tell a process's start time here.
func processStart(int) (string, bool) { return "", false }

// selfStart is unknown here.
func selfStart() string { return "-" }
