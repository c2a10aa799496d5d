//go:build unix

package e2e

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// processesWith lists the pids of live processes (not zombies) whose
// environment holds marker. Linux only (/proc).
func processesWith(t *testing.T, marker string) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err != nil || !bytes.Contains(env, []byte(marker)) {
			continue
		}
		if stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat")); err == nil {
			if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) && (stat[i+2] == 'Z' || stat[i+2] == 'X') {
				continue
			}
		}
		pids = append(pids, pid)
	}
	return pids
}

// assertNoneLeft waits (bounded: SIGKILL is delivered asynchronously)
// until no process carrying marker runs, and kills and reports any left.
func assertNoneLeft(t *testing.T, marker string) {
	t.Helper()
	var left []int
	for range 250 {
		if left = processesWith(t, marker); len(left) == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, pid := range left {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	t.Errorf("%d processes were left running after the command ended: %v", len(left), left)
}

// newMarker is a unique environment entry that tells this test's processes.
func newMarker(t *testing.T) (key, value string) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("process accounting through /proc is Linux only")
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "E2E_PROCESS_MARKER", hex.EncodeToString(b)
}

// A provider that runs this binary's token command with the same provider
// set (natural in CI: AIGNOSTICS_TOKEN_PROVIDER="aignostics platform token")
// is refused one level down, exit 4, instead of multiplying processes.
func TestRecursiveTokenProviderRefused(t *testing.T) {
	t.Parallel()
	key, marker := newMarker(t)
	c := newCLI(t, nil)
	c.env["AIGNOSTICS_API_ROOT"] = "http://127.0.0.1:1"
	c.env["PATH"] = filepath.Dir(binary) + ":" + c.env["PATH"]
	c.env[key] = marker
	counter := filepath.Join(t.TempDir(), "count")
	c.env["COUNT_FILE"] = counter
	// Also through a script in between: provider -> script -> aignostics.
	wrapper := writeScript(t, "wrapper", `echo run >> "$COUNT_FILE"; exec aignostics platform token`)
	for _, provider := range []string{"aignostics platform token", wrapper} {
		t.Run(filepath.Base(strings.Fields(provider)[0]), func(t *testing.T) {
			for _, args := range [][]string{{"platform", "token"}, {"-o", "json", "runs", "list"}} {
				r := c.run(map[string]string{"AIGNOSTICS_TOKEN_PROVIDER": provider}, "", args...)
				if r.code != 4 || !strings.Contains(r.stderr, "calls this program's token command again") {
					t.Errorf("%v: exit %d, stderr %q; want 4 saying the provider calls the token command again", args, r.code, r.stderr)
				}
				if strings.Count(r.stderr, "\n") > 3 {
					t.Errorf("%v: stderr has more than a few lines:\n%s", args, r.stderr)
				}
				assertNoneLeft(t, marker)
			}
		})
	}
	if b, _ := os.ReadFile(counter); bytes.Count(b, []byte("\n")) != 2 {
		t.Errorf("the wrapper provider ran %d times in 2 commands, want 2 (once each, refused one level down)", bytes.Count(b, []byte("\n")))
	}
}

// A provider chain that clears its environment (env -i) loses the chain
// marker but not its parents: it is refused a few levels down (Linux,
// where the ancestry is read from /proc), exit 4, nothing left running.
func TestRecursiveTokenProviderWithScrubbedEnvironment(t *testing.T) {
	t.Parallel()
	key, marker := newMarker(t)
	c := newCLI(t, nil)
	c.env["AIGNOSTICS_API_ROOT"] = "http://127.0.0.1:1"
	c.env[key] = marker
	dir := t.TempDir()
	wrapper := filepath.Join(dir, "scrubbing-provider")
	script := "#!/bin/sh\nexec env -i PATH=\"$PATH\" HOME=\"$HOME\" AIGNOSTICS_ENV_FILE=/dev/null AIGNOSTICS_API_ROOT=http://127.0.0.1:1 " +
		key + "=" + marker + " AIGNOSTICS_TOKEN_PROVIDER=" + wrapper + " " + binary + " platform token\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	r := c.run(map[string]string{"AIGNOSTICS_TOKEN_PROVIDER": wrapper}, "", "platform", "token")
	if r.code != 4 || !strings.Contains(r.stderr, "already running above") {
		t.Errorf("exit %d, stderr %q; want 4 saying the program is already running above", r.code, r.stderr)
	}
	assertNoneLeft(t, marker)
}

// A token provider that starts a background process and hangs is killed
// with everything it started when its timeout ends.
func TestTokenProviderTimeoutEndsItsProcessGroup(t *testing.T) {
	t.Parallel()
	key, marker := newMarker(t)
	c := newCLI(t, nil)
	c.env["AIGNOSTICS_API_ROOT"] = "http://127.0.0.1:1"
	c.env[key] = marker
	c.env["AIGNOSTICS_TOKEN_PROVIDER_TIMEOUT_SECONDS"] = "1"
	c.env["AIGNOSTICS_TOKEN_PROVIDER"] = writeScript(t, "hangs", `sleep 1000 >/dev/null 2>&1 &
sh -c 'sleep 1000' &
sleep 1000`)
	r := c.run(nil, "", "platform", "token")
	if r.code != 4 || !strings.Contains(r.stderr, "timed out") {
		t.Errorf("exit %d, stderr %q; want 4 saying the provider timed out", r.code, r.stderr)
	}
	assertNoneLeft(t, marker)
}

// Ctrl-C (SIGINT to the binary; its stdin is no terminal, so the plugin
// runs in its own process group) ends a command plugin and everything it
// started.
func TestPluginInterruptEndsItsProcessGroup(t *testing.T) {
	t.Parallel()
	key, marker := newMarker(t)
	c := newCLI(t, nil)
	dir := t.TempDir()
	ready := filepath.Join(dir, "ready")
	if err := os.WriteFile(filepath.Join(dir, "aignostics-tree"), []byte("#!/bin/sh\nsleep 1000 >/dev/null 2>&1 &\nsh -c 'sleep 1000' &\ntouch \"$READY\"\nwait\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	c.env["PATH"] = dir + ":" + c.env["PATH"]
	c.env[key] = marker
	c.env["READY"] = ready
	cmd := exec.Command(binary, "tree")
	cmd.Env = c.environ(nil)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for range 500 {
		if _, err := os.Stat(ready); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	_ = cmd.Process.Signal(os.Interrupt)
	_ = cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Errorf("exit %d after Ctrl-C, want 130\nstderr %s", code, stderr.String())
	}
	assertNoneLeft(t, marker)
}

// A command plugin that runs itself through aignostics stops at a bounded
// depth with a clear error instead of multiplying processes.
func TestPluginThatRunsItselfIsBounded(t *testing.T) {
	t.Parallel()
	key, marker := newMarker(t)
	c := newCLI(t, nil)
	dir := t.TempDir()
	count := filepath.Join(t.TempDir(), "count")
	if err := os.WriteFile(filepath.Join(dir, "aignostics-loop"), []byte("#!/bin/sh\necho run >> \"$COUNT\"\nexec aignostics loop\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	c.env["PATH"] = dir + ":" + filepath.Dir(binary) + ":" + c.env["PATH"]
	c.env[key] = marker
	c.env["COUNT"] = count
	r := c.run(nil, "", "loop")
	if r.code != 2 || !strings.Contains(r.stderr, "runs itself") {
		t.Errorf("exit %d, stderr %q; want 2 saying the plugin runs itself", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(count); bytes.Count(b, []byte("\n")) != 8 {
		t.Errorf("the plugin ran %d times, want 8", bytes.Count(b, []byte("\n")))
	}
	assertNoneLeft(t, marker)
}
