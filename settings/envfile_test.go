package settings

import (
	"errors"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseEnvFile(t *testing.T) {
	tests := []struct {
		name, in string
		want     map[string]string
	}{
		{"empty", "", map[string]string{}},
		{"blank and comments", "\n  \n# comment\n   # indented comment\n\tA=1\n", map[string]string{"A": "1"}},
		{"export", "export A=1\nexport\tB=2\nexport=3\n", map[string]string{"A": "1", "B": "2", "export": "3"}},
		{"spaces around =", "A = 1\nB=   two words  \n", map[string]string{"A": "1", "B": "two words"}},
		{"empty value", "A=\nB=   \nC=''\nD=\"\"", map[string]string{"A": "", "B": "", "C": "", "D": ""}},
		{"inline comment unquoted", "A=value # comment\nB=val#ue\nC=x\t# tab comment\nD=#notcomment\nE= # only a comment", map[string]string{"A": "value", "B": "val#ue", "C": "x", "D": "#notcomment", "E": ""}},
		{"single quotes literal", `A='a "b" \n $C # not comment'`, map[string]string{"A": `a "b" \n $C # not comment`}},
		{"double quote escapes", `A="line1\nline2\t\"q\" \\ \$HOME \x"`, map[string]string{"A": "line1\nline2\t\"q\" \\ $HOME \\x"}},
		{"comment after quote", `A="v" # c` + "\nB='w'   ", map[string]string{"A": "v", "B": "w"}},
		{"multiline double", "A=\"one\ntwo\"\nB=3", map[string]string{"A": "one\ntwo", "B": "3"}},
		{"multiline single", "A='one\ntwo'\nB=3", map[string]string{"A": "one\ntwo", "B": "3"}},
		{"crlf", "A=1\r\nB=\"2\"\r\n", map[string]string{"A": "1", "B": "2"}},
		{"later wins", "A=1\nA=2", map[string]string{"A": "2"}},
		{"equals in value", "A=b=c==", map[string]string{"A": "b=c=="}},
		{"url value", "AIGNOSTICS_API_ROOT=https://platform.aignostics.com/", map[string]string{"AIGNOSTICS_API_ROOT": "https://platform.aignostics.com/"}},
		{"lower and digits", "a_1=x\n_B=y", map[string]string{"a_1": "x", "_B": "y"}},
		{"no trailing newline", "A=1", map[string]string{"A": "1"}},
		{"hash in quotes", `A="x # y"`, map[string]string{"A": "x # y"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseEnvFile("t.env", strings.NewReader(tt.in))
			if err != nil {
				t.Fatalf("ParseEnvFile: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func TestParseEnvFileErrors(t *testing.T) {
	tests := []struct {
		name, in string
		line     int
		reason   string
	}{
		{"no equals", "A=1\nJUSTAWORD\n", 2, "expected JUSTAWORD=VALUE"},
		{"bad name", "A=1\n\n1A=2", 3, "variable name"},
		{"dash in name", "MY-VAR=1", 1, "expected MY=VALUE"},
		{"unterminated double", "A=1\nB=\"open\nstill\n", 2, "unterminated double quote"},
		{"unterminated single", "A='open", 1, "unterminated single quote"},
		{"text after quote", "A=1\n# c\nB=\"x\"y", 3, "after the closing quote"},
		{"after multiline", "A=\"x\ny\"\nBAD", 3, "expected BAD=VALUE"},
		{"export without value", "export A", 1, "expected A=VALUE"},
		{"nul byte", "A=x\x00y", 1, "NUL"},
		{"only equals", "=1", 1, "variable name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseEnvFile("/home/u/.env", strings.NewReader(tt.in))
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want *SyntaxError", err)
			}
			if se.Line != tt.line || !strings.Contains(se.Reason, tt.reason) {
				t.Errorf("got line %d %q, want line %d containing %q", se.Line, se.Reason, tt.line, tt.reason)
			}
			prefix := "/home/u/.env:" + strconv.Itoa(tt.line) + ": "
			if !strings.HasPrefix(err.Error(), prefix) {
				t.Errorf("Error() = %q, want prefix %q", err.Error(), prefix)
			}
		})
	}
}

func TestParseEnvFileErrorHidesValue(t *testing.T) {
	_, err := ParseEnvFile("f", strings.NewReader(`AIGNOSTICS_REFRESH_TOKEN="s3cr3t-token`))
	if err == nil || strings.Contains(err.Error(), "s3cr3t") {
		t.Fatalf("err = %v; want an error without the value", err)
	}
}

// quoteEnv writes v as a double-quoted env-file value.
func quoteEnv(v string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "$", `\$`, "`", "\\`", "\r", `\r`, "\n", `\n`)
	return `"` + r.Replace(v) + `"`
}

// FuzzParseEnvFile checks that the parser never panics, that errors carry a
// plausible line number, and that every parsed map survives a round trip
// through double-quoted output.
func FuzzParseEnvFile(f *testing.F) {
	for _, s := range []string{"A=1", "export B='x'\n# c\nC=\"a\\nb\" # c", "D=\"open", "E=x # y\r\n", "=", "F='a\nb'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := ParseEnvFile("fuzz.env", strings.NewReader(in))
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			if lines := strings.Count(in, "\n") + 1; se.Line < 1 || se.Line > lines {
				t.Fatalf("line %d outside 1..%d", se.Line, lines)
			}
			return
		}
		keys := make([]string, 0, len(got))
		for k := range got {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b strings.Builder
		for _, k := range keys {
			b.WriteString(k + "=" + quoteEnv(got[k]) + "\n")
		}
		again, err := ParseEnvFile("again.env", strings.NewReader(b.String()))
		if err != nil {
			t.Fatalf("re-parse of %q: %v", b.String(), err)
		}
		if diff := cmp.Diff(got, again); diff != "" {
			t.Fatalf("round trip changed values (-first +second)\n%s", diff)
		}
	})
}
