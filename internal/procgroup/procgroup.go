// Package procgroup runs a child command (a token provider, a command
// plugin, an event hook) in its own process group, so that on a timeout or
// an interruption the whole tree it started is ended, not only the direct
// child: a provider that starts a `sleep` in the background leaves nothing
// behind.
//
// On a terminal (the command's stdin is one) the command stays in our
// process group instead: it is then part of the terminal's foreground job,
// may read the terminal without being stopped (SIGTTIN), and Ctrl-C reaches
// every process of its tree through the terminal itself. On systems without
// process groups (Windows) only the direct child is signalled.
package procgroup

import (
	"context"
	"os"
	"os/exec"

	"golang.org/x/term"
)

// CommandContext is exec.CommandContext whose command, once its stdin is
// set, is to be passed to Prepare; when ctx ends before the command exits,
// its whole process group is killed (not only the direct child).
func CommandContext(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Cancel = func() error { return Kill(cmd) }
	return cmd
}

// Prepare sets cmd, not yet started and with its stdin set, to run in its
// own process group, unless its stdin is a terminal (see the package
// comment).
func Prepare(cmd *exec.Cmd) {
	if !onTerminal(cmd) {
		setGroup(cmd)
	}
}

// Signal sends sig to the process group of cmd when Prepare gave it one,
// else to cmd's process alone. It is a no-op before Start. The error is
// that of the kill; os.ErrProcessDone when nothing was left to signal.
func Signal(cmd *exec.Cmd, sig os.Signal) error {
	if cmd.Process == nil {
		return nil
	}
	if ownGroup(cmd) {
		return signalGroup(cmd.Process.Pid, sig)
	}
	return cmd.Process.Signal(sig)
}

// Own reports whether Prepare gave cmd its own process group (so Ctrl-C
// on a terminal does not reach it: the caller has to pass it on).
func Own(cmd *exec.Cmd) bool { return ownGroup(cmd) }

// Kill ends cmd's whole process group (or its process) at once.
func Kill(cmd *exec.Cmd) error { return Signal(cmd, os.Kill) }

// onTerminal reports whether cmd's stdin is a terminal.
func onTerminal(cmd *exec.Cmd) bool {
	f, ok := cmd.Stdin.(*os.File)
	return ok && f != nil && term.IsTerminal(int(f.Fd()))
}
