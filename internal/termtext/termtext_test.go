package termtext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLineAndText(t *testing.T) {
	cases := []struct{ in, line, text string }{
		{"plain name", "plain name", "plain name"},
		{"größe 日本", "größe 日本", "größe 日本"},
		{"a\nb\tc\rd", "a b c d", "a\nb\tc\\x0dd"},
		{"\x1b]0;owned\x07title", `\x1b]0;owned\x07title`, `\x1b]0;owned\x07title`},
		{"red \x1b[31mtext\x1b[0m", `red \x1b[31mtext\x1b[0m`, `red \x1b[31mtext\x1b[0m`},
		{"csi \u009b2J", `csi \u009b2J`, `csi \u009b2J`},
		{"raw \x9b byte", `raw \x9b byte`, `raw \x9b byte`},
		{"del \x7f", `del \x7f`, `del \x7f`},
		{"bidi \u202egnp.exe", `bidi \u202egnp.exe`, `bidi \u202egnp.exe`},
		{"nul\x00", `nul\x00`, `nul\x00`},
	}
	for _, c := range cases {
		if got := Line(c.in); got != c.line {
			t.Errorf("Line(%q) = %q, want %q", c.in, got, c.line)
		}
		if got := Text(c.in); got != c.text {
			t.Errorf("Text(%q) = %q, want %q", c.in, got, c.text)
		}
	}
}

// FuzzEscape: whatever comes in, nothing a terminal acts on comes out.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "a\x1b[2Jb", "\u009b\u202e\xff\r\n\t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, out := range []string{Line(s), Text(s)} {
			if !utf8.ValidString(out) {
				t.Fatalf("%q: output %q is not UTF-8", s, out)
			}
			for _, r := range out {
				if control(r) && r != '\n' && r != '\t' {
					t.Fatalf("%q: output %q holds control %U", s, out, r)
				}
			}
		}
		if strings.ContainsAny(Line(s), "\n\t") {
			t.Fatalf("Line(%q) spans lines", s)
		}
	})
}
