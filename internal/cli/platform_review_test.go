package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/emulator/emulatortest"
)

// TestLoginDeviceWithoutDeviceClientIsConfigError: `platform login --device`
// where no device client id is configured (the production default) is a
// configuration error (exit 2, kind config), not an unexpected failure.
func TestLoginDeviceWithoutDeviceClientIsConfigError(t *testing.T) {
	t.Parallel()
	w := newPluginWorld(t)
	code, stdout, stderr := w.run("", "-o", "json", "platform", "login", "--device")
	if code != 2 {
		t.Fatalf("exit %d, want 2; stderr %q", code, stderr)
	}
	var e map[string]string
	if err := json.Unmarshal([]byte(strings.TrimSpace(stderr)), &e); err != nil {
		t.Fatalf("stderr is not one JSON error: %v\n%s", err, stderr)
	}
	if e["error"] != string(KindConfig) || !strings.Contains(e["message"], "AIGNOSTICS_CLIENT_ID_DEVICE") {
		t.Errorf("error = %v", e)
	}
	if stdout != "" {
		t.Errorf("stdout %q", stdout)
	}
}

// TestHealthRefreshesOnce401: the authenticated health check treats a 401
// as every API request does: it refreshes the token once and asks again,
// instead of calling the platform DOWN because the cached token was refused.
func TestHealthRefreshesOnce401(t *testing.T) {
	t.Parallel()
	emu := emulatortest.StartTest(t, emulator.Options{})
	w := newPluginWorld(t)
	w.vars["AIGNOSTICS_API_ROOT"] = emu.URL()
	if code, _, stderr := w.run("", "platform", "login", "--device"); code != 0 {
		t.Fatalf("login: exit %d %s", code, stderr)
	}
	if err := emu.RotateKey(); err != nil {
		t.Fatal(err)
	}
	emu.DropOldKeys() // the cached access token no longer verifies at the API
	before := emu.Count("grant:refresh_token")
	code, stdout, stderr := w.run("", "-o", "json", "platform", "health")
	if code != 0 {
		t.Fatalf("health: exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	var r struct {
		Status     string
		Components map[string]struct{ Status, Reason string }
	}
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	if r.Status != "UP" || r.Components["api_authenticated"].Status != "UP" {
		t.Errorf("health = %s", stdout)
	}
	if n := emu.Count("grant:refresh_token") - before; n != 1 {
		t.Errorf("refresh grants = %d, want 1", n)
	}

	// When the refresh is refused too, the component is DOWN (no login starts).
	emu.RevokeRefreshTokens()
	if err := emu.RotateKey(); err != nil {
		t.Fatal(err)
	}
	emu.DropOldKeys()
	before = emu.Count("grant:refresh_token")
	code, stdout, _ = w.run("", "-o", "json", "platform", "health")
	if code != 1 || !strings.Contains(stdout, `"api_authenticated":{"status":"DOWN"`) {
		t.Errorf("refused refresh: exit %d %s", code, stdout)
	}
	if n := emu.Count("grant:refresh_token") - before; n != 0 {
		t.Errorf("tokens issued after revocation = %d, want 0", n)
	}
}

// TestNoHomeWithTokenProvider: without $HOME (so without a user cache
// directory) a token provider still works; login says which setting is
// missing, as a configuration error.
func TestNoHomeWithTokenProvider(t *testing.T) {
	t.Setenv("HOME", "")
	t.Setenv("XDG_CACHE_HOME", "")
	w := newPluginWorld(t)
	delete(w.vars, "AIGNOSTICS_CACHE_DIR")
	prov := w.plugin("provider", `echo provided-token-xyz`)
	code, stdout, stderr := w.run("", "--token-provider", prov, "platform", "token")
	if code != 0 || stdout != "provided-token-xyz\n" {
		t.Errorf("token provider without $HOME: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, _, stderr = w.run("", "-o", "json", "platform", "token")
	if code != 2 || !strings.Contains(stderr, `"error":"config"`) || !strings.Contains(stderr, "AIGNOSTICS_CACHE_DIR") {
		t.Errorf("login without a cache dir: exit %d, stderr %q", code, stderr)
	}
}

// TestLoginBadRedirectURIIsConfigError: a redirect URI that cannot serve a
// loopback callback is a configuration error (exit 2), found before any
// request, not a failed login.
func TestLoginBadRedirectURIIsConfigError(t *testing.T) {
	t.Parallel()
	for _, uri := range []string{"https://localhost:8989/", "http://localhost/", "http://example.com:8989/"} {
		w := newPluginWorld(t)
		w.vars["AIGNOSTICS_REDIRECT_URI"] = uri
		code, _, stderr := w.run("", "-o", "json", "platform", "login", "--no-browser")
		if code != 2 || !strings.Contains(stderr, `"error":"config"`) || !strings.Contains(stderr, uri) {
			t.Errorf("%s: exit %d, stderr %q; want 2 config naming the URI", uri, code, stderr)
		}
	}
}
