//go:build unix

package hooks

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aignostics/aignostics/internal/proctest"
)

func hook(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
}

func newRunner(t *testing.T) (*Runner, *bytes.Buffer) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("hooks are shell scripts here")
	}
	var errb bytes.Buffer
	return &Runner{Dir: t.TempDir(), Timeout: 5 * time.Second, Stderr: &errb,
		Now: func() time.Time { return time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC) }}, &errb
}

// TestFireGivesOneJSONObject: the hook reads the event on stdin and its
// name in AIGNOSTICS_EVENT.
func TestFireGivesOneJSONObject(t *testing.T) {
	r, errb := newRunner(t)
	got := filepath.Join(t.TempDir(), "got")
	hook(t, r.Dir, RunSubmitted, `cat > `+got+`; echo "$AIGNOSTICS_EVENT" >> `+got+`; echo hook says hi`)
	r.Fire(context.Background(), RunSubmitted, map[string]any{"run_id": "r1", "item_count": 3})
	b, err := os.ReadFile(got)
	if err != nil {
		t.Fatal(err)
	}
	obj, event, _ := strings.Cut(string(b), "\n")
	var v map[string]any
	if err := json.Unmarshal([]byte(obj), &v); err != nil {
		t.Fatalf("stdin %q: %v", obj, err)
	}
	if v["event"] != RunSubmitted || v["run_id"] != "r1" || v["item_count"] != 3.0 || v["time"] != "2026-03-02T10:00:00Z" || strings.TrimSpace(event) != RunSubmitted {
		t.Errorf("hook got %v, event %q", v, event)
	}
	if errb.String() != "hook says hi\n" {
		t.Errorf("stderr %q: the hook's output goes there, nothing else", errb.String())
	}
	// Once the command is interrupted, no hook starts.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := os.Remove(got); err != nil {
		t.Fatal(err)
	}
	r.Fire(ctx, RunSubmitted, nil)
	if _, err := os.Stat(got); !os.IsNotExist(err) {
		t.Errorf("a hook ran after the interruption (%v)", err)
	}
	// No hook for an event: nothing happens.
	r.Fire(context.Background(), RunTerminated, nil)
	if errb.String() != "hook says hi\n" {
		t.Errorf("missing hook: %q", errb.String())
	}
}

func TestFireReportsFailures(t *testing.T) {
	r, errb := newRunner(t)
	hook(t, r.Dir, RunTerminated, `echo broken >&2; exit 3`)
	r.Fire(context.Background(), RunTerminated, nil)
	if !strings.Contains(errb.String(), "broken\naignostics: hook run-terminated: exit status 3 (the command's result stands)") {
		t.Errorf("stderr %q", errb.String())
	}
	errb.Reset()
	if err := os.WriteFile(filepath.Join(r.Dir, ArtifactDownloaded), []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r.Fire(context.Background(), ArtifactDownloaded, nil)
	if !strings.Contains(errb.String(), "is not an executable file") {
		t.Errorf("stderr %q", errb.String())
	}
}

// TestHangingHookIsKilledWithWhatItStarted: past the timeout the hook's
// whole process group ends, a grandchild included, and Fire returns.
func TestHangingHookIsKilledWithWhatItStarted(t *testing.T) {
	r, errb := newRunner(t)
	r.Timeout = 300 * time.Millisecond
	pidFile := filepath.Join(t.TempDir(), "pid")
	hook(t, r.Dir, RunSubmitted, `sleep 300 & echo $! > `+pidFile+`; wait`)
	r.Fire(context.Background(), RunSubmitted, nil)
	if !strings.Contains(errb.String(), "no answer after 300ms: stopped it and what it started") {
		t.Errorf("stderr %q", errb.String())
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	proctest.WaitGone(t, pid) // the hook's child must not outlive it
}

// TestHangingHookRunsOnce: a hook that hung is not started again in the
// same command. A download fires artifact-downloaded once per file: a hook
// that hangs held every file for the whole timeout (900 files, 2.5 hours).
func TestHangingHookRunsOnce(t *testing.T) {
	r, errb := newRunner(t)
	r.Timeout = 200 * time.Millisecond
	runs := filepath.Join(t.TempDir(), "runs")
	hook(t, r.Dir, ArtifactDownloaded, `echo run >> `+runs+`; sleep 300`)
	hook(t, r.Dir, RunTerminated, `echo run >> `+runs+`.terminated`)
	for range 3 {
		r.Fire(context.Background(), ArtifactDownloaded, nil)
	}
	r.Fire(context.Background(), RunTerminated, nil)
	b, err := os.ReadFile(runs)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "run"); n != 1 {
		t.Errorf("the hanging hook ran %d times, want 1", n)
	}
	if n := strings.Count(errb.String(), "no answer after 200ms"); n != 1 || !strings.Contains(errb.String(), "not run again in this command") {
		t.Errorf("stderr %q", errb.String())
	}
	if _, err := os.Stat(runs + ".terminated"); err != nil {
		t.Errorf("another event's hook did not run: %v", err)
	}
}

// TestHookLeavesNothingBehind: what a hook started in the background ends
// with the hook. Left running, it held the command's stderr open (a pipe
// into `| tee` waited for it) and wrote into it long after the command.
func TestHookLeavesNothingBehind(t *testing.T) {
	r, errb := newRunner(t)
	pidFile := filepath.Join(t.TempDir(), "pid")
	hook(t, r.Dir, RunSubmitted, `(sleep 300; echo late) & echo $! > `+pidFile+`; echo done`)
	r.Fire(context.Background(), RunSubmitted, nil)
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	proctest.WaitGone(t, pid) // the hook's background process must not outlive it
	if !strings.HasPrefix(errb.String(), "done\n") {
		t.Errorf("stderr %q", errb.String())
	}
}

func TestDir(t *testing.T) {
	env := func(m map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	if d := Dir(env(map[string]string{"XDG_CONFIG_HOME": "/cfg", "HOME": "/home/u"})); d != filepath.Join("/cfg", "aignostics", "hooks") {
		t.Errorf("XDG: %s", d)
	}
	if runtime.GOOS == "linux" {
		if d := Dir(env(map[string]string{"HOME": "/home/u"})); d != "/home/u/.config/aignostics/hooks" {
			t.Errorf("HOME: %s", d)
		}
	}
	if d := Dir(env(map[string]string{"XDG_CONFIG_HOME": "relative"})); d != "" && runtime.GOOS == "linux" {
		t.Errorf("relative XDG and no HOME: %q", d)
	}
}
