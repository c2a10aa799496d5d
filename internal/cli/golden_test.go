package cli

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/alecthomas/kong"
	"github.com/google/go-cmp/cmp"
)

// update rewrites the golden files: go test ./internal/cli -run Golden -args -update
var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// golden compares got with the file testdata/golden/NAME, or writes got
// there with -update. Review the diff of a rewritten file before committing.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", filepath.FromSlash(name))
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./internal/cli -run '%s' -args -update writes it)", err, t.Name())
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got); if the change is meant, go test ./internal/cli -run '%s' -args -update:\n%s", path, t.Name(), diff)
	}
}

// uuids replaces every UUID with a numbered one of the same length, in order
// of first appearance, so output with server-made ids can be golden.
func uuids(s string) string {
	seen := map[string]string{}
	return uuidAnywhere.ReplaceAllStringFunc(s, func(id string) string {
		if r, ok := seen[id]; ok {
			return r
		}
		r := fmt.Sprintf("00000000-0000-4000-8000-%012d", len(seen)+1)
		seen[id] = r
		return r
	})
}

var uuidAnywhere = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// commandPaths lists every command of the tree, e.g. ["runs", "list"].
func commandPaths(t *testing.T) [][]string {
	t.Helper()
	k, err := kong.New(&CLI{}, kong.Name("aignostics"), kong.Exit(func(int) {}))
	if err != nil {
		t.Fatal(err)
	}
	var paths [][]string
	var walk func(n *kong.Node, path []string)
	walk = func(n *kong.Node, path []string) {
		for _, c := range n.Children {
			if c.Type != kong.CommandNode {
				continue
			}
			p := append(append([]string{}, path...), c.Name)
			paths = append(paths, p)
			walk(c, p)
		}
	}
	walk(k.Model.Node, nil)
	return paths
}

// TestHelpGolden: every help page, as `aignostics [CMD...] --help` prints it
// at 80 columns (help/) and at 120 (help-120/).
func TestHelpGolden(t *testing.T) {
	for _, width := range []string{"", "120"} {
		t.Setenv("COLUMNS", width) // kong wraps help at $COLUMNS; buffers are 80 wide
		dir := "help/"
		if width != "" {
			dir = "help-" + width + "/"
		}
		helpGolden(t, dir)
	}
}

func helpGolden(t *testing.T, dir string) {
	paths := append([][]string{nil}, commandPaths(t)...)
	if len(paths) < 20 {
		t.Fatalf("only %d command paths: %v", len(paths), paths)
	}
	for _, p := range paths {
		name := "aignostics"
		if len(p) > 0 {
			name = strings.Join(p, "_")
		}
		stdout, stderr, code := mainFor(t, map[string]string{"AIGNOSTICS_ENV_FILE": os.DevNull}, append(p, "--help")...)
		if code != 0 || stderr != "" {
			t.Errorf("%s --help: exit %d, stderr %q", name, code, stderr)
		}
		golden(t, dir+name+".txt", stdout)
	}
}

// TestTextTablesGolden: the text rendering of objects and lists, as a
// person sees them (stdout a terminal), at full width and fitted to 80 and
// 120 columns (ids whole, other columns cut or left out), and -o wide at 80.
func TestTextTablesGolden(t *testing.T) {
	t.Parallel()
	e := newRunsEnv(t)
	run := e.create("slide", 3, "--no-sdk-metadata") // the sdk block names the OS and architecture
	e.clock.Advance(time.Hour)                       // long enough for every item to end
	e.tty = true
	var b strings.Builder
	for _, width := range []int{0, 80, 120} {
		e.width = width
		for _, args := range [][]string{
			{"applications", "list"},
			{"applications", "describe", "test-app"},
			{"versions", "list", "test-app"},
			{"versions", "describe", "test-app", "1.0.0"},
			{"runs", "list"},
			{"runs", "describe", run},
			{"runs", "items", run},
			{"runs", "results", run},
			{"-o", "wide", "runs", "results", run},
			{"slides", "scan", slideFixtures + "/aperio.svs", slideFixtures + "/dicom-pyramid", slideFixtures + "/bigendian-strips.tiff"},
		} {
			r := e.ok(args...)
			fmt.Fprintf(&b, "$ aignostics %s  # width %d\n%s\n", strings.Join(args, " "), width, r.stdout)
		}
	}
	golden(t, "tables.txt", uuids(b.String()))
}

// TestErrorLinesGolden: what a failing command prints on stderr, in text
// and in JSON, and its exit code.
func TestErrorLinesGolden(t *testing.T) {
	t.Parallel()
	e := newRunsEnv(t)
	run := e.create("slide", 1)
	cases := []struct {
		args    []string
		noToken bool
	}{
		{args: []string{"aplications"}},
		{args: []string{"runs", "describe"}},
		{args: []string{"runs", "list", "--page-size", "1000"}},
		{args: []string{"runs", "download", run, "--parallel", "0"}},
		{args: []string{"--output", "yaml", "applications", "list"}},
		{args: []string{"--timeout", "10ms", "applications", "list"}},
		{args: []string{"--timeout", "soon", "applications", "list"}},
		{args: []string{"runs", "describe", "abc"}},
		{args: []string{"runs", "watch", "ffffffff"}},
		{args: []string{"runs", "list", "--template", "{{.run_id"}},
		{args: []string{"storage", "sign", "gs://bucket/o", "--expires", "8d"}},
		{args: []string{"runs", "describe", "00000000-0000-4000-8000-00000000abcd"}},
		{args: []string{"versions", "describe", "test-app", "9.9.9"}},
		{args: []string{"runs", "create", "test-app", "--items", "/nonexistent/items.jsonl"}},
		{args: []string{"runs", "update-metadata", run, "{nope"}},
		{args: []string{"runs", "cancel", run}},
		{args: []string{"storage", "sign", "gs://Bad_Bucket!/x"}},
		{args: []string{"slides", "scan", "/nonexistent/slides"}},
		{args: []string{"slides", "scan", slideFixtures, "--mapping", "tissue=LUNG"}},
		{args: []string{"applications", "list"}, noToken: true},
	}
	// Cancel once, so the second cancel above is a conflict.
	e.ok("runs", "cancel", run)
	var b strings.Builder
	for _, tc := range cases {
		for _, format := range []string{"text", "json"} {
			token := e.token
			if tc.noToken {
				e.token = ""
			}
			args := append([]string{"-o", format}, tc.args...)
			if tc.args[0] == "--output" {
				args = tc.args // the format under test
			}
			r := e.run("", args...)
			e.token = token
			if r.code == 0 {
				t.Errorf("aignostics %s succeeded", strings.Join(args, " "))
			}
			fmt.Fprintf(&b, "$ aignostics %s\nexit %d\n%s\n", strings.Join(args, " "), r.code, r.stderr)
			if tc.args[0] == "--output" {
				break
			}
		}
	}
	out := strings.ReplaceAll(uuids(b.String()), e.emu.URL(), "http://EMULATOR")
	golden(t, "errors.txt", out)
}
