//go:build unix

package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/emulator/emulatortest"
)

// downloadedFile is a line of runs download -o jsonl.
type downloadedFile struct {
	Path, Status string
	Verified     bool
}

func parseDownload(t *testing.T, out string) []downloadedFile {
	t.Helper()
	var files []downloadedFile
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var f downloadedFile
		if json.Unmarshal([]byte(line), &f) == nil && f.Path != "" {
			files = append(files, f)
		}
	}
	return files
}

// Two processes downloading the same run into the same folder (a second
// terminal, a retried CI job) do not damage each other's files: at most
// one writes a file at a time, and the other, once the lock is released,
// finds the verified file and keeps it.
func TestConcurrentDownloadsIntoOneFolder(t *testing.T) {
	t.Parallel()
	emu := emulatortest.StartTest(t, emulator.Options{Speed: 1000, ArtifactSize: 512 << 10})
	c := newCLI(t, emu)
	c.login()
	items := writeItems(t, t.TempDir(), 3, "twice")
	runID := strings.TrimSpace(c.must("runs", "create", "test-app:1.0.0", "--items", items))
	c.must("runs", "watch", runID, "--interval", "50ms", "--timeout", "1m")

	// Another process holds every file's lock (this test process, alive)
	// while it puts the verified files in place.
	ref := t.TempDir()
	want := parseDownload(t, c.must("runs", "download", runID, ref, "-o", "jsonl"))
	dir := t.TempDir()
	for _, f := range want {
		target := filepath.Join(dir, strings.TrimPrefix(f.Path, ref))
		os.MkdirAll(filepath.Dir(target), 0o755)
		lock := fmt.Sprintf("%d %d -\n", os.Getpid(), time.Now().UnixNano())
		if err := os.WriteFile(target+".part.lock", []byte(lock), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// The binary talks to the emulator through a proxy that says when it
	// listed the items (it is about to fetch files) and counts file
	// requests; a provider hands it the emulator's token.
	listed := make(chan struct{}, 1)
	var fileRequests atomic.Int32
	target, _ := url.Parse(emu.URL())
	rp := httputil.NewSingleHostReverseProxy(target)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/file") {
			fileRequests.Add(1)
		}
		rp.ServeHTTP(w, r)
		if strings.HasSuffix(r.URL.Path, "/items") {
			select {
			case listed <- struct{}{}:
			default:
			}
		}
	}))
	defer proxy.Close()
	access, _, err := emu.IssueToken(emulator.DefaultSubject)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary, "runs", "download", runID, dir, "-o", "jsonl")
	cmd.Env = c.environ(map[string]string{"AIGNOSTICS_API_ROOT": proxy.URL, "AIGNOSTICS_TOKEN_PROVIDER": writeScript(t, "emu-token", "echo "+access)})
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-listed:
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		t.Fatalf("the download never listed the items\n%s", stderr.String())
	}
	for _, f := range want {
		target := filepath.Join(dir, strings.TrimPrefix(f.Path, ref))
		b, err := os.ReadFile(f.Path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(target+".tmp", b, 0o644); err != nil {
			t.Fatal(err)
		}
		os.Rename(target+".tmp", target)
		os.Remove(target + ".part.lock")
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("download beside a holder of the locks: %v\n%s", err, stderr.String())
	}
	for _, f := range parseDownload(t, stdout.String()) {
		if f.Status != "skipped" || !f.Verified {
			t.Errorf("%s: %s (verified %v); want the other process's verified file kept, not written again", f.Path, f.Status, f.Verified)
		}
	}
	if n := fileRequests.Load(); n != 0 {
		t.Errorf("%d files were fetched while another process held their locks", n)
	}

	// Two real processes at once into a fresh folder.
	dir2 := t.TempDir()
	var cmds []*exec.Cmd
	var errs []*bytes.Buffer
	for range 2 {
		cmd := exec.Command(binary, "runs", "download", runID, dir2, "-o", "jsonl", "--parallel", "2")
		cmd.Env = c.environ(nil)
		var e bytes.Buffer
		cmd.Stdout, cmd.Stderr = new(bytes.Buffer), &e
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, errs = append(cmds, cmd), append(errs, &e)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("concurrent download %d: %v\n%s", i, err, errs[i].String())
		}
	}
	for _, f := range parseDownload(t, c.must("runs", "download", runID, dir2, "-o", "jsonl")) {
		if f.Status != "skipped" || !f.Verified {
			t.Errorf("after two concurrent downloads %s is %s (verified %v), want skipped and verified", f.Path, f.Status, f.Verified)
		}
	}
	filepath.WalkDir(dir2, func(p string, d fs.DirEntry, err error) error {
		if err == nil && (strings.HasSuffix(p, ".lock") || strings.HasSuffix(p, ".part")) {
			t.Errorf("left behind: %s", p)
		}
		return nil
	})
}
