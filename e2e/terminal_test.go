package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/emulator/emulatortest"
)

// TestTerminalAt80Columns runs the binary in a real terminal (tmux, 80
// columns) as a person would: runs list, runs watch of a run that moves,
// and a download. Their live lines are rewritten in place and never wrap:
// capture-pane -J joins wrapped rows, so every joined line must fit 80
// columns, and the watch must leave exactly one status line.
func TestTerminalAt80Columns(t *testing.T) {
	t.Parallel()
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("tmux not installed (apt-get install -y tmux)")
	}
	emu := emulatortest.StartTest(t, emulator.Options{Speed: 10, ArtifactSize: 512 << 10})
	c := newCLI(t, emu)
	c.login()
	dir := t.TempDir()
	c.must("runs", "create", "test-app", "--items", writeItems(t, dir, 6, "a-rather-long-external-id-of-a-scanned-slide"))

	var script strings.Builder
	script.WriteString("#!/bin/sh\n")
	for _, kv := range c.environ(map[string]string{"TERM": "xterm"}) {
		k, v, _ := strings.Cut(kv, "=")
		fmt.Fprintf(&script, "export %s='%s'\n", k, strings.ReplaceAll(v, "'", `'\''`))
	}
	fmt.Fprintf(&script, "cd %s\n", dir)
	fmt.Fprintf(&script, "%s runs list\n", binary)
	fmt.Fprintf(&script, "%s runs watch latest --interval 100ms; echo \"WATCH-EXIT $?\"\n", binary)
	fmt.Fprintf(&script, "%s runs download latest out; echo \"DOWNLOAD-EXIT $?\"\n", binary)
	script.WriteString("echo ALL-DONE\nsleep 600\n")
	sh := filepath.Join(dir, "session.sh")
	if err := os.WriteFile(sh, []byte(script.String()), 0o700); err != nil {
		t.Fatal(err)
	}
	sock := fmt.Sprintf("aignostics-e2e-%d", os.Getpid())
	tm := func(args ...string) string {
		out, err := exec.Command(tmux, append([]string{"-L", sock}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	tm("new-session", "-d", "-s", "e2e", "-x", "80", "-y", "60", "sh "+sh)
	defer exec.Command(tmux, "-L", sock, "kill-server").Run()

	var pane string
	for i := 0; ; i++ {
		pane = tm("capture-pane", "-p", "-J", "-t", "e2e")
		if strings.Contains(pane, "ALL-DONE") {
			break
		}
		if i > 1200 {
			t.Fatalf("the session did not finish:\n%s", pane)
		}
		time.Sleep(100 * time.Millisecond) // polling the terminal, not timing anything
	}
	t.Logf("the terminal at 80 columns:\n%s", pane)
	for _, line := range strings.Split(pane, "\n") {
		if strings.HasPrefix(line, "folder:") || strings.HasPrefix(line, "manifest:") {
			continue // a temporary directory's path: as long as it is
		}
		if n := utf8.RuneCountInString(strings.TrimRight(line, " ")); n > 80 {
			t.Errorf("a line wrapped (%d columns): %q", n, line)
		}
	}
	for _, want := range []string{"RUN_ID", "WATCH-EXIT 0", "DOWNLOAD-EXIT 0", "downloading 18/18 files", "downloaded: 18"} {
		if !strings.Contains(pane, want) {
			t.Errorf("the terminal lacks %q", want)
		}
	}
	// One status line for the whole watch, ending TERMINATED.
	watch := pane[strings.Index(pane, "latest = run"):strings.Index(pane, "WATCH-EXIT")]
	if lines := strings.Split(strings.TrimSpace(watch), "\n"); len(lines) != 2 || !strings.Contains(lines[1], "TERMINATED") {
		t.Errorf("watch left %q, want the run's note and one status line", lines)
	}
}
