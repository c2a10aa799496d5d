package e2e

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/emulator/emulatortest"
)

// TestExecuteUnderFaults: runs execute with the fault suite's mix (its seed)
// on the API, storage and login either completes or exits 1 or 5, never
// leaving a wrong file under a final name; runs download then completes.
func TestExecuteUnderFaults(t *testing.T) {
	t.Parallel()
	for _, seed := range faultSeeds(t) {
		t.Run("seed="+strconv.FormatInt(seed, 10), func(t *testing.T) { executeUnderFaults(t, seed) })
	}
}

func executeUnderFaults(t *testing.T, seed int64) {
	emu := emulatortest.StartTest(t, emulator.Options{Speed: 200, ArtifactSize: 96 << 10, Seed: seed})
	c := newCLI(t, emu)
	c.env["AIGNOSTICS_AUTHORIZATION_BACKOFF_SECONDS"] = "1"
	c.login()
	if err := emu.SetFaults(faultSpec); err != nil {
		t.Fatal(err)
	}
	slidesDir := slideFolder(t)
	out := t.TempDir()
	var runID string
	for attempt := 1; attempt <= 6 && runID == ""; attempt++ {
		r := c.run(nil, "", "runs", "execute", "test-app", slidesDir, "--output-dir", out, "--interval", "100ms", "--parallel", "2", "-o", "jsonl")
		for _, e := range mustReadDir(t, out) {
			assertNoCorruptFinalFiles(t, emu, c, e.Name(), out)
			runID = e.Name()
		}
		switch r.code {
		case 0:
		case 1, 5:
			t.Logf("attempt %d: exit %d: %s", attempt, r.code, lastLine(r.stderr))
		default:
			t.Fatalf("attempt %d: execute exit %d: %s", attempt, r.code, r.stderr)
		}
		if r.code == 0 && runID == "" {
			t.Fatalf("execute exit 0 without a results folder:\n%s", r.stderr)
		}
	}
	if runID == "" {
		t.Fatal("no run executed in 6 attempts")
	}
	for attempt := 1; attempt <= 6; attempt++ {
		r := c.run(nil, "", "runs", "download", runID, out, "--wait", "--interval", "100ms", "-o", "jsonl")
		assertNoCorruptFinalFiles(t, emu, c, runID, out)
		if r.code == 0 {
			break
		}
		if r.code != 1 && r.code != 5 {
			t.Fatalf("download attempt %d: exit %d: %s", attempt, r.code, r.stderr)
		}
	}
	if n := countFiles(t, filepath.Join(out, runID)); n != 6*3 {
		t.Fatalf("%d files after execute and download, want 18", n)
	}
}

// TestExecuteInterrupted: Ctrl-C while the run is processing exits 130 and
// says that the run goes on and how to resume the download or cancel it.
func TestExecuteInterrupted(t *testing.T) {
	t.Parallel()
	emu := emulatortest.StartTest(t, emulator.Options{Speed: 1, ArtifactSize: 256})
	c := newCLI(t, emu)
	c.login()
	slidesDir := slideFolder(t)
	out := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "runs", "execute", "test-app", slidesDir, "--output-dir", out, "--interval", "50ms", "-o", "text")
	cmd.Env = c.environ(nil)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var seen strings.Builder
	sc := bufio.NewScanner(stderr)
	signalled := false
	for sc.Scan() {
		seen.WriteString(sc.Text() + "\n")
		// The first status line after the submit: the run is watched.
		if !signalled && strings.Contains(sc.Text(), "run ") && strings.Contains(sc.Text(), " items: ") {
			if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
			signalled = true
		}
	}
	err = cmd.Wait()
	code := cmd.ProcessState.ExitCode()
	msg := seen.String()
	if !signalled || code != 130 || !strings.Contains(msg, "goes on on the platform") ||
		!strings.Contains(msg, "aignostics runs download ") || !strings.Contains(msg, "aignostics runs cancel ") {
		t.Fatalf("interrupted execute: exit %d (%v), signalled %v\n%s", code, err, signalled, msg)
	}
}

func mustReadDir(t *testing.T, dir string) []os.DirEntry {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
