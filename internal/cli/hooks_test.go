package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestHooksNeverChangeTheResult: run-submitted gets the run, a failing
// run-terminated hook and a hanging artifact-downloaded hook (stopped at
// its timeout) are reported on stderr while every command exits as it
// would without them, with the same stdout.
func TestHooksNeverChangeTheResult(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("hooks here are shell scripts under ~/.config")
	}
	e := newRunsEnv(t)
	// Without hooks first: what the commands print and how they exit.
	plainID := e.create("plain", 1)
	e.clock.Advance(10 * time.Minute)
	plainWatch := e.ok("-o", "text", "runs", "watch", plainID)
	plainDL := e.ok("-o", "json", "runs", "download", plainID, filepath.Join(e.dir, "plain"))

	dir := filepath.Join(e.dir, ".config", "aignostics", "hooks")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	got := filepath.Join(e.dir, "submitted.json")
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write("run-submitted", "cat > "+got)
	write("run-terminated", "echo hook broke >&2; exit 7")
	write("artifact-downloaded", "sleep 300 & wait")
	e.hookTimeout = 200 * time.Millisecond

	id := e.create("hooked", 1)
	var ev map[string]any
	b, err := os.ReadFile(got)
	if err != nil || json.Unmarshal(b, &ev) != nil || ev["event"] != "run-submitted" || ev["run_id"] != id || ev["application_id"] != "test-app" || ev["item_count"] != 1.0 {
		t.Fatalf("run-submitted hook got %q (%v)", b, err)
	}
	e.clock.Advance(10 * time.Minute)
	w := e.ok("-o", "text", "runs", "watch", id)
	if !strings.Contains(w.stderr, "hook broke") || !strings.Contains(w.stderr, "hook run-terminated: exit status 7 (the command's result stands)") {
		t.Errorf("watch stderr %q", w.stderr)
	}
	if strings.Count(w.stdout, "\n") != strings.Count(plainWatch.stdout, "\n") || !strings.Contains(w.stdout, "TERMINATED (ALL_ITEMS_PROCESSED)") {
		t.Errorf("watch stdout changed: %q, without hooks %q", w.stdout, plainWatch.stdout)
	}
	dl := e.ok("-o", "json", "runs", "download", id, filepath.Join(e.dir, "hooked"))
	if n := strings.Count(dl.stderr, "hook artifact-downloaded: no answer after 200ms"); n != 1 || !strings.Contains(dl.stderr, "not run again in this command") {
		t.Errorf("%d hanging hooks reported, want 1 (not started again for the other files): %q", n, dl.stderr)
	}
	var a, p map[string]any
	if json.Unmarshal([]byte(dl.stdout), &a) != nil || json.Unmarshal([]byte(plainDL.stdout), &p) != nil || a["downloaded"] != p["downloaded"] || a["failed"] != 0.0 {
		t.Errorf("download summary changed: %s\nwithout hooks: %s", dl.stdout, plainDL.stdout)
	}
	// A failing watch stays a failing watch (exit 1), hooks or not.
	bad := e.create("slide-fail-user", 1)
	e.clock.Advance(10 * time.Minute)
	e.fails(1, []string{"hook run-terminated: exit status 7", "not succeeded"}, "-o", "text", "runs", "watch", bad)
}
