package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/aignostics/aignostics/internal/iostreams"
	"strings"
	"testing"
)

// mainFor runs Main with buffers and a clean environment.
func mainFor(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(context.Background(), args, Env{
		IO:      iostreams.New(nil, &out, &errb),
		Getenv:  func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		Environ: []string{}, Version: "1.2.3", Commit: "abc", GoVersion: "go1.26",
	})
	return out.String(), errb.String(), code
}

func TestUsage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		args       []string
		code       int
		stdoutHas  string
		stderrHas  string
		stderrJSON bool
	}{
		{name: "bare shows help", args: nil, code: 0, stdoutHas: "Usage: aignostics <command>"},
		{name: "help command", args: []string{"help", "runs"}, code: 0, stdoutHas: "Usage: aignostics runs <command>"},
		{name: "version flag", args: []string{"--version"}, code: 0, stdoutHas: "1.2.3"},
		{name: "unknown command suggests", args: []string{"aplications"}, code: 2, stderrHas: `did you mean \"applications\"`, stderrJSON: true},
		{name: "hint names the command", args: []string{"runs", "create"}, code: 2, stderrHas: "see 'aignostics runs create --help'", stderrJSON: true},
		{name: "group without subcommand shows its help", args: []string{"runs"}, code: 0, stdoutHas: "Usage: aignostics runs <command>"},
		{name: "text errors are one line", args: []string{"-o", "text", "runs", "nope"}, code: 2, stderrHas: "aignostics: unexpected argument nope"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := mainFor(t, map[string]string{"AIGNOSTICS_ENV_FILE": "/dev/null"}, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, stdout, stderr)
			}
			if !strings.Contains(stdout, tc.stdoutHas) {
				t.Errorf("stdout lacks %q:\n%s", tc.stdoutHas, stdout)
			}
			if !strings.Contains(stderr, tc.stderrHas) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderrHas, stderr)
			}
			if strings.Count(strings.TrimRight(stderr, "\n"), "\n") > 0 {
				t.Errorf("stderr is not one line:\n%s", stderr)
			}
			if tc.stderrJSON {
				var e struct{ Error, Message string }
				if err := json.Unmarshal([]byte(stderr), &e); err != nil || e.Error != string(KindUsage) {
					t.Errorf("stderr is not a usage error in JSON (%v): %s", err, stderr)
				}
			}
		})
	}
}

func TestVersionCommand(t *testing.T) {
	t.Parallel()
	stdout, _, code := mainFor(t, nil, "version", "-o", "json")
	var v versionInfo
	if code != 0 || json.Unmarshal([]byte(stdout), &v) != nil || v.Version != "1.2.3" || v.Commit != "abc" || v.GoVersion != "go1.26" {
		t.Fatalf("version -o json: exit %d, %q", code, stdout)
	}
	stdout, _, _ = mainFor(t, nil, "version", "-o", "text")
	if !strings.Contains(stdout, "version:  1.2.3") || !strings.Contains(stdout, "commit:   abc") {
		t.Fatalf("version text:\n%s", stdout)
	}
}
