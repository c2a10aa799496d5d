package plugins

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/aignostics/aignostics/internal/clock"
	"github.com/aignostics/aignostics/internal/procgroup"
)

// Prefix starts the file name of every command plugin: aignostics-<name>.
const Prefix = "aignostics-"

// Plugin is a command plugin found on PATH.
type Plugin struct {
	// Name is the command it adds: the file name without Prefix.
	Name string `json:"name"`
	// Path is the executable, first on PATH among files of that name.
	Path string `json:"path"`
	// Shadowed is true when Name is a built-in command: such a plugin is
	// never run.
	Shadowed bool `json:"shadowed"`
}

// validName reports whether name may name a plugin: not empty, not a flag,
// no path separator.
func validName(name string) bool {
	return name != "" && !strings.HasPrefix(name, "-") && name != "." && name != ".." &&
		!strings.ContainsRune(name, '/') && !strings.ContainsRune(name, filepath.Separator)
}

// Lookup finds the executable aignostics-<name> in the directories of
// pathEnv (a PATH value); the first regular file with an executable bit wins.
func Lookup(name, pathEnv string) (path string, ok bool) {
	if !validName(name) {
		return "", false
	}
	p, err := lookPath(Prefix+name, pathEnv)
	if err != nil {
		return "", false
	}
	return p, true
}

// List returns the command plugins in the directories of pathEnv, sorted by
// name; for each name the first on PATH wins. A plugin whose name is one of
// builtins is marked Shadowed. Unreadable directories are skipped.
func List(pathEnv string, builtins []string) []Plugin {
	seen := map[string]bool{}
	var out []Plugin
	for _, dir := range filepath.SplitList(pathEnv) {
		if dir == "" || !filepath.IsAbs(dir) {
			continue
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			name, ok := strings.CutPrefix(commandName(e.Name()), Prefix)
			if !ok || !validName(name) || seen[name] {
				continue
			}
			p := filepath.Join(dir, e.Name())
			if checkExecutable(p) != nil {
				continue
			}
			seen[name] = true
			out = append(out, Plugin{Name: name, Path: p, Shadowed: slices.Contains(builtins, name)})
		}
	}
	slices.SortFunc(out, func(a, b Plugin) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Grace periods of a plugin whose context ended: Ctrl-C on a terminal
// reaches the plugin directly, so it first gets interruptGrace to exit by
// itself, then SIGTERM, then SIGKILL killDelay later.
const (
	interruptGrace = 2 * time.Second
	killDelay      = 5 * time.Second
)

// Run runs the plugin at path with args, the environment env (nil: ours)
// and the given streams, and returns its exit code: the plugin's own, or
// 128+N when signal N ended it. err is set only when it could not be run
// at all. The plugin runs in its own process group unless stdin is a
// terminal (see internal/procgroup). When ctx ends, the plugin is
// interrupted (on a terminal Ctrl-C reached it directly; otherwise its
// group gets SIGINT), gets a few seconds to exit by itself, then its group
// gets SIGTERM, then SIGKILL; whatever of its group is left after it exited
// is killed.
func Run(ctx context.Context, path string, args []string, env []string, stdin io.Reader, stdout, stderr io.Writer) (exitCode int, err error) {
	return run(ctx, path, args, env, stdin, stdout, stderr, interruptGrace, killDelay)
}

func run(ctx context.Context, path string, args, env []string, stdin io.Reader, stdout, stderr io.Writer, grace, kill time.Duration) (int, error) {
	cmd := exec.Command(path, args...)
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	cmd.WaitDelay = kill
	procgroup.Prepare(cmd)
	if err := cmd.Start(); err != nil {
		return 1, fmt.Errorf("run plugin %s: %w", path, err)
	}
	done, exited := context.WithCancel(context.Background())
	go stopWhenDone(ctx, done, cmd, grace, kill)
	err := cmd.Wait()
	exited()
	if ctx.Err() != nil {
		_ = procgroup.Kill(cmd) // what it started and left running
	}
	var ee *exec.ExitError
	switch {
	case err == nil, errors.Is(err, exec.ErrWaitDelay):
		return 0, nil
	case errors.As(err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal()), nil
		}
		return ee.ExitCode(), nil
	default:
		return 1, fmt.Errorf("run plugin %s: %w", path, err)
	}
}

// stopWhenDone waits for ctx to end while the plugin runs (until done
// ends), then interrupts its own group (a terminal already interrupted a
// plugin in ours), gives it grace to exit, sends SIGTERM, and kills it kill
// later.
func stopWhenDone(ctx, done context.Context, cmd *exec.Cmd, grace, kill time.Duration) {
	select {
	case <-done.Done():
		return
	case <-ctx.Done():
	}
	if procgroup.Own(cmd) {
		_ = procgroup.Signal(cmd, os.Interrupt)
	}
	for _, step := range []struct {
		after time.Duration
		sig   os.Signal
	}{{grace, syscall.SIGTERM}, {kill, os.Kill}} {
		if clock.Real().Sleep(done, step.after) != nil {
			return // it exited
		}
		_ = procgroup.Signal(cmd, step.sig) // fails only when it already exited
	}
}
