package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/aignostics/aignostics/internal/iostreams"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParsePluginCall(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args   []string
		wantOK bool
		want   pluginCall
	}{
		{[]string{"hello", "a", "--api-root", "x"}, true, pluginCall{name: "hello", rest: []string{"a", "--api-root", "x"}}},
		{[]string{"--api-root", "http://h", "-o", "json", "-v", "--no-color", "hello"}, true,
			pluginCall{apiRoot: "http://h", hasAPIRoot: true, output: "json", hasOutput: true, name: "hello", rest: []string{}}},
		{[]string{"--api-root=http://h", "-ojsonl", "--verbose", "--timeout=5s", "--token-provider", "get tok", "hello", "-x"}, true,
			pluginCall{apiRoot: "http://h", hasAPIRoot: true, output: "jsonl", hasOutput: true, timeout: "5s", hasTimeout: true,
				tokenProvider: "get tok", hasProvider: true, name: "hello", rest: []string{"-x"}}},
		{[]string{"--output", "text", "--timeout", "1m", "--token-provider=p", "hello"}, true,
			pluginCall{output: "text", hasOutput: true, timeout: "1m", hasTimeout: true, tokenProvider: "p", hasProvider: true, name: "hello", rest: []string{}}},
		{nil, false, pluginCall{}},
		{[]string{"--api-root"}, false, pluginCall{}},
		{[]string{"--help", "hello"}, false, pluginCall{}},
		{[]string{"-h"}, false, pluginCall{}},
		{[]string{"--version", "hello"}, false, pluginCall{}},
		{[]string{"--unknown", "hello"}, false, pluginCall{}},
		{[]string{"--", "hello"}, false, pluginCall{}},
		{[]string{"-vo", "json", "hello"}, false, pluginCall{}},
	}
	for _, tc := range tests {
		got, ok := parsePluginCall(tc.args)
		if ok != tc.wantOK {
			t.Errorf("parsePluginCall(%q) ok = %v, want %v", tc.args, ok, tc.wantOK)
			continue
		}
		if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(pluginCall{})); ok && diff != "" {
			t.Errorf("parsePluginCall(%q) (-want +got):\n%s", tc.args, diff)
		}
	}
}

// pluginWorld is a PATH directory with plugins and an environment for Main.
type pluginWorld struct {
	t       *testing.T
	bin     string
	envFile string
	vars    map[string]string
}

func newPluginWorld(t *testing.T) *pluginWorld {
	t.Helper()
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("plugin tests need /bin/sh")
	}
	dir := t.TempDir()
	w := &pluginWorld{t: t, bin: filepath.Join(dir, "bin"), envFile: filepath.Join(dir, "env")}
	if err := os.Mkdir(w.bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(w.envFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	w.vars = map[string]string{"PATH": w.bin + ":/usr/bin:/bin", "AIGNOSTICS_ENV_FILE": w.envFile, "AIGNOSTICS_CACHE_DIR": filepath.Join(dir, "cache")}
	return w
}

func (w *pluginWorld) plugin(name, body string) string {
	w.t.Helper()
	p := filepath.Join(w.bin, "aignostics-"+name)
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		w.t.Fatal(err)
	}
	return p
}

func (w *pluginWorld) env(stdin string, stdout, stderr *bytes.Buffer) Env {
	var environ []string
	for k, v := range w.vars {
		environ = append(environ, k+"="+v)
	}
	return Env{
		IO: iostreams.New(strings.NewReader(stdin), stdout, stderr),
		Getenv: func(k string) (string, bool) {
			v, ok := w.vars[k]
			return v, ok
		},
		Environ:    environ,
		Executable: "/opt/aignostics/bin/aignostics",
	}
}

func (w *pluginWorld) run(stdin string, args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = Main(context.Background(), args, w.env(stdin, &o, &e))
	return code, o.String(), e.String()
}

// reportScript prints its arguments, stdin and the variables a plugin gets.
const reportScript = `printf 'args:'; printf ' <%s>' "$@"; echo
echo "stdin: $(cat)"
echo "api_root: $AIGNOSTICS_API_ROOT"
echo "output: $AIGNOSTICS_OUTPUT"
echo "token_command: $AIGNOSTICS_TOKEN_COMMAND"
echo "to stderr" >&2
exit "${PLUGIN_EXIT:-0}"`

