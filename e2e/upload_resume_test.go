package e2e

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/emulator/emulatortest"
)

// holdingProxy stands in front of the emulator's storage (as
// STORAGE_EMULATOR_HOST) and counts the part PUTs it passes on; while hold
// is set, the first PUT of part hold is kept waiting (and reported on held)
// until the test lets go.
type holdingProxy struct {
	mu    sync.Mutex
	parts map[string]int
	hold  string
	held  chan struct{}
	free  chan struct{}
	srv   *httptest.Server
}

func newHoldingProxy(t *testing.T, emu *emulator.Emulator) *holdingProxy {
	target, err := url.Parse(emu.StorageURL())
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	p := &holdingProxy{parts: map[string]int{}, held: make(chan struct{}, 1), free: make(chan struct{})}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		part := r.URL.Query().Get("partNumber")
		if r.Method == http.MethodPut && part != "" {
			p.mu.Lock()
			p.parts[part]++
			hold := part == p.hold
			if hold {
				p.hold = ""
			}
			p.mu.Unlock()
			if hold {
				p.held <- struct{}{}
				<-p.free
				return // the client is gone by now
			}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		close(p.free)
		p.srv.Close()
	})
	return p
}

func (p *holdingProxy) sent(part string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.parts[part]
}

// TestSlidesUploadKilledResumes: the binary is killed (SIGKILL) while part
// 3 of a 4-part upload is on its way; the next run resumes: parts 1 and 2
// are not sent again, 3 and 4 are, and the object is verified. Then a run
// stopped with SIGINT at its second part exits 130 with the journal kept.
func TestSlidesUploadKilledResumes(t *testing.T) {
	t.Parallel()
	emu := emulatortest.StartTest(t, emulator.Options{})
	c := newCLI(t, emu)
	c.login()
	p := newHoldingProxy(t, emu)
	dir := t.TempDir()
	b, err := os.ReadFile(filepath.Join(slideFixtures, "aperio.svs"))
	if err != nil {
		t.Fatal(err)
	}
	big := append(b, bytes.Repeat([]byte("slide bytes "), (17<<20)/12)...) // 4 parts of 5 MiB, the last short
	path := filepath.Join(dir, "big.svs")
	if err := os.WriteFile(path, big, 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"STORAGE_EMULATOR_HOST": p.srv.URL}
	args := []string{"slides", "upload", dir, "-o", "jsonl", "--part-size", "5MiB", "--multipart-threshold", "5MiB", "--parallel", "1"}

	start := func() *exec.Cmd {
		cmd := exec.Command(binary, args...)
		cmd.Env = c.environ(env)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	p.mu.Lock()
	p.hold = "3"
	p.mu.Unlock()
	cmd := start()
	<-p.held
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	p.free <- struct{}{}
	journals, _ := filepath.Glob(filepath.Join(c.home, "cache", "uploads", "*.json"))
	if len(journals) != 1 || emu.MultipartUploads() != 1 {
		t.Fatalf("after kill -9: journals %v, %d uploads open; want one of each", journals, emu.MultipartUploads())
	}

	r := c.run(env, "", args...)
	if r.code != 0 {
		t.Fatalf("resumed run: exit %d: %s", r.code, r.stderr)
	}
	for part, want := range map[string]int{"1": 1, "2": 1, "3": 2, "4": 1} {
		if n := p.sent(part); n != want {
			t.Errorf("part %s sent %d times in all, want %d", part, n, want)
		}
	}
	l := uploadLines(t, r.stdout)["big.svs"]
	if l.Status != "uploaded" || !strings.Contains(r.stdout, `"resumed_parts":2`) || l.BytesSent != l.Size-10<<20 {
		t.Errorf("resumed run: %s", r.stdout)
	}
	if n, crc, ok := emu.OrgObject(l.Key); !ok || n != int64(len(big)) || crc != l.Checksum {
		t.Errorf("stored %d %s %v", n, crc, ok)
	}
	if journals, _ := filepath.Glob(filepath.Join(c.home, "cache", "uploads", "*.json")); len(journals) != 0 || emu.MultipartUploads() != 0 {
		t.Errorf("left: journals %v, %d uploads open", journals, emu.MultipartUploads())
	}

	// Ctrl-C: exit 130, the journal kept for the next run.
	p.mu.Lock()
	p.hold = "2"
	p.mu.Unlock()
	args = append(args, "--prefix", "again")
	cmd = start()
	<-p.held
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	p.free <- struct{}{}
	_ = cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Errorf("SIGINT: exit %d, want 130", code)
	}
	if journals, _ := filepath.Glob(filepath.Join(c.home, "cache", "uploads", "*.json")); len(journals) != 1 {
		t.Errorf("after SIGINT: journals %v, want the one kept", journals)
	}
}
