package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/emulator/emulatortest"
)

// curlProvider is a token provider that exchanges the refresh token kept in
// $REFRESH_FILE at the emulator's token endpoint and prints the token
// response as it is ({"access_token", "expires_in", ...}). It keeps the
// rotated refresh token for its next run.
const curlProvider = `set -e
resp=$(curl -sS -f -d grant_type=refresh_token -d client_id=aignostics-local-interactive \
	--data-urlencode "refresh_token@$REFRESH_FILE" "$AIGNOSTICS_API_ROOT/oauth/token")
printf '%s' "$resp" | sed -n 's/.*"refresh_token": *"\([^"]*\)".*/\1/p' | tr -d '\n' > "$REFRESH_FILE.new"
mv "$REFRESH_FILE.new" "$REFRESH_FILE"
echo "provider: got a token for $AIGNOSTICS_AUDIENCE" >&2
printf '%s\n' "$resp"`

// providerWorld runs the binary against an emulator with curlProvider as
// the token provider, seeded with a refresh token.
type providerWorld struct {
	*cli
	t        *testing.T
	emu      *emulator.Emulator
	provider string
	cache    string
}

func newProviderWorld(t *testing.T) *providerWorld {
	t.Helper()
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed: the end-to-end token provider test needs it (CI: apt-get install -y curl in .ci/run)")
	}
	emu := emulatortest.StartTest(t, emulator.Options{})
	c := newCLI(t, emu)
	_, refresh, err := emu.IssueToken(emulator.DefaultSubject)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	refreshFile := filepath.Join(dir, "refresh")
	if err := os.WriteFile(refreshFile, []byte(refresh), 0o600); err != nil {
		t.Fatal(err)
	}
	provider := filepath.Join(dir, "curl-provider")
	if err := os.WriteFile(provider, []byte("#!/bin/sh\n"+curlProvider+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	c.env["REFRESH_FILE"] = refreshFile
	return &providerWorld{cli: c, t: t, emu: emu, provider: provider, cache: c.env["AIGNOSTICS_CACHE_DIR"]}
}

// exec runs the binary and returns its exit code and output.
func (w *providerWorld) exec(args ...string) (code int, stdout, stderr string) {
	w.t.Helper()
	r := w.run(nil, "", args...)
	return r.code, r.stdout, r.stderr
}

// assertCacheUntouched fails when anything was written under the cache dir.
func (w *providerWorld) assertCacheUntouched(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(w.cache); !os.IsNotExist(err) {
		entries, _ := os.ReadDir(w.cache)
		t.Errorf("the token cache dir %s was created while a token provider was set (entries %v)", w.cache, entries)
	}
}

func TestTokenProviderDrivesRunsListWithoutLogin(t *testing.T) {
	t.Parallel()
	w := newProviderWorld(t)

	// Without login and without a provider there is no token: exit 4.
	code, stdout, stderr := w.exec("-o", "json", "runs", "list")
	if code != 4 {
		t.Fatalf("runs list without a token: exit %d, want 4\nstdout %s\nstderr %s", code, stdout, stderr)
	}

	// That run may have made the cache dir; the provider's runs use a fresh one.
	w.cache = filepath.Join(t.TempDir(), "cache")
	w.env["AIGNOSTICS_CACHE_DIR"] = w.cache
	code, stdout, stderr = w.exec("--token-provider", w.provider, "-o", "json", "runs", "list")
	if code != 0 {
		t.Fatalf("runs list with the provider: exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	var runs []map[string]any
	if err := json.Unmarshal([]byte(stdout), &runs); err != nil {
		t.Fatalf("runs list printed no JSON list: %v\n%s", err, stdout)
	}
	if !strings.Contains(stderr, "provider: got a token for "+w.emu.URL()+"/api") {
		t.Errorf("the provider's stderr did not pass through with AIGNOSTICS_AUDIENCE set: %q", stderr)
	}
	if n := w.emu.Count("grant:refresh_token"); n != 1 {
		t.Errorf("the provider exchanged %d refresh tokens, want 1 (one run per process)", n)
	}
	w.assertCacheUntouched(t)
}

func TestTokenProviderReplacesLoginAndCache(t *testing.T) {
	t.Parallel()
	w := newProviderWorld(t)
	w.env["AIGNOSTICS_TOKEN_PROVIDER"] = w.provider

	code, stdout, stderr := w.exec("platform", "token", "--format", "json")
	if code != 0 {
		t.Fatalf("platform token: exit %d\nstderr %s", code, stderr)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresAt   string `json:"expires_at"`
	}
	if err := json.Unmarshal([]byte(stdout), &tok); err != nil || strings.Count(tok.AccessToken, ".") != 2 || tok.ExpiresAt == "" {
		t.Errorf("platform token --format json = %s (%v), want the provider's JWT with its expiry", stdout, err)
	}

	code, _, stderr = w.exec("platform", "login")
	if code != 2 || !strings.Contains(stderr, "token provider") {
		t.Errorf("platform login with a provider: exit %d, stderr %q; want 2 saying a provider is set", code, stderr)
	}
	w.assertCacheUntouched(t)

	// A failing provider: exit 4 naming it, its status and its last stderr line.
	w.env["REFRESH_FILE"] = filepath.Join(t.TempDir(), "missing")
	code, _, stderr = w.exec("-o", "text", "runs", "list")
	if code != 4 || !strings.Contains(stderr, `token provider "`+w.provider+`"`) || !strings.Contains(stderr, "exit status") {
		t.Errorf("failing provider: exit %d, stderr %q; want 4 naming the provider and its exit status", code, stderr)
	}
	w.assertCacheUntouched(t)
}

// callbackPlugin calls back through AIGNOSTICS_TOKEN_COMMAND for a token and
// uses it against the API itself.
const callbackPlugin = `set -e
cmd=$(printf '%s' "$AIGNOSTICS_TOKEN_COMMAND" | sed 's/^\["//; s/"\]$//; s/","/ /g')
tok=$($cmd)
curl -sS -f -H "Authorization: Bearer $tok" "$AIGNOSTICS_API_ROOT/api/v1/me"`

func TestPluginCallsBackForAToken(t *testing.T) {
	t.Parallel()
	w := newProviderWorld(t)
	plugins := t.TempDir()
	if err := os.WriteFile(filepath.Join(plugins, "aignostics-me"), []byte("#!/bin/sh\n"+callbackPlugin+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	w.env["PATH"] = plugins + ":" + w.env["PATH"]
	code, stdout, stderr := w.exec("--token-provider", w.provider, "me")
	if code != 0 {
		t.Fatalf("plugin me: exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, emulator.DefaultSubject) && !strings.Contains(stdout, "emulator-user") {
		t.Errorf("plugin me printed %s, want the emulator user from /api/v1/me", stdout)
	}
	if n := w.emu.Count("grant:refresh_token"); n != 1 {
		t.Errorf("%d refresh grants, want 1 (the token command's provider run)", n)
	}
	w.assertCacheUntouched(t)
}
