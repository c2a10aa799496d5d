package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/emulator/emulatortest"
)

// platformCLI runs the built binary against one emulator with its own
// home and token cache, and remembers every output and every token seen.
type platformCLI struct {
	t    *testing.T
	bin  string
	emu  *emulator.Emulator
	home string
	env  []string

	mu      sync.Mutex
	outputs []string // every stdout/stderr that must not hold a token
	secrets []string // every access and refresh token seen
}

type cliResult struct {
	stdout, stderr string
	code           int
}

func freeLoopbackPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func newPlatformCLI(t *testing.T, bin string, emu *emulator.Emulator) *platformCLI {
	home := t.TempDir()
	c := &platformCLI{t: t, bin: bin, emu: emu, home: home}
	c.env = []string{
		"HOME=" + home,
		"PATH=" + os.Getenv("PATH"),
		"AIGNOSTICS_API_ROOT=" + emu.URL(),
		"AIGNOSTICS_CACHE_DIR=" + c.cacheDir(),
		"AIGNOSTICS_ENV_FILE=" + os.DevNull,
		"AIGNOSTICS_REDIRECT_URI=http://127.0.0.1:" + strconv.Itoa(freeLoopbackPort(t)) + "/",
		"NO_COLOR=1",
	}
	t.Cleanup(c.checkNoSecrets)
	return c
}

func (c *platformCLI) cacheDir() string { return filepath.Join(c.home, "cache") }

func (c *platformCLI) command(args ...string) *exec.Cmd {
	cmd := exec.Command(c.bin, args...)
	cmd.Env = c.env
	cmd.Dir = c.home
	return cmd
}

// run runs the binary to its end; stdin is /dev/null (not a terminal).
func (c *platformCLI) run(args ...string) cliResult {
	c.t.Helper()
	cmd := c.command(args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		c.t.Fatalf("run %v: %v", args, err)
	}
	r := cliResult{stdout: stdout.String(), stderr: stderr.String(), code: code}
	c.record(args, r)
	return r
}

// record keeps the outputs for the secret check; `platform token`'s stdout
// is the one place a token belongs.
func (c *platformCLI) record(args []string, r cliResult) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.outputs = append(c.outputs, r.stderr)
	if len(args) >= 2 && args[0] == "platform" && args[1] == "token" {
		for _, l := range strings.Fields(r.stdout) {
			c.secrets = append(c.secrets, strings.Trim(l, `",{}`))
		}
		return
	}
	c.outputs = append(c.outputs, r.stdout)
}

func (c *platformCLI) must(args ...string) cliResult {
	c.t.Helper()
	r := c.run(args...)
	if r.code != 0 {
		c.t.Fatalf("%v: exit %d\nstdout: %s\nstderr: %s", args, r.code, r.stdout, r.stderr)
	}
	return r
}

// cacheFile returns the single token cache file and its content.
func (c *platformCLI) cacheFile() (string, map[string]any) {
	c.t.Helper()
	files, _ := filepath.Glob(filepath.Join(c.cacheDir(), "*.json"))
	if len(files) != 1 {
		c.t.Fatalf("token cache files: %v, want one", files)
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		c.t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(data, &v); err != nil {
		c.t.Fatalf("token cache is not valid JSON: %v", err)
	}
	c.remember(v)
	return files[0], v
}

func (c *platformCLI) remember(v map[string]any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range []string{"access_token", "refresh_token"} {
		if s, _ := v[k].(string); s != "" {
			c.secrets = append(c.secrets, s)
		}
	}
}

// expireCache makes the cached access token look expired.
func (c *platformCLI) expireCache() {
	c.t.Helper()
	path, v := c.cacheFile()
	v["expires_at"] = time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
	data, _ := json.Marshal(v)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		c.t.Fatal(err)
	}
}

func (c *platformCLI) checkNoSecrets() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.secrets {
		if len(s) < 8 {
			continue
		}
		for _, out := range c.outputs {
			if strings.Contains(out, s) {
				c.t.Errorf("a token value appears in the output of a run:\n%s", out)
				return
			}
		}
	}
}