func TestDispatchRunsPlugin(t *testing.T) {
	t.Parallel()
	w := newPluginWorld(t)
	w.plugin("hello", reportScript)
	tests := []struct {
		name     string
		args     []string
		envFile  string
		vars     map[string]string
		wantCode int
		want     []string
	}{
		{"defaults", []string{"hello", "a b", "--api-root", "not-ours"}, "", nil, 0, []string{
			"args: <a b> <--api-root> <not-ours>",
			"stdin: the input",
			"api_root: https://platform.aignostics.com",
			"output: auto",
			`token_command: ["/opt/aignostics/bin/aignostics","platform","token"]`,
		}},
		{"global flags before the name", []string{"--api-root", "http://127.0.0.1:9/", "-o", "jsonl", "-v", "--timeout=9s", "--token-provider", "tp --x", "hello", "-z"}, "", nil, 0, []string{
			"args: <-z>",
			"api_root: http://127.0.0.1:9",
			"output: jsonl",
			`token_command: ["/opt/aignostics/bin/aignostics","platform","token","--api-root","http://127.0.0.1:9/","--timeout","9s","--token-provider","tp --x"]`,
		}},
		{"environment and env file", []string{"hello"}, "AIGNOSTICS_API_ROOT=https://platform-staging.aignostics.com\n", map[string]string{"AIGNOSTICS_OUTPUT": "json"}, 0, []string{
			"args: <>\n",
			"api_root: https://platform-staging.aignostics.com",
			"output: json",
			`token_command: ["/opt/aignostics/bin/aignostics","platform","token"]`,
		}},
		{"broken settings are passed on as given", []string{"hello"}, "", map[string]string{"AIGNOSTICS_API_ROOT": "https://unknown.example.com", "AIGNOSTICS_OUTPUT": "yaml"}, 0, []string{
			"api_root: https://unknown.example.com",
			"output: yaml",
		}},
		{"exit code passes through", []string{"hello"}, "", map[string]string{"PLUGIN_EXIT": "42"}, 42, []string{"args:"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(w.envFile, []byte(tc.envFile), 0o600); err != nil {
				t.Fatal(err)
			}
			for k, v := range tc.vars {
				w.vars[k] = v
			}
			defer func() {
				for k := range tc.vars {
					delete(w.vars, k)
				}
			}()
			code, stdout, stderr := w.run("the input", tc.args...)
			if code != tc.wantCode {
				t.Errorf("exit code %d, want %d (stderr %q)", code, tc.wantCode, stderr)
			}
			for _, s := range tc.want {
				if !strings.Contains(stdout, s) {
					t.Errorf("stdout does not contain %q:\n%s", s, stdout)
				}
			}
			if stderr != "to stderr\n" {
				t.Errorf("stderr = %q, want the plugin's own", stderr)
			}
		})
	}
}

func TestDispatchTokenCommandIsJSONArray(t *testing.T) {
	t.Parallel()
	w := newPluginWorld(t)
	w.plugin("tc", `printf '%s' "$AIGNOSTICS_TOKEN_COMMAND"`)
	code, stdout, stderr := w.run("", "--api-root", `http://127.0.0.1:9/"quoted"`, "tc")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var argv []string
	if err := json.Unmarshal([]byte(stdout), &argv); err != nil {
		t.Fatalf("AIGNOSTICS_TOKEN_COMMAND %q is not a JSON array of strings: %v", stdout, err)
	}
	want := []string{"/opt/aignostics/bin/aignostics", "platform", "token", "--api-root", `http://127.0.0.1:9/"quoted"`}
	if diff := cmp.Diff(want, argv); diff != "" {
		t.Errorf("token command (-want +got):\n%s", diff)
	}
}

func TestDispatchBuiltinWins(t *testing.T) {
	t.Parallel()
	w := newPluginWorld(t)
	w.plugin("version", `echo "plugin ran"; exit 9`)
	w.plugin("help", `echo "plugin ran"; exit 9`)
	for _, args := range [][]string{{"version"}, {"-o", "json", "version"}} {
		code, stdout, _ := w.run("", args...)
		if code != 0 || strings.Contains(stdout, "plugin ran") || !strings.Contains(stdout, "version") {
			t.Errorf("%q: exit %d, stdout %q; want the built-in command", args, code, stdout)
		}
	}
}

func TestDispatchUnknownCommand(t *testing.T) {
	t.Parallel()
	w := newPluginWorld(t)
	w.plugin("hello", `echo "plugin ran"`)
	for _, args := range [][]string{{"helo"}, {"--help-me", "hello"}} {
		code, stdout, _ := w.run("", args...)
		if code != 2 || strings.Contains(stdout, "plugin ran") {
			t.Errorf("%q: exit %d, stdout %q; want a usage error from the parser", args, code, stdout)
		}
	}
}

func TestDispatchPluginNotRunnable(t *testing.T) {
	t.Parallel()
	w := newPluginWorld(t)
	// Executable but not a valid program: the kernel refuses it.
	p := filepath.Join(w.bin, "aignostics-broken")
	if err := os.WriteFile(p, []byte("\x00\x01\x02 not a program"), 0o755); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := w.run("", "broken")
	if code != 1 || !strings.Contains(stderr, "plugin broken") {
		t.Errorf("exit %d, stderr %q; want 1 naming the plugin", code, stderr)
	}
}
