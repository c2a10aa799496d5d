//go:build linux

package plugins

import (
	"bytes"
	"os"
	"strconv"
	"strings"
)

// selfAncestors counts the ancestors of this process that run the same
// executable, up to 64 generations: a provider chain that scrubbed its
// environment (env -i) loses ChainEnv, not its parents.
func selfAncestors() int {
	self, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return 0
	}
	n := 0
	pid := os.Getppid()
	for range 64 {
		if pid <= 1 {
			break
		}
		if exe, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/exe"); err == nil && exe == self {
			n++
		}
		pid = parentOf(pid)
	}
	return n
}

// parentOf reads a process's parent PID from /proc (0 when unknown).
func parentOf(pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(f[1])
	return ppid
}
