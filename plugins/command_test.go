package plugins

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// pluginDirs lays out two PATH directories with plugins and decoys.
func pluginDirs(t *testing.T) (first, second string) {
	t.Helper()
	first, second = t.TempDir(), t.TempDir()
	writeScript(t, first, "aignostics-hello", `echo "hello from first $*"`)
	writeScript(t, second, "aignostics-hello", `echo "hello from second"`)
	writeScript(t, second, "aignostics-zeta", `exit 0`)
	writeScript(t, second, "aignostics-runs", `echo "I shadow runs"`)
	writeScript(t, first, "other-tool", `exit 0`)
	// Not executable, a directory, and a bare prefix: never plugins.
	if err := os.WriteFile(filepath.Join(first, "aignostics-notexec"), []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(first, "aignostics-dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeScript(t, first, "aignostics-", `exit 0`)
	// A symlink to an executable counts.
	if err := os.Symlink(filepath.Join(second, "aignostics-zeta"), filepath.Join(first, "aignostics-alpha")); err != nil {
		t.Fatal(err)
	}
	return first, second
}

func TestLookup(t *testing.T) {
	first, second := pluginDirs(t)
	path := strings.Join([]string{"", "relative/dir", filepath.Join(first, "missing"), first, second}, string(os.PathListSeparator))
	tests := []struct {
		name   string
		want   string
		wantOK bool
	}{
		{"hello", filepath.Join(first, "aignostics-hello"), true},
		{"zeta", filepath.Join(second, "aignostics-zeta"), true},
		{"alpha", filepath.Join(first, "aignostics-alpha"), true},
		{"notexec", "", false},
		{"dir", "", false},
		{"", "", false},
		{"missing", "", false},
		{"../" + filepath.Base(second) + "/aignostics-zeta", "", false},
		{"-h", "", false},
	}
	for _, tc := range tests {
		got, ok := Lookup(tc.name, path)
		if got != tc.want || ok != tc.wantOK {
			t.Errorf("Lookup(%q) = %q, %v; want %q, %v", tc.name, got, ok, tc.want, tc.wantOK)
		}
	}
}

func TestList(t *testing.T) {
	first, second := pluginDirs(t)
	path := first + string(os.PathListSeparator) + second + string(os.PathListSeparator) + "relative"
	got := List(path, []string{"runs", "platform", "plugins"})
	want := []Plugin{
		{Name: "alpha", Path: filepath.Join(first, "aignostics-alpha")},
		{Name: "hello", Path: filepath.Join(first, "aignostics-hello")},
		{Name: "runs", Path: filepath.Join(second, "aignostics-runs"), Shadowed: true},
		{Name: "zeta", Path: filepath.Join(second, "aignostics-zeta")},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("List (-want +got):\n%s", diff)
	}
	if got := List("", nil); len(got) != 0 {
		t.Errorf("List with an empty PATH = %v", got)
	}
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	p := writeScript(t, dir, "aignostics-echo", `printf '%s|' "$@"; echo; echo "env=$PLUGIN_TEST"; cat; echo oops >&2; exit "${EXIT:-0}"`)
	tests := []struct {
		name     string
		args     []string
		env      []string
		wantCode int
		wantOut  string
	}{
		{"args and stdin", []string{"a b", "--flag=x"}, []string{"PLUGIN_TEST=yes"}, 0, "a b|--flag=x|\nenv=yes\ninput\n"},
		{"exit code passes through", nil, []string{"EXIT=3"}, 3, "|\nenv=\ninput\n"},
		{"high exit code", nil, []string{"EXIT=42"}, 42, "|\nenv=\ninput\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code, err := Run(context.Background(), p, tc.args, append(os.Environ(), tc.env...), strings.NewReader("input\n"), &stdout, &stderr)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if code != tc.wantCode || stdout.String() != tc.wantOut || stderr.String() != "oops\n" {
				t.Errorf("Run = %d, stdout %q, stderr %q; want %d, %q, %q", code, stdout.String(), stderr.String(), tc.wantCode, tc.wantOut, "oops\n")
			}
		})
	}
}

func TestRunSignalAndMissing(t *testing.T) {
	dir := t.TempDir()
	p := writeScript(t, dir, "aignostics-die", `kill -TERM $$`)
	code, err := Run(context.Background(), p, nil, nil, nil, nil, nil)
	if err != nil || code != 128+15 {
		t.Errorf("Run of a plugin killed by SIGTERM = %d, %v; want 143, nil", code, err)
	}
	code, err = Run(context.Background(), filepath.Join(dir, "missing"), nil, nil, nil, nil, nil)
	if err == nil || code == 0 {
		t.Errorf("Run of a missing file = %d, %v; want an error", code, err)
	}
}

func TestRunStoppedOnCancel(t *testing.T) {
	dir := t.TempDir()
	// The plugin traps SIGTERM and exits with its own code. It waits in
	// short foreground sleeps: a trapped signal that lands just before a
	// 'wait' builtin is acted on only when the waited-for child ends (dash),
	// which stalled this test for the length of that child.
	// Not on a terminal, it runs in its own process group, which Ctrl-C
	// does not reach: Run passes SIGINT on, which it ignores, then SIGTERM.
	p := writeScript(t, dir, "aignostics-wait", `trap '' INT
trap 'echo got-term; exit 9' TERM
echo ready
while :; do sleep 0.05 >/dev/null; done`)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	done := make(chan struct{})
	var code int
	var runErr error
	go func() {
		defer close(done)
		code, runErr = run(ctx, p, nil, nil, nil, w, nil, 0, time.Minute)
		w.Close()
	}()
	buf := make([]byte, 6)
	if _, err := io.ReadFull(r, buf); err != nil || string(buf) != "ready\n" {
		t.Fatalf("read ready: %q %v", buf, err)
	}
	cancel()
	<-done
	rest, _ := readAll(r)
	if runErr != nil || code != 9 || !strings.Contains(rest, "got-term") {
		t.Errorf("Run after cancel = %d, %v, output %q; want 9 from the plugin's trap", code, runErr, rest)
	}
}

func TestRunGraceAfterCancel(t *testing.T) {
	dir := t.TempDir()
	// The plugin exits by itself once its input ends; within the grace
	// period it gets no signal but the interrupt, which it ignores.
	p := writeScript(t, dir, "aignostics-cat", `trap '' INT
trap 'echo got-term; exit 9' TERM
echo ready >&2
cat >/dev/null
echo exited-by-itself`)
	ctx, cancel := context.WithCancel(context.Background())
	in, inW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	er, ew, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer er.Close()
	var out bytes.Buffer
	done := make(chan struct{})
	var code int
	var runErr error
	go func() {
		defer close(done)
		code, runErr = run(ctx, p, nil, nil, in, &out, ew, time.Hour, time.Hour)
		ew.Close()
	}()
	buf := make([]byte, 6)
	if _, err := io.ReadFull(er, buf); err != nil || string(buf) != "ready\n" {
		t.Fatalf("read ready: %q %v", buf, err)
	}
	cancel()
	inW.Close()
	<-done
	if runErr != nil || code != 0 || out.String() != "exited-by-itself\n" {
		t.Errorf("Run = %d, %v, output %q; want 0 and no signal", code, runErr, out.String())
	}
}

func readAll(r *os.File) (string, error) {
	var b bytes.Buffer
	_, err := b.ReadFrom(r)
	return b.String(), err
}
