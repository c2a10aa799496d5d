package resources_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/aignostics/aignostics/resources"
)

// A full disk (made with `ulimit -f`, as CI runs as root) fails the files with
// the write error, exits through the summary error, and leaves no final file.
// The download runs in a child copy of this test binary under the limit.
func TestDownloadDiskFull(t *testing.T) {
	if dir := os.Getenv("AIGNOSTICS_DISKFULL_DIR"); dir != "" {
		e := newDLEnv(t, "test-app", 1, 200_000, "")
		e.finish()
		sum, err := e.run.DownloadToFolder(context.Background(), dir, resources.DownloadOptions{})
		b, _ := json.Marshal(map[string]any{"summary": sum, "failed": errors.Is(err, resources.ErrDownloadFailed)})
		fmt.Printf("\nRESULT %s\n", b)
		return
	}
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh for ulimit")
	}
	dir := t.TempDir()
	// 64 blocks of 512 bytes: 32 KiB per file, far below 200 KB.
	cmd := exec.Command("sh", "-c", `ulimit -f 64 && exec "$0" -test.run '^TestDownloadDiskFull$' -test.count=1`, os.Args[0])
	cmd.Env = append(os.Environ(), "AIGNOSTICS_DISKFULL_DIR="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	_, line, ok := strings.Cut(string(out), "RESULT ")
	if !ok {
		t.Fatalf("no result from the child:\n%s", out)
	}
	line, _, _ = strings.Cut(line, "\n")
	var res struct {
		Summary resources.DownloadSummary
		Failed  bool
	}
	if err := json.Unmarshal([]byte(line), &res); err != nil {
		t.Fatal(err)
	}
	if !res.Failed || res.Summary.Failed != 3 || res.Summary.Downloaded != 0 {
		t.Fatalf("summary %+v", res)
	}
	for _, f := range res.Summary.Files {
		if !strings.Contains(f.Error, "file too large") {
			t.Errorf("error %q does not name the write failure", f.Error)
		}
		if _, err := os.Stat(f.Path); err == nil {
			t.Errorf("final file %s exists", f.Path)
		}
	}
}
