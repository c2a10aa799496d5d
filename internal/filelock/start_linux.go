//go:build linux

package filelock

import (
	"bytes"
	"os"
	"strconv"
	"strings"
)

// processStart returns the start time of process pid (field 22 of
// /proc/PID/stat: clock ticks after boot) and whether this system tells;
// known is true with "" when the process does not exist.
func processStart(pid int) (start string, known bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		if os.IsNotExist(err) {
			if _, err := os.Stat("/proc/self/stat"); err == nil {
				return "", true // /proc works: the process is gone
			}
		}
		return "", false
	}
	// "pid (comm) state ppid ...": comm may hold spaces and parentheses.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return "", false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 20 {
		return "", false
	}
	return f[19], true
}

// selfStart is this process's start time for its lock files ("-" when
// unknown).
func selfStart() string {
	if s, ok := processStart(os.Getpid()); ok && s != "" {
		return s
	}
	return "-"
}
