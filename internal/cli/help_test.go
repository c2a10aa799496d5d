package cli

import (
	"os"
	"strings"
	"testing"

	"github.com/alecthomas/kong"

	"github.com/aignostics/aignostics/internal/iostreams"
)

// splitWords splits an example command line as a shell would for the
// quoting examples use: single quotes, no escapes.
func splitWords(t *testing.T, s string) []string {
	t.Helper()
	var words []string
	var cur strings.Builder
	inWord, quoted := false, false
	for _, r := range s {
		switch {
		case r == '\'':
			quoted, inWord = !quoted, true
		case r == ' ' && !quoted:
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quoted {
		t.Fatalf("unbalanced quote in %q", s)
	}
	if inWord {
		words = append(words, cur.String())
	}
	// The shell's part (a redirection or a pipe) is no argument.
	for i, w := range words {
		if w == ">" || w == "|" || w == ">>" {
			return words[:i]
		}
	}
	return words
}

// TestEveryCommandHasExamples: every help page shows examples, and every
// example is a command line the command tree accepts (flags, arguments and
// their values are parsed as a user's would be; nothing runs).
func TestEveryCommandHasExamples(t *testing.T) {
	t.Parallel()
	k, err := kong.New(&CLI{}, kong.Name("aignostics"), kong.Exit(func(int) { t.Fatal("exit") }), kong.Vars{"version": "test"})
	if err != nil {
		t.Fatal(err)
	}
	var walk func(n *kong.Node)
	walk = func(n *kong.Node) {
		if n.Hidden {
			return
		}
		ex := examplesOf(n)
		if len(ex) == 0 {
			t.Errorf("%s has no examples: add an Examples method (examples.go)", commandPath(n))
		}
		afterComment := false
		for _, e := range ex {
			if strings.HasPrefix(e, "#") {
				afterComment = true
				continue
			}
			args := aliasCommands(splitWords(t, e))
			// The model a run of args builds (the command group it names).
			p, err := newParser(&CLI{}, &Factory{IO: iostreams.New(nil, nil, nil), Version: "test"}, modelFor(args))
			if err != nil {
				t.Fatal(err)
			}
			kctx, err := p.Parse(args)
			if err != nil {
				t.Errorf("%s: example %q does not parse: %v", commandPath(n), e, err)
				continue
			}
			if n.Type == kong.CommandNode && !afterComment && !strings.HasPrefix(commandPath(kctx.Selected()), commandPath(n)) {
				t.Errorf("%s: example %q runs %s", commandPath(n), e, commandPath(kctx.Selected()))
			}
		}
		for _, c := range n.Children {
			if c.Type == kong.CommandNode {
				walk(c)
			}
		}
	}
	walk(k.Model.Node)
}

// TestHelpPageLayout: the command's own flags come before the global ones,
// and the examples end the page.
func TestHelpPageLayout(t *testing.T) {
	t.Setenv("COLUMNS", "")
	stdout, _, code := mainFor(t, map[string]string{"AIGNOSTICS_ENV_FILE": os.DevNull}, "runs", "list", "--help")
	own, global, examples := strings.Index(stdout, "--application-id"), strings.Index(stdout, "Global flags:"), strings.Index(stdout, "Examples:\n  $ aignostics runs list\n")
	if code != 0 || own < 0 || global < 0 || examples < 0 || !(own < global && global < examples) {
		t.Errorf("exit %d; own flags at %d, global at %d, examples at %d:\n%s", code, own, global, examples, stdout)
	}
	if strings.Index(stdout, "--api-root") < global {
		t.Errorf("a global flag before the Global flags heading:\n%s", stdout)
	}
}

// TestBareGroupPrintsHelp: a command group alone prints its help, exit 0;
// an unknown word in it is still a usage error.
func TestBareGroupPrintsHelp(t *testing.T) {
	t.Parallel()
	env := map[string]string{"AIGNOSTICS_ENV_FILE": os.DevNull}
	for _, g := range []string{"runs", "run", "platform", "versions", "storage"} {
		stdout, stderr, code := mainFor(t, env, g)
		if code != 0 || !strings.HasPrefix(stdout, "Usage: aignostics ") || !strings.Contains(stdout, "Commands:") || stderr != "" {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", g, code, stdout, stderr)
		}
	}
	if _, stderr, code := mainFor(t, env, "-o", "text", "runs", "bogus"); code != 2 || !strings.Contains(stderr, "unexpected argument bogus (see 'aignostics runs --help')") {
		t.Errorf("runs bogus: exit %d, %q", code, stderr)
	}
}

// TestRunIsRuns: `run` is an alias of `runs`, through to the API.
func TestRunIsRuns(t *testing.T) {
	t.Parallel()
	e := newRunsEnv(t)
	id := e.create("alias", 1)
	a, b := e.ok("run", "describe", id), e.ok("runs", "describe", id)
	if a.stdout != b.stdout || !strings.Contains(a.stdout, id) {
		t.Errorf("run describe %q, runs describe %q", a.stdout, b.stdout)
	}
}

// TestDidYouMeanPlugin: a mistyped plugin name is suggested like a
// mistyped built-in; a built-in that is closer wins.
func TestDidYouMeanPlugin(t *testing.T) {
	t.Parallel()
	w := newPluginWorld(t)
	w.plugin("frobnicate", `echo ran`)
	code, stdout, stderr := w.run("", "-o", "text", "frobnicat", "x")
	if code != 2 || stdout != "" || !strings.Contains(stderr, `unexpected argument frobnicat, did you mean "frobnicate" (a plugin, aignostics-frobnicate)?`) {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	w.plugin("applicatons-x", `echo ran`)
	if code, _, stderr := w.run("", "-o", "text", "aplications"); code != 2 || !strings.Contains(stderr, `did you mean "applications"?`) || strings.Contains(stderr, "plugin") {
		t.Errorf("built-in suggestion: exit %d, %q", code, stderr)
	}
	if code, _, stderr := w.run("", "-o", "text", "zzzzzz"); code != 2 || strings.Contains(stderr, "did you mean") {
		t.Errorf("nothing close: exit %d, %q", code, stderr)
	}
}
