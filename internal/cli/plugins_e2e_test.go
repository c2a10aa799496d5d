package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/aignostics/aignostics/internal/iostreams"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aignostics/aignostics/emulator"
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

// providerWorld is a pluginWorld whose API root is an emulator and whose
// token provider is curlProvider, seeded with a refresh token.
type providerWorld struct {
	*pluginWorld
	emu      *emulator.Emulator
	provider string
	cache    string
}

func newProviderWorld(t *testing.T) *providerWorld {
	t.Helper()
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed: the end-to-end token provider test needs it (CI: apt-get install -y curl in .ci/run)")
	}
	w := newPluginWorld(t)
	emu := emulator.StartTest(t, emulator.Options{})
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
	w.vars["AIGNOSTICS_API_ROOT"] = emu.URL()
	w.vars["REFRESH_FILE"] = refreshFile
	return &providerWorld{pluginWorld: w, emu: emu, provider: provider, cache: w.vars["AIGNOSTICS_CACHE_DIR"]}
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
	w := newProviderWorld(t)

	// Without login and without a provider there is no token: exit 4.
	code, stdout, stderr := w.run("", "-o", "json", "runs", "list")
	if code != 4 {
		t.Fatalf("runs list without a token: exit %d, want 4\nstdout %s\nstderr %s", code, stdout, stderr)
	}

	// That run may have made the cache dir; the provider's runs use a fresh one.
	w.cache = filepath.Join(t.TempDir(), "cache")
	w.vars["AIGNOSTICS_CACHE_DIR"] = w.cache
	code, stdout, stderr = w.run("", "--token-provider", w.provider, "-o", "json", "runs", "list")
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
	w := newProviderWorld(t)
	w.vars["AIGNOSTICS_TOKEN_PROVIDER"] = w.provider

	code, stdout, stderr := w.run("", "platform", "token", "--format", "json")
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

	code, _, stderr = w.run("", "platform", "login")
	if code != 2 || !strings.Contains(stderr, "token provider") {
		t.Errorf("platform login with a provider: exit %d, stderr %q; want 2 saying a provider is set", code, stderr)
	}
	w.assertCacheUntouched(t)

	// A failing provider: exit 4 naming it, its status and its last stderr line.
	w.vars["REFRESH_FILE"] = filepath.Join(t.TempDir(), "missing")
	code, _, stderr = w.run("", "-o", "text", "runs", "list")
	if code != 4 || !strings.Contains(stderr, `token provider "`+w.provider+`"`) || !strings.Contains(stderr, "exit status") {
		t.Errorf("failing provider: exit %d, stderr %q; want 4 naming the provider and its exit status", code, stderr)
	}
	w.assertCacheUntouched(t)
}

// TestHelperMain is not a test: it runs the command line when the e2e tests
// start this test binary as the aignostics executable.
func TestHelperMain(t *testing.T) {
	if os.Getenv("AIGNOSTICS_TEST_HELPER_MAIN") != "1" {
		t.Skip("helper process for the plugin tests")
	}
	args := os.Args
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	os.Exit(Main(context.Background(), args, Env{IO: iostreams.System()}))
}

// callbackPlugin calls back through AIGNOSTICS_TOKEN_COMMAND for a token and
// uses it against the API itself.
const callbackPlugin = `set -e
cmd=$(printf '%s' "$AIGNOSTICS_TOKEN_COMMAND" | sed 's/^\["//; s/"\]$//; s/","/ /g')
tok=$($cmd)
curl -sS -f -H "Authorization: Bearer $tok" "$AIGNOSTICS_API_ROOT/api/v1/me"`

func TestPluginCallsBackForAToken(t *testing.T) {
	w := newProviderWorld(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	wrapper := filepath.Join(t.TempDir(), "aignostics")
	if err := os.WriteFile(wrapper, []byte("#!/bin/sh\nAIGNOSTICS_TEST_HELPER_MAIN=1 exec '"+self+"' -test.run='^TestHelperMain$' -- \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	w.plugin("me", callbackPlugin)
	var stdout, stderr bytes.Buffer
	env := w.env("", &stdout, &stderr)
	env.Executable = wrapper
	code := Main(context.Background(), []string{"--token-provider", w.provider, "me"}, env)
	if code != 0 {
		t.Fatalf("plugin me: exit %d\nstdout %s\nstderr %s", code, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), emulator.DefaultSubject) && !strings.Contains(stdout.String(), "emulator-user") {
		t.Errorf("plugin me printed %s, want the emulator user from /api/v1/me", stdout.String())
	}
	if n := w.emu.Count("grant:refresh_token"); n != 1 {
		t.Errorf("%d refresh grants, want 1 (the token command's provider run)", n)
	}
	w.assertCacheUntouched(t)
}

// TestTokenProviderStdinOnlyWhenInteractive checks that the provider reads
// our stdin only when stdin and stderr are terminals.
func TestTokenProviderStdinOnlyWhenInteractive(t *testing.T) {
	w := newPluginWorld(t)
	emu := emulator.StartTest(t, emulator.Options{})
	access, _, err := emu.IssueToken(emulator.DefaultSubject)
	if err != nil {
		t.Fatal(err)
	}
	// The provider asks for a code on stderr and answers with the token only
	// when it reads the right one.
	provider := filepath.Join(t.TempDir(), "prompting-provider")
	script := "#!/bin/sh\nprintf 'code: ' >&2\nread code || { echo 'no input' >&2; exit 5; }\n[ \"$code\" = 4242 ] || exit 6\necho '" + access + "'\n"
	if err := os.WriteFile(provider, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	w.vars["AIGNOSTICS_API_ROOT"] = emu.URL()
	w.vars["AIGNOSTICS_TOKEN_PROVIDER"] = provider
	for _, tc := range []struct {
		name       string
		terminal   bool
		wantCode   int
		wantStderr string
	}{
		{"interactive", true, 0, "code: "},
		{"not interactive", false, 4, "no input"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			env := w.env("4242\n", &stdout, &stderr)
			env.IO.SetStdinTTY(tc.terminal)
			env.IO.SetStdoutTTY(tc.terminal)
			env.IO.SetStderrTTY(tc.terminal)
			code := Main(context.Background(), []string{"-o", "json", "runs", "list"}, env)
			if code != tc.wantCode || !strings.Contains(stderr.String(), tc.wantStderr) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr.String(), tc.wantCode, tc.wantStderr)
			}
			if strings.Contains(stderr.String(), access) || strings.Contains(stdout.String(), access) {
				t.Error("the token was printed")
			}
		})
	}
}
