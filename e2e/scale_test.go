//go:build !race

package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/emulator/emulatortest"
)

// TestScaleDownload downloads a run of 2,000 items with 3 artifacts each and
// shows that memory and open files stay bounded. It runs outside -race
// (.ci/run runs it separately).
func TestScaleDownload(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("scale test")
	}
	emu := emulatortest.StartTest(t, emulator.Options{Speed: 5000, ArtifactSize: 2 << 10})
	c := newCLI(t, emu)
	c.login()
	items := writeItems(t, t.TempDir(), 2000, "scale")
	runID := strings.TrimSpace(c.must("runs", "create", "test-app:1.0.0", "--items", items))
	c.must("runs", "watch", runID, "--interval", "200ms", "--max-wait", "5m", "-o", "jsonl")

	dir := t.TempDir()
	// ulimit -n sets the soft and the hard limit, so the Go runtime cannot raise it.
	cmd := exec.Command("bash", "-c", `ulimit -n 128 && exec "$0" "$@"`, binary, "runs", "download", runID, dir, "--parallel", "8", "-o", "jsonl")
	cmd.Env = c.environ(nil)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = new(bytes.Buffer), &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	maxFDs, peakKiB := 0, 0
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	proc := filepath.Join("/proc", strconv.Itoa(cmd.Process.Pid))
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	var err error
wait:
	for {
		select {
		case err = <-done:
			break wait
		case <-tick.C:
			if entries, e := os.ReadDir(filepath.Join(proc, "fd")); e == nil {
				maxFDs = max(maxFDs, len(entries))
			}
			peakKiB = max(peakKiB, vmHWM(filepath.Join(proc, "status")))
		}
	}
	if err != nil {
		t.Fatalf("download: %v\n%s", err, stderr.String())
	}
	// ru_maxrss of a child of a Go process includes the parent's memory (the
	// child starts sharing its address space), so the peak comes from the
	// child's own VmHWM, sampled while it runs.
	rss := int64(peakKiB)
	files := countFiles(t, filepath.Join(dir, runID))
	t.Logf("2000 items x 3 artifacts: %d files, peak RSS %d MiB, at most %d open files", files, rss/1024, maxFDs)
	if files != 6000 {
		t.Fatalf("downloaded %d files, want 6000", files)
	}
	if rss > 128<<10 {
		t.Fatalf("peak RSS %d MiB, want under 128 MiB", rss/1024)
	}
	if maxFDs > 64 {
		t.Fatalf("%d open files at once", maxFDs)
	}
}

// vmHWM reads the peak resident set size (KiB) from a /proc/PID/status file.
func vmHWM(status string) int {
	b, err := os.ReadFile(status)
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	return 0
}
