package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/aignostics/aignostics/internal/iostreams"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// lineWriter collects output and signals the first complete line.
type lineWriter struct {
	mu    sync.Mutex
	b     bytes.Buffer
	ready chan string
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.b.Write(p)
	if line, _, ok := strings.Cut(w.b.String(), "\n"); ok && w.ready != nil {
		w.ready <- line
		w.ready = nil
	}
	return len(p), nil
}

func (w *lineWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

func TestEmulatorCommandServesUntilCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	creds := filepath.Join(t.TempDir(), "sa.json")
	readyCh := make(chan string, 1)
	stdout := &lineWriter{ready: readyCh}
	stderr := &lineWriter{}
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, []string{"emulator", "--listen", "127.0.0.1:0", "--storage-listen", "127.0.0.1:0",
			"--health", "degraded", "--write-credentials", creds, "--min-part-size", "65536", "-o", "json"},
			Env{IO: iostreams.New(nil, stdout, stderr), Getenv: func(string) (string, bool) { return "", false }})
	}()
	var line string
	select {
	case line = <-readyCh:
	case code := <-done:
		t.Fatalf("emulator exited with %d: %s", code, stderr.String())
	}
	var ready struct{ Status, APIRoot, StorageURL, Credentials string }
	if err := json.Unmarshal([]byte(line), &struct {
		Status      *string `json:"status"`
		APIRoot     *string `json:"api_root"`
		StorageURL  *string `json:"storage_url"`
		Credentials *string `json:"credentials"`
	}{&ready.Status, &ready.APIRoot, &ready.StorageURL, &ready.Credentials}); err != nil {
		t.Fatalf("ready line %q: %v", line, err)
	}
	if ready.Status != "ready" || !strings.HasPrefix(ready.APIRoot, "http://127.0.0.1:") || !strings.HasPrefix(ready.StorageURL, "http://127.0.0.1:") || ready.Credentials != creds {
		t.Errorf("ready %+v", ready)
	}
	resp, err := http.Get(ready.APIRoot + "/health")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "DEGRADED") {
		t.Errorf("health: %d %s", resp.StatusCode, body)
	}
	// The organization bucket's smallest part, for clients to find.
	resp, err = http.Get(ready.APIRoot + "/.well-known/aignostics-emulator")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"min_part_size":65536`) {
		t.Errorf("emulator info: %s", body)
	}
	if fi, err := os.Stat(creds); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("credentials: %v %v", fi, err)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d after cancel, want 0: %s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the emulator did not stop")
	}
	log := stderr.String()
	if !strings.Contains(log, " api GET /health 200 ") || !strings.Contains(log, "AIGNOSTICS_API_ROOT="+ready.APIRoot) {
		t.Errorf("stderr lacks the request log or the hint:\n%s", log)
	}
}

func TestEmulatorCommandHelpAndBadFlags(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	env := Env{IO: iostreams.New(nil, &out, &errb), Getenv: func(string) (string, bool) { return "", false }}
	if code := Main(context.Background(), []string{"emulator", "--help"}, env); code != 0 {
		t.Fatalf("--help: exit %d", code)
	}
	for _, want := range []string{"--faults", "delay=DURATION", "truncate", "--storage-listen", "--write-credentials", "--device-approval"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help lacks %q", want)
		}
	}
	for _, args := range [][]string{
		{"emulator", "--faults", "api:teapot", "--listen", "127.0.0.1:0", "--storage-listen", "127.0.0.1:0"},
		{"emulator", "--device-approval", "sometimes"},
		{"emulator", "--listen", "256.0.0.1:1"},
	} {
		errb.Reset()
		if code := Main(context.Background(), args, env); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, errb.String())
		}
	}
}

// TestEmulatorSeedFromTheClock: without --seed each emulator takes its seed
// (run ids, artifact bytes) from the clock; --seed fixes it.
func TestEmulatorSeedFromTheClock(t *testing.T) {
	t.Parallel()
	clk := newRunsClock()
	f := &Factory{Clock: clk.Clock()}
	a := (&EmulatorCmd{}).seed(f)
	clk.Advance(time.Millisecond)
	if b := (&EmulatorCmd{}).seed(f); a == b {
		t.Errorf("two emulators got seed %d", a)
	}
	seven := int64(7)
	if s := (&EmulatorCmd{Seed: &seven}).seed(f); s != 7 {
		t.Errorf("--seed 7 gave %d", s)
	}
}

// TestSelfCommand: the demo's last hint names a command that works.
func TestSelfCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := func(path string) func(string) (string, bool) {
		return func(k string) (string, bool) { return path, k == "PATH" }
	}
	for _, tc := range []struct{ exe, path, want string }{
		{"/tmp/go-build123/b001/exe/aignostics", "/usr/bin", "go run ."},
		{filepath.Join(dir, "aignostics"), "/usr/bin:" + dir, "aignostics"},
		{"/opt/x/aignostics", "/usr/bin", "/opt/x/aignostics"},
	} {
		if got := selfCommand(&Factory{Executable: tc.exe, Getenv: env(tc.path)}); got != tc.want {
			t.Errorf("selfCommand(%s) = %q, want %q", tc.exe, got, tc.want)
		}
	}
}
