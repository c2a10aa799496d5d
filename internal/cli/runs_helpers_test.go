package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/aignostics/aignostics/internal/iostreams"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/emulator/emulatortest"
	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/internal/clock"
)

// newRunsClock returns a fake clock on which waiting advances the time at once.
func newRunsClock() *clock.Fake {
	return clock.NewAutoFake(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
}

// runsEnv is an emulator on a manual clock and a way to run the command line
// against it in-process.
type runsEnv struct {
	t           *testing.T
	emu         *emulator.Emulator
	clock       *clock.Fake // the emulator's and (unless cli is set) the command line's
	root        string      // API root the command line uses (the emulator or a proxy)
	token       string
	dir         string
	cli         *clock.Fake   // the command line's clock; nil: the emulator's
	tty         bool          // stdout and stderr are terminals
	stdin       bool          // stdin is a terminal (with tty: a person can be asked)
	width       int           // the terminal width when tty; 0: as wide as needed
	color       bool          // colour allowed (as on a real terminal without NO_COLOR)
	hookTimeout time.Duration // 0: the default
	extraEnv    map[string]string
}

func newRunsEnv(t *testing.T) *runsEnv {
	t.Helper()
	clk := newRunsClock()
	emu := emulatortest.StartTest(t, emulator.Options{Clock: clk.Clock(), ArtifactSize: 1024})
	access, _, err := emu.IssueToken(emulator.DefaultSubject)
	if err != nil {
		t.Fatal(err)
	}
	return &runsEnv{t: t, emu: emu, clock: clk, root: emu.URL(), token: access, dir: t.TempDir()}
}

type runsResult struct {
	stdout, stderr string
	code           int
}

// run runs the command line with args; stdin is given to the command.
func (e *runsEnv) run(stdin string, args ...string) runsResult {
	e.t.Helper()
	var out, errb bytes.Buffer
	env := map[string]string{
		"AIGNOSTICS_API_ROOT":  e.root,
		"AIGNOSTICS_ENV_FILE":  os.DevNull,
		"AIGNOSTICS_CACHE_DIR": filepath.Join(e.dir, "cache"),
		"HOME":                 e.dir,
	}
	for k, v := range e.extraEnv {
		env[k] = v
	}
	clk := e.clock
	if e.cli != nil {
		clk = e.cli
	}
	var ts httpx.TokenSource = httpx.StaticToken(e.token)
	if e.token == "" {
		ts = nil // login and the token cache, as a user without a token
	}
	ios := iostreams.New(strings.NewReader(stdin), &out, &errb)
	ios.SetStdoutTTY(e.tty)
	ios.SetStderrTTY(e.tty)
	ios.SetStdinTTY(e.stdin)
	ios.SetTerminalWidth(e.width)
	ios.SetColorEnabled(e.color)
	code := Main(context.Background(), args, Env{
		IO:          ios,
		Getenv:      func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		Environ:     []string{},
		TokenSource: ts,
		Clock:       clk.Clock(),
		HookTimeout: e.hookTimeout,
	})
	return runsResult{stdout: out.String(), stderr: errb.String(), code: code}
}

// ok runs args and fails the test unless the exit code is 0.
func (e *runsEnv) ok(args ...string) runsResult {
	e.t.Helper()
	r := e.run("", args...)
	if r.code != 0 {
		e.t.Fatalf("aignostics %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

// fails runs args and checks the exit code and that stderr mentions each of want.
func (e *runsEnv) fails(code int, want []string, args ...string) runsResult {
	e.t.Helper()
	r := e.run("", args...)
	if r.code != code {
		e.t.Fatalf("aignostics %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, code, r.stdout, r.stderr)
	}
	for _, w := range want {
		if !strings.Contains(r.stderr, w) {
			e.t.Errorf("aignostics %s: stderr %q does not mention %q", strings.Join(args, " "), r.stderr, w)
		}
	}
	return r
}

// itemsFile writes n valid test-app items as JSON Lines and returns the path.
func (e *runsEnv) itemsFile(prefix string, n int) string {
	e.t.Helper()
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"external_id":"%s-%d","input_artifacts":[{"name":"whole_slide_image","download_url":"https://storage.example.com/%s-%d.tiff","metadata":{"checksum_base64_crc32c":"AAAAAA==","width_px":1000,"height_px":800,"resolution_mpp":0.25,"media_type":"image/tiff"}}]}`+"\n", prefix, i, prefix, i)
	}
	p := filepath.Join(e.dir, prefix+".jsonl")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		e.t.Fatal(err)
	}
	return p
}

// create submits a run of n items and returns its id.
func (e *runsEnv) create(prefix string, n int, extra ...string) string {
	e.t.Helper()
	r := e.ok(append([]string{"runs", "create", "test-app", "--items", e.itemsFile(prefix, n)}, extra...)...)
	return strings.TrimSpace(r.stdout)
}

// jsonLines decodes every line of s as a JSON object.
func jsonLines(t *testing.T, s string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for i, line := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %d %q: %v", i+1, line, err)
		}
		out = append(out, m)
	}
	return out
}
