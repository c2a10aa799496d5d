//go:build !unix

package procgroup

import (
	"os"
	"os/exec"
)

// setGroup does nothing: this system has no process groups we can signal.
func setGroup(*exec.Cmd) {}

// ownGroup is always false here: only the process itself is signalled.
func ownGroup(*exec.Cmd) bool { return false }

// signalGroup is never called here (ownGroup is false).
func signalGroup(pid int, sig os.Signal) error {
	p, err := os.FindProcess(pid)
	if err != nil {
		return err
	}
	return p.Signal(sig)
}
