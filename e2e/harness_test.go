// Package e2e proves the aignostics binary end to end: it builds the real
// binary and runs it against the emulator, with faults, bad input and scale.
package e2e

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aignostics/aignostics/emulator"
)

// binary is the path of the aignostics binary built for this test run.
var binary string

func TestMain(m *testing.M) {
	// The tests here mostly wait (on child processes, emulators, polls), so
	// more of them run at once than the default of one per CPU; an
	// explicit -parallel wins.
	flag.Parse()
	parallelGiven := false
	flag.Visit(func(f *flag.Flag) { parallelGiven = parallelGiven || f.Name == "test.parallel" })
	if !parallelGiven {
		_ = flag.Set("test.parallel", "6")
	}
	dir, err := os.MkdirTemp("", "aignostics-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "aignostics")
	build := exec.Command("go", "build", "-o", binary, "github.com/aignostics/aignostics")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build aignostics:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is what one run of the binary left behind.
type result struct {
	stdout, stderr string
	code           int
}

// cli runs the binary with a clean environment for one emulator.
type cli struct {
	t    testing.TB
	env  map[string]string
	home string
	emu  *emulator.Emulator
}

func newCLI(t testing.TB, emu *emulator.Emulator) *cli {
	home := t.TempDir()
	c := &cli{t: t, home: home, emu: emu, env: map[string]string{
		"HOME":                 home,
		"PATH":                 os.Getenv("PATH"),
		"AIGNOSTICS_CACHE_DIR": filepath.Join(home, "cache"),
		"AIGNOSTICS_ENV_FILE":  os.DevNull,
		"NO_COLOR":             "1",
	}}
	if emu != nil {
		c.env["AIGNOSTICS_API_ROOT"] = emu.URL()
	}
	return c
}

func (c *cli) environ(extra map[string]string) []string {
	var env []string
	for k, v := range c.env {
		if _, ok := extra[k]; !ok {
			env = append(env, k+"="+v)
		}
	}
	for k, v := range extra {
		if v != "" {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// run runs the binary with args and extra environment ("" removes a variable).
func (c *cli) run(extra map[string]string, stdin string, args ...string) result {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = c.environ(extra)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	if cmd.ProcessState != nil {
		r.code = cmd.ProcessState.ExitCode()
	} else if err != nil {
		c.t.Fatalf("run %v: %v", args, err)
	}
	if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic:") {
		c.t.Fatalf("aignostics %v printed a stack trace:\n%s", args, r.stderr)
	}
	return r
}

// must runs the binary and fails the test unless it exits 0.
func (c *cli) must(args ...string) string {
	c.t.Helper()
	r := c.run(nil, "", args...)
	if r.code != 0 {
		c.t.Fatalf("aignostics %s: exit %d\nstderr: %s", strings.Join(args, " "), r.code, r.stderr)
	}
	return r.stdout
}

// login logs in without the device flow's polling (a second or two per
// test; the flows themselves are tested in platform_test.go): the emulator
// issues a refresh token, and one command exchanges it, as
// AIGNOSTICS_REFRESH_TOKEN seeds a login, for the cached tokens that the
// following commands use. Without an emulator, or with faults on the auth
// endpoints, it is loginDevice.
func (c *cli) login() {
	c.t.Helper()
	if c.emu == nil {
		c.loginDevice()
		return
	}
	_, refresh, err := c.emu.IssueToken("")
	if err != nil {
		c.t.Fatal(err)
	}
	c.env["AIGNOSTICS_REFRESH_TOKEN"] = refresh
	c.must("platform", "token")
	delete(c.env, "AIGNOSTICS_REFRESH_TOKEN")
}

// loginDevice logs in with the device flow, auto-approved by the emulator.
func (c *cli) loginDevice() {
	c.t.Helper()
	c.must("platform", "login", "--device")
}

// writeItems writes n valid test-app items as JSON Lines and returns the path.
func writeItems(t testing.TB, dir string, n int, prefix string) string {
	t.Helper()
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"external_id":"%s-%d","input_artifacts":[{"name":"whole_slide_image","download_url":"https://example.org/%s-%d.tiff","metadata":{"checksum_base64_crc32c":"AAAAAA==","width_px":1000,"height_px":800,"resolution_mpp":0.25,"media_type":"image/tiff"}}]}`+"\n", prefix, i, prefix, i)
	}
	p := filepath.Join(dir, prefix+".jsonl")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
