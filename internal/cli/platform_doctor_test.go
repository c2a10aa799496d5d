package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/emulator/emulatortest"
	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/internal/clock"
	"github.com/aignostics/aignostics/internal/iostreams"
)

// doctorRun runs platform doctor in-process against the emulator.
func doctorRun(t *testing.T, env map[string]string, ts httpx.TokenSource, clk clock.Clock, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(context.Background(), append(args, "platform", "doctor"), Env{
		IO:          iostreams.New(nil, &out, &errb),
		Getenv:      func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		Environ:     []string{},
		TokenSource: ts,
		Clock:       clk,
	})
	return out.String(), errb.String(), code
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}

func checksByName(t *testing.T, stdout string) (map[string]doctorCheck, bool) {
	t.Helper()
	var r doctorReport
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("doctor json: %v\n%s", err, stdout)
	}
	m := map[string]doctorCheck{}
	for _, c := range r.Checks {
		m[c.Name] = c
	}
	return m, r.OK
}

// TestPlatformDoctorHealthy: against a reachable emulator named by host
// name (so DNS is asked), with a token, a free login port and no cache
// yet, every check passes: exit 0.
func TestPlatformDoctorHealthy(t *testing.T) {
	t.Parallel()
	emu := emulatortest.StartTest(t, emulator.Options{})
	access, _, err := emu.IssueToken(emulator.DefaultSubject)
	if err != nil {
		t.Fatal(err)
	}
	root := strings.Replace(emu.URL(), "127.0.0.1", "localhost", 1)
	env := map[string]string{
		"AIGNOSTICS_API_ROOT":     root,
		"AIGNOSTICS_ENV_FILE":     os.DevNull,
		"AIGNOSTICS_CACHE_DIR":    filepath.Join(t.TempDir(), "cache"),
		"AIGNOSTICS_REDIRECT_URI": "http://127.0.0.1:" + freePort(t) + "/",
	}
	stdout, stderr, code := doctorRun(t, env, httpx.StaticToken(access), clock.Clock{}, "-o", "json")
	checks, ok := checksByName(t, stdout)
	if code != 0 || !ok {
		t.Fatalf("exit %d ok %v\n%s\n%s", code, ok, stdout, stderr)
	}
	for _, name := range []string{"settings", "proxy", "CA bundle", "dns localhost", "api", "login", "jwks", "clock", "login port", "token", "cache dir"} {
		if c, found := checks[name]; !found || c.Status != checkOK {
			t.Errorf("check %s: %+v", name, c)
		}
	}
	if !strings.Contains(checks["api"].Detail, "answers 200") {
		t.Errorf("api: %+v", checks["api"])
	}
	// Text: one line each.
	stdout, _, code = doctorRun(t, env, httpx.StaticToken(access), clock.Clock{}, "-o", "text")
	if lines := strings.Split(strings.TrimSpace(stdout), "\n"); code != 0 || len(lines) != len(checks) || !strings.HasPrefix(lines[0], "✓ settings: environment local") {
		t.Errorf("text: exit %d\n%s", code, stdout)
	}
}

// TestPlatformDoctorFindsProblems: a clock far off the server's, a busy
// login port, a CA bundle without certificates, a cache directory others
// can read and no login: each is a failed line, exit 1.
func TestPlatformDoctorFindsProblems(t *testing.T) {
	t.Parallel()
	emu := emulatortest.StartTest(t, emulator.Options{})
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	dir := t.TempDir()
	cache := filepath.Join(dir, "cache")
	if err := os.Mkdir(cache, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(cache, 0o755); err != nil { // whatever the umask
		t.Fatal(err)
	}
	bundle := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(bundle, []byte("not a certificate\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"AIGNOSTICS_API_ROOT":     emu.URL(),
		"AIGNOSTICS_ENV_FILE":     os.DevNull,
		"AIGNOSTICS_CACHE_DIR":    cache,
		"AIGNOSTICS_REDIRECT_URI": "http://" + busy.Addr().String() + "/",
		"HOME":                    dir,
	}
	off := clock.NewFake(time.Now().Add(-2 * time.Hour)) // two hours behind
	stdout, stderr, code := doctorRun(t, env, nil, off.Clock(), "-o", "json")
	checks, ok := checksByName(t, stdout)
	if code != 1 || ok || !strings.Contains(stderr, "check(s) failed") {
		t.Fatalf("exit %d ok %v\n%s\n%s", code, ok, stdout, stderr)
	}
	for name, want := range map[string]string{
		"clock":      "behind the server's",
		"login port": busy.Addr().String() + " is in use",
		"cache dir":  "0755: others may read",
		"token":      "not logged in: run 'aignostics platform login'",
	} {
		if c := checks[name]; c.Status != checkFail || !strings.Contains(c.Detail, want) {
			t.Errorf("check %s: %+v, want a failure saying %q", name, c, want)
		}
	}
	if c := checks["api"]; c.Status != checkOK {
		t.Errorf("api reachable all the same: %+v", c)
	}
	// A CA bundle without certificates: named, and no client can be built.
	env["REQUESTS_CA_BUNDLE"] = bundle
	stdout, _, code = doctorRun(t, env, nil, off.Clock(), "-o", "json")
	checks, _ = checksByName(t, stdout)
	if c := checks["CA bundle"]; code != 1 || c.Status != checkFail || !strings.Contains(c.Detail, "no PEM certificate") {
		t.Errorf("exit %d, CA bundle %+v", code, c)
	}
}
