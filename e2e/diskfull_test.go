package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/emulator/emulatortest"
)

// TestDiskFull downloads into a "full disk" (ulimit -f, so writes fail with
// EFBIG): the command reports the failure in one line with exit 1, and no
// file ends under its final name short of its bytes.
func TestDiskFull(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is needed for ulimit")
	}
	emu := emulatortest.StartTest(t, emulator.Options{Speed: 1000, ArtifactSize: 256 << 10})
	c := newCLI(t, emu)
	c.login()
	items := writeItems(t, t.TempDir(), 2, "full")
	runID := strings.TrimSpace(c.must("runs", "create", "test-app:1.0.0", "--items", items))
	c.must("runs", "watch", runID, "--interval", "50ms", "--max-wait", "1m")

	dir := t.TempDir()
	cmd := exec.Command("bash", "-c", `ulimit -f 64 && exec "$0" "$@"`, binary, "runs", "download", runID, dir, "-o", "text")
	cmd.Env = c.environ(nil)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = new(bytes.Buffer), &stderr
	err := cmd.Run()
	code := cmd.ProcessState.ExitCode()
	if err == nil || code != 1 {
		t.Fatalf("download onto a full disk: exit %d, want 1\n%s", code, stderr.String())
	}
	msg := strings.TrimSpace(stderr.String())
	if lines := strings.Split(msg, "\n"); !strings.Contains(lines[len(lines)-1], "file too large") || strings.Contains(msg, "goroutine ") {
		t.Fatalf("stderr does not end with the write error:\n%s", msg)
	}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".part") || strings.HasSuffix(p, ".etag") || d.Name() == "manifest.json" {
			return nil
		}
		if info, _ := d.Info(); info.Size() != 256<<10 {
			t.Errorf("%s is under its final name with %d bytes", p, info.Size())
		}
		return nil
	})
}
