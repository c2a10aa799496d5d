// Package hooks runs the user's event hooks: executables in
// {config dir}/aignostics/hooks/ named after an event (run-submitted,
// run-terminated, artifact-downloaded) that get one JSON object on stdin.
// A hook runs in its own process group; when it exits, on its timeout or
// when the command is interrupted the whole group is killed. A hook that fails,
// hangs or is missing never changes a command's result: Fire reports the
// problem on the given writer and returns nothing. A hook that hung is not
// started again by the same Runner (one command).
package hooks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/aignostics/aignostics/internal/procgroup"
)

// Events.
const (
	RunSubmitted       = "run-submitted"
	RunTerminated      = "run-terminated"
	ArtifactDownloaded = "artifact-downloaded"
)

// DefaultTimeout bounds one hook run.
const DefaultTimeout = 10 * time.Second

// Runner fires the hooks of one command run.
type Runner struct {
	// Dir holds the hooks; "" disables them.
	Dir string
	// Timeout bounds each hook; 0 means DefaultTimeout.
	Timeout time.Duration
	// Env is the hooks' environment (AIGNOSTICS_EVENT is added).
	Env []string
	// Stderr receives the hooks' output (stdout and stderr: never the
	// command's stdout, which scripts read) and the reports of failures.
	Stderr io.Writer
	// Now stamps the events; nil means time.Now.
	Now func() time.Time

	mu   sync.Mutex
	hung map[string]bool // events whose hook timed out: not run again
}

// Dir is the hooks directory for an environment: $XDG_CONFIG_HOME, else
// the platform's user config directory under HOME (~/.config on Linux,
// ~/Library/Application Support on macOS, %AppData% on Windows), then
// aignostics/hooks. "" when none can be found.
func Dir(getenv func(string) (string, bool)) string {
	if v, ok := getenv("XDG_CONFIG_HOME"); ok && filepath.IsAbs(v) {
		return filepath.Join(v, "aignostics", "hooks")
	}
	var base string
	switch runtime.GOOS {
	case "windows":
		base, _ = getenv("AppData")
	case "darwin":
		if home, ok := getenv("HOME"); ok && home != "" {
			base = filepath.Join(home, "Library", "Application Support")
		}
	default:
		if home, ok := getenv("HOME"); ok && home != "" {
			base = filepath.Join(home, ".config")
		}
	}
	if base == "" || !filepath.IsAbs(base) {
		return ""
	}
	return filepath.Join(base, "aignostics", "hooks")
}

// Fire runs the hook named event, if there is one, with one JSON object
// on stdin, one line: {"event": event, "time": RFC 3339} and the fields
// of data.
// It waits for the hook (at most the timeout) and reports a failure on
// Stderr; it never returns one.
func (r *Runner) Fire(ctx context.Context, event string, data map[string]any) {
	if r == nil || r.Dir == "" || ctx.Err() != nil {
		return // no hooks, or the command was interrupted: start nothing new
	}
	r.mu.Lock()
	hung := r.hung[event]
	r.mu.Unlock()
	if hung {
		return // reported once: a download's every file must not wait for it
	}
	path := filepath.Join(r.Dir, event)
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return
	}
	if err != nil {
		r.reportf(event, "%v", err)
		return
	}
	if fi.IsDir() || (runtime.GOOS != "windows" && fi.Mode().Perm()&0o111 == 0) {
		r.reportf(event, "%s is not an executable file (chmod +x it)", path)
		return
	}
	payload := map[string]any{}
	maps.Copy(payload, data)
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	payload["event"], payload["time"] = event, now().UTC().Format(time.RFC3339)
	in, err := json.Marshal(payload)
	if err != nil {
		r.reportf(event, "encode the event: %v", err)
		return
	}
	in = append(in, '\n') // one line, for shell hooks that `read`
	err = r.run(ctx, path, event, in)
	if errors.Is(err, errHung) {
		r.mu.Lock()
		if r.hung == nil {
			r.hung = map[string]bool{}
		}
		r.hung[event] = true
		r.mu.Unlock()
		r.reportf(event, "%v; not run again in this command (the command's result stands)", err)
		return
	}
	if err != nil {
		r.reportf(event, "%v (the command's result stands)", err)
	}
}

// errHung is a hook stopped at its timeout.
var errHung = errors.New("stopped it and what it started")

func (r *Runner) run(ctx context.Context, path, event string, in []byte) error {
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.Command(path)
	cmd.Env = append(slices.Clone(r.Env), "AIGNOSTICS_EVENT="+event)
	cmd.Stdin = &byteReader{b: in}
	out := r.Stderr
	if out == nil {
		out = io.Discard
	}
	cmd.Stdout, cmd.Stderr = out, out
	// Output pipes held open by what the hook left behind must not hold us.
	cmd.WaitDelay = time.Second
	procgroup.Prepare(cmd) // its own process group: a timeout ends what it started too
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		// What the hook left running (a background job holding the
		// command's stderr, so a pipe reading it waits) ends with it.
		_ = procgroup.Kill(cmd)
		if errors.Is(err, exec.ErrWaitDelay) {
			return errors.New("exited but left processes holding its output: stopped them")
		}
		return err
	case <-ctx.Done():
		_ = procgroup.Kill(cmd)
		<-done
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("no answer after %s: %w", timeout, errHung)
		}
		return fmt.Errorf("stopped: %w", context.Cause(ctx))
	}
}

func (r *Runner) reportf(event, format string, args ...any) {
	if r.Stderr == nil {
		return
	}
	fmt.Fprintf(r.Stderr, "aignostics: hook %s: %s\n", event, fmt.Sprintf(format, args...))
}

// byteReader is stdin for a hook: not an *os.File, so a hook that never
// reads does not block us (exec copies it in a goroutine that Wait ends).
type byteReader struct {
	b []byte
	i int
}

func (r *byteReader) Read(p []byte) (int, error) {
	if r.i >= len(r.b) {
		return 0, io.EOF
	}
	n := copy(p, r.b[r.i:])
	r.i += n
	return n, nil
}