// login runs a device login (the emulator approves on the second poll).
func (c *platformCLI) login() {
	c.t.Helper()
	r := c.must("platform", "login", "--device")
	if !strings.Contains(r.stderr, "/activate") {
		c.t.Errorf("device login did not show the verification URI:\n%s", r.stderr)
	}
	c.cacheFile()
}

func decode(t *testing.T, s string) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("not a JSON object: %v\n%s", err, s)
	}
	return v
}

func TestPlatformEndToEnd(t *testing.T) {
	t.Parallel()
	bin := binary

	t.Run("no token exits 4 without contacting the server", func(t *testing.T) {
		t.Parallel()
		emu := emulatortest.StartTest(t, emulator.Options{})
		c := newPlatformCLI(t, bin, emu)
		before := emu.Count("request")
		for _, args := range [][]string{{"platform", "whoami"}, {"platform", "token"}, {"applications", "list"}} {
			r := c.run(args...)
			if r.code != 4 || !strings.Contains(r.stderr, "platform login") {
				t.Errorf("%v: exit %d, stderr %q; want 4 naming the login command", args, r.code, r.stderr)
			}
		}
		if n := emu.Count("request") - before; n != 0 {
			t.Errorf("%d requests reached the emulator", n)
		}
		if r := c.run("platform", "logout"); r.code != 0 || !strings.Contains(r.stderr, "not logged in") {
			t.Errorf("logout while logged out: exit %d %q, want 0 with a note", r.code, r.stderr)
		}
	})

	t.Run("device login, whoami, token, logout", func(t *testing.T) {
		t.Parallel()
		emu := emulatortest.StartTest(t, emulator.Options{})
		c := newPlatformCLI(t, bin, emu)
		c.login()
		if n := emu.Count("grant:device_code"); n < 1 {
			t.Errorf("device grants = %d", n)
		}
		path, _ := c.cacheFile()
		fi, _ := os.Stat(path)
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("cache mode %v", fi.Mode().Perm())
		}
		di, _ := os.Stat(c.cacheDir())
		if di.Mode().Perm() != 0o700 {
			t.Errorf("cache dir mode %v", di.Mode().Perm())
		}

		// Logged in: login says who and runs no flow.
		grants := emu.Count("grant:device_code")
		r := c.must("-o", "json", "platform", "login")
		if v := decode(t, r.stdout); v["new_login"] != false || v["subject"] == nil {
			t.Errorf("login when logged in = %s", r.stdout)
		}
		if emu.Count("grant:device_code") != grants {
			t.Error("login ran a flow although a valid token was cached")
		}

		r = c.must("-o", "json", "platform", "login", "--relogin")
		if v := decode(t, r.stdout); v["new_login"] != true || emu.Count("grant:device_code") != grants+1 {
			t.Errorf("login --relogin ran no new flow: %s", r.stdout)
		}
		c.cacheFile()
		c.must("platform", "whoami", "--relogin")
		if emu.Count("grant:device_code") != grants+2 {
			t.Error("whoami --relogin ran no new flow")
		}
		c.cacheFile()

		r = c.must("-o", "json", "platform", "whoami")
		v := decode(t, r.stdout)
		tok, _ := v["token"].(map[string]any)
		if tok == nil || tok["issuer"] != emu.URL()+"/" || tok["org_id"] == nil || tok["role"] == nil || tok["authorized_party"] == nil {
			t.Errorf("whoami token = %v", v["token"])
		}
		org, _ := v["organization"].(map[string]any)
		user, _ := v["user"].(map[string]any)
		secret, _ := org["aignostics_bucket_hmac_secret_access_key"].(string)
		if !strings.HasPrefix(secret, "***MASKED(") {
			t.Errorf("org secret not masked: %q", secret)
		}
		if e, _ := user["email"].(string); e != "" && !strings.HasPrefix(e, "***MASKED(") {
			t.Errorf("email not masked: %q", e)
		}
		r = c.must("-o", "json", "platform", "whoami", "--no-mask-secrets")
		v = decode(t, r.stdout)
		org, _ = v["organization"].(map[string]any)
		if s, _ := org["aignostics_bucket_hmac_secret_access_key"].(string); s == "" || strings.HasPrefix(s, "***MASKED(") {
			t.Errorf("--no-mask-secrets still masks: %q", s)
		}
		r = c.must("-o", "text", "platform", "whoami")
		if !strings.Contains(r.stdout, "token issuer") || !strings.Contains(r.stdout, "***MASKED(") {
			t.Errorf("whoami text:\n%s", r.stdout)
		}

		_, cache := c.cacheFile()
		r = c.must("platform", "token")
		if r.stdout != cache["access_token"].(string)+"\n" || r.stderr != "" {
			t.Errorf("token raw: stdout is not exactly the token and a newline (stderr %q)", r.stderr)
		}
		r = c.must("platform", "token", "--format", "json")
		v = decode(t, r.stdout)
		if v["access_token"] != cache["access_token"] || v["token_type"] != "Bearer" || v["expires_at"] == nil {
			t.Errorf("token json keys: %v", len(v))
		}
		r = c.must("platform", "token", "--format", "exec-credential")
		v = decode(t, r.stdout)
		st, _ := v["status"].(map[string]any)
		if v["apiVersion"] != "client.authentication.k8s.io/v1" || v["kind"] != "ExecCredential" || st["token"] != cache["access_token"] || st["expirationTimestamp"] == nil {
			t.Errorf("exec credential fields wrong (apiVersion %v, kind %v)", v["apiVersion"], v["kind"])
		}

		r = c.must("-o", "json", "platform", "info")
		v = decode(t, r.stdout)
		if v["logged_in"] != true || v["user"] == nil {
			t.Errorf("info: logged_in %v user %v", v["logged_in"], v["user"] != nil)
		}

		c.must("platform", "logout")
		if files, _ := filepath.Glob(filepath.Join(c.cacheDir(), "*.json")); len(files) != 0 {
			t.Errorf("files after logout: %v", files)
		}
		if r := c.run("platform", "logout"); r.code != 0 || !strings.Contains(r.stderr, "not logged in") || !strings.Contains(r.stdout, `"removed": 0`) && !strings.Contains(r.stdout, `"removed":0`) {
			t.Errorf("second logout: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
		}
		if r := c.run("platform", "token"); r.code != 4 {
			t.Errorf("token after logout exit %d", r.code)
		}
	})

	t.Run("PKCE login with the test as the browser", func(t *testing.T) {
		t.Parallel()
		emu := emulatortest.StartTest(t, emulator.Options{})
		c := newPlatformCLI(t, bin, emu)
		cmd := c.command("platform", "login", "--no-browser")
		var stdout bytes.Buffer
		cmd.Stdout = &stdout
		stderrPipe, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		sc := bufio.NewScanner(stderrPipe)
		authURL := ""
		for authURL == "" && sc.Scan() {
			stderr.WriteString(sc.Text() + "\n")
			if strings.HasPrefix(sc.Text(), emu.URL()+"/authorize?") {
				authURL = sc.Text()
			}
		}
		if authURL == "" {
			cmd.Wait()
			t.Fatalf("no authorize URL on stderr:\n%s", stderr.String())
		}
		resp, err := http.Get(authURL) // follows the redirect to the loopback listener
		if err != nil {
			t.Fatalf("browser: %v", err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		rest, _ := io.ReadAll(stderrPipe)
		stderr.Write(rest)
		err = cmd.Wait()
		c.record([]string{"platform", "login"}, cliResult{stdout: stdout.String(), stderr: stderr.String()})
		if err != nil {
			t.Fatalf("login: %v\n%s", err, stderr.String())
		}
		if resp.StatusCode != 200 || !strings.Contains(string(page), "Login successful") {
			t.Errorf("callback page %d: %s", resp.StatusCode, page)
		}
		if emu.Count("grant:authorization_code") != 1 {
			t.Errorf("authorization_code grants = %d", emu.Count("grant:authorization_code"))
		}
		c.cacheFile()
		c.must("platform", "whoami")
	})

	t.Run("PKCE login opening $BROWSER", func(t *testing.T) {
		t.Parallel()
		curl, err := exec.LookPath("curl")
		if err != nil {
			t.Skip("curl is not installed to play the browser")
		}
		emu := emulatortest.StartTest(t, emulator.Options{})
		c := newPlatformCLI(t, bin, emu)
		browser := filepath.Join(c.home, "browser.sh")
		page := filepath.Join(c.home, "page.html")
		script := "#!/bin/sh\n" + curl + " -sL -o " + page + " \"$1\" &\n"
		if err := os.WriteFile(browser, []byte(script), 0o700); err != nil {
			t.Fatal(err)
		}
		c.env = append(c.env, "BROWSER="+browser)
		r := c.must("platform", "login")
		if !strings.Contains(r.stderr, "Opened a browser") || emu.Count("grant:authorization_code") != 1 {
			t.Errorf("login with $BROWSER: code grants %d, stderr:\n%s", emu.Count("grant:authorization_code"), r.stderr)
		}
		c.cacheFile()
	})

	t.Run("refresh, rotation across processes, revocation", func(t *testing.T) {
		t.Parallel()
		emu := emulatortest.StartTest(t, emulator.Options{})
		c := newPlatformCLI(t, bin, emu)
		c.login()
		_, before := c.cacheFile()

		c.expireCache()
		r := c.must("-v", "platform", "whoami") // the debug log must not show tokens either
		if !strings.Contains(r.stderr, "/oauth/token") {
			t.Errorf("-v did not log the refresh request:\n%s", r.stderr)
		}
		if n := emu.Count("grant:refresh_token"); n != 1 {
			t.Fatalf("refresh grants after expiry = %d, want 1", n)
		}
		_, after := c.cacheFile()
		if after["refresh_token"] == before["refresh_token"] {
			t.Fatal("the refresh did not rotate the tokens in the cache")
		}
		// A second process must use the rotated refresh token (the old one
		// is refused by the emulator).
		c.expireCache()
		c.must("platform", "token")
		if n := emu.Count("grant:refresh_token"); n != 2 {
			t.Fatalf("refresh grants = %d, want 2", n)
		}

		emu.RevokeRefreshTokens()
		c.expireCache()
		r = c.run("-v", "platform", "whoami")
		if r.code != 4 || !strings.Contains(r.stderr, "platform login") {
			t.Errorf("revoked: exit %d, stderr %q; want 4", r.code, r.stderr)
		}
	})

	t.Run("a 401 from the API refreshes once and retries", func(t *testing.T) {
		t.Parallel()
		emu := emulatortest.StartTest(t, emulator.Options{})
		c := newPlatformCLI(t, bin, emu)
		c.login()
		if err := emu.RotateKey(); err != nil {
			t.Fatal(err)
		}
		emu.DropOldKeys() // the cached access token no longer verifies at the API
		r := c.must("-o", "json", "platform", "whoami")
		if n := emu.Count("grant:refresh_token"); n != 1 {
			t.Errorf("refresh grants = %d, want 1", n)
		}
		if decode(t, r.stdout)["user"] == nil {
			t.Errorf("whoami after 401: %s", r.stdout)
		}
		c.cacheFile()
	})

	t.Run("token provider", func(t *testing.T) {
		t.Parallel()
		emu := emulatortest.StartTest(t, emulator.Options{})
		c := newPlatformCLI(t, bin, emu)
		prov := filepath.Join(c.home, "provider.sh")
		script := "#!/bin/sh\necho '{\"access_token\":\"provided-token-123\",\"expires_in\":600}'\n"
		if err := os.WriteFile(prov, []byte(script), 0o700); err != nil {
			t.Fatal(err)
		}
		r := c.must("--token-provider", prov, "platform", "token", "--format", "exec-credential")
		v := decode(t, r.stdout)
		st, _ := v["status"].(map[string]any)
		if st["token"] != "provided-token-123" || st["expirationTimestamp"] == nil {
			t.Errorf("exec credential from the provider: %s", r.stdout)
		}
		if r := c.run("--token-provider", prov, "platform", "login"); r.code != 2 {
			t.Errorf("login with a provider: exit %d", r.code)
		}
	})

	t.Run("corrupt cache counts as absent and is replaced", func(t *testing.T) {
		t.Parallel()
		emu := emulatortest.StartTest(t, emulator.Options{})
		c := newPlatformCLI(t, bin, emu)
		c.login()
		path, _ := c.cacheFile()
		if err := os.WriteFile(path, []byte("{\"access_token\": [garbage"), 0o600); err != nil {
			t.Fatal(err)
		}
		if r := c.run("platform", "token"); r.code != 4 {
			t.Errorf("token with a corrupt cache: exit %d %s", r.code, r.stderr)
		}
		c.login()
		c.must("platform", "token")
	})

	t.Run("short token lifetime refreshes each run", func(t *testing.T) {
		t.Parallel()
		emu := emulatortest.StartTest(t, emulator.Options{TokenLifetime: 4 * time.Minute})
		c := newPlatformCLI(t, bin, emu)
		c.login()
		c.must("platform", "token")
		c.must("platform", "token")
		if n := emu.Count("grant:refresh_token"); n != 2 {
			t.Errorf("refresh grants = %d, want 2 (a token with < 5 min left is refreshed)", n)
		}
	})

	t.Run("16 processes, one refresh", func(t *testing.T) {
		t.Parallel()
		emu := emulatortest.StartTest(t, emulator.Options{})
		c := newPlatformCLI(t, bin, emu)
		c.login()
		c.expireCache()
		results := make([]cliResult, 16)
		var wg sync.WaitGroup
		for i := range results {
			wg.Go(func() {
				cmd := c.command("platform", "token")
				var so, se bytes.Buffer
				cmd.Stdout, cmd.Stderr = &so, &se
				err := cmd.Run()
				results[i] = cliResult{stdout: so.String(), stderr: se.String()}
				if ee, ok := err.(*exec.ExitError); ok {
					results[i].code = ee.ExitCode()
				} else if err != nil {
					results[i].code = -1
				}
			})
		}
		wg.Wait()
		for i, r := range results {
			c.record([]string{"platform", "token"}, r)
			if r.code != 0 {
				t.Errorf("process %d: exit %d: %s", i, r.code, r.stderr)
			} else if r.stdout != results[0].stdout {
				t.Errorf("process %d printed a different token", i)
			}
		}
		if n := emu.Count("grant:refresh_token"); n != 1 {
			t.Errorf("refresh grants = %d, want exactly 1", n)
		}
		path, _ := c.cacheFile()
		fi, _ := os.Stat(path)
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("cache mode %v", fi.Mode().Perm())
		}
		if left, _ := filepath.Glob(filepath.Join(c.cacheDir(), "*")); len(left) != 1 {
			t.Errorf("cache dir holds %v", left)
		}
	})

	t.Run("health", func(t *testing.T) {
		t.Parallel()
		emu := emulatortest.StartTest(t, emulator.Options{})
		c := newPlatformCLI(t, bin, emu)
		r := c.run("-o", "json", "platform", "health")
		v := decode(t, r.stdout)
		comps, _ := v["components"].(map[string]any)
		authed, _ := comps["api_authenticated"].(map[string]any)
		public, _ := comps["api_public"].(map[string]any)
		if r.code != 4 || v["status"] != "DOWN" || authed["reason"] != "not logged in" || public["status"] != "UP" || !strings.Contains(r.stderr, "not logged in") || strings.Contains(r.stderr, "platform is DOWN") {
			t.Errorf("health without login: exit %d %s %s; want 4, not logged in", r.code, r.stdout, r.stderr)
		}
		c.login()
		if r := c.run("-o", "json", "platform", "health"); r.code != 0 || decode(t, r.stdout)["status"] != "UP" {
			t.Errorf("health: exit %d %s", r.code, r.stdout)
		}
		emu.SetHealth("degraded")
		if r := c.run("-o", "json", "platform", "health"); r.code != 0 || decode(t, r.stdout)["status"] != "DEGRADED" {
			t.Errorf("degraded: exit %d %s", r.code, r.stdout)
		}
		emu.SetHealth("down")
		r = c.run("-o", "text", "platform", "health")
		if r.code != 1 || !strings.Contains(r.stdout, "DOWN") {
			t.Errorf("down: exit %d %s", r.code, r.stdout)
		}
	})
}
