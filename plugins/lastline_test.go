package plugins

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLastLineWriter(t *testing.T) {
	tests := []struct {
		name   string
		writes []string
		want   string
	}{
		{"none", nil, ""},
		{"one line", []string{"hello\n"}, "hello"},
		{"last non-blank line", []string{"first\nsecond\n\n  \n"}, "second"},
		{"split across writes", []string{"par", "tial li", "ne\nnext", " one"}, "next one"},
		{"unterminated wins", []string{"done\nwaiting"}, "waiting"},
		{"carriage returns and escapes dropped", []string{"\x1b[31merror:\x1b[0m bad\r\n"}, "[31merror:[0m bad"},
		{"long line cut", []string{strings.Repeat("x", 2000) + "\n"}, strings.Repeat("x", maxLine)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var pass bytes.Buffer
			w := &lastLineWriter{w: &pass}
			for _, s := range tc.writes {
				if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
					t.Fatalf("Write = %d, %v", n, err)
				}
			}
			if got := w.Last(); got != tc.want {
				t.Errorf("Last = %q, want %q", got, tc.want)
			}
			if pass.String() != strings.Join(tc.writes, "") {
				t.Errorf("passed through %q, want everything written", pass.String())
			}
		})
	}
}

func FuzzLastLineWriter(f *testing.F) {
	f.Add([]byte("a\nb\n"), 3)
	f.Add([]byte("\x00\r\n\x1b"), 1)
	f.Fuzz(func(t *testing.T, b []byte, chunk int) {
		if chunk <= 0 {
			chunk = 1
		}
		w := &lastLineWriter{}
		for len(b) > 0 {
			n := min(chunk, len(b))
			w.Write(b[:n])
			b = b[n:]
		}
		last := w.Last()
		if len(last) > maxLine*utf8.UTFMax || strings.ContainsAny(last, "\n\r\x00\x1b") {
			t.Fatalf("Last = %q: too long or holds a control character", last)
		}
	})
}
