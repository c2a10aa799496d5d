package plugins

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var splitCases = []struct {
	name string
	in   string
	want []string
}{
	{"empty", "", nil},
	{"blank", " \t\n ", nil},
	{"one word", "gettoken", []string{"gettoken"}},
	{"words and blanks", "  a  b\tc\nd  ", []string{"a", "b", "c", "d"}},
	{"single quotes keep everything", `'a b' 'c\d' '"e"'`, []string{"a b", `c\d`, `"e"`}},
	{"double quotes", `"a b" "c\"d" "e\\f" "g\$h" "i\` + "`" + `j" "k\l"`, []string{"a b", `c"d`, `e\f`, "g$h", "i`j", `k\l`}},
	{"backslash outside quotes", `a\ b c\\d \'e\"`, []string{"a b", `c\d`, `'e"`}},
	{"adjacent parts join", `a'b c'"d e"f`, []string{"ab cd ef"}},
	{"empty quoted words", `'' "" x`, []string{"", "", "x"}},
	{"line continuation", "a\\\nb \"c\\\nd\"", []string{"ab", "cd"}},
	{"no expansion", "echo $HOME ~ *", []string{"echo", "$HOME", "~", "*"}},
	{"newline inside quotes", "'a\nb'", []string{"a\nb"}},
	{"path with spaces", `"/opt/my tools/get token" --audience 'https://x/api'`, []string{"/opt/my tools/get token", "--audience", "https://x/api"}},
}

func TestSplitCommandLine(t *testing.T) {
	for _, tc := range splitCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := SplitCommandLine(tc.in)
			if err != nil {
				t.Fatalf("SplitCommandLine(%q): %v", tc.in, err)
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("SplitCommandLine(%q) (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func TestSplitCommandLineErrors(t *testing.T) {
	for _, in := range []string{`'abc`, `"abc`, `abc\`, `"a\"`, `a 'b" c`} {
		if got, err := SplitCommandLine(in); err == nil {
			t.Errorf("SplitCommandLine(%q) = %q, want an error", in, got)
		}
	}
}

// TestSplitCommandLineMatchesShell checks the table against /bin/sh for the
// cases a shell would not expand.
func TestSplitCommandLineMatchesShell(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh on PATH to compare with")
	}
	for _, tc := range splitCases {
		if strings.ContainsAny(tc.in, "$~*`\n") {
			continue
		}
		script := "set -- " + tc.in + "\n" + `for w in "$@"; do printf '<%s>' "$w"; done`
		out, err := exec.Command(sh, "-c", script).Output()
		if err != nil {
			t.Fatalf("%s: sh: %v", tc.name, err)
		}
		var b strings.Builder
		for _, w := range tc.want {
			b.WriteString("<" + w + ">")
		}
		if string(out) != b.String() {
			t.Errorf("%s: sh splits %q as %s, the table says %s", tc.name, tc.in, out, b.String())
		}
	}
}

// quoteWord quotes w for SplitCommandLine (and for a POSIX shell).
func quoteWord(w string) string {
	return "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
}

func FuzzSplitCommandLine(f *testing.F) {
	for _, tc := range splitCases {
		f.Add(tc.in)
	}
	f.Add(`'unterminated`)
	f.Add(`"a\`)
	f.Fuzz(func(t *testing.T, s string) {
		words, err := SplitCommandLine(s)
		if err != nil {
			return
		}
		quoted := make([]string, len(words))
		for i, w := range words {
			quoted[i] = quoteWord(w)
		}
		again, err := SplitCommandLine(strings.Join(quoted, " "))
		if err != nil {
			t.Fatalf("re-split of quoted %q: %v", words, err)
		}
		if diff := cmp.Diff(words, again, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("quote/split round trip of %q (-first +again):\n%s", s, diff)
		}
	})
}
