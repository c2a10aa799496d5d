package plugins

import (
	"bytes"
	"io"
	"strings"
)

// maxLine bounds how much of one stderr line is kept for an error message.
const maxLine = 512

// lastLineWriter passes everything to w (when not nil) and remembers the
// last non-blank line written, cut to maxLine bytes. Errors writing to w
// are ignored.
type lastLineWriter struct {
	w    io.Writer
	cur  []byte // the line being written, at most maxLine bytes
	last string // the last complete non-blank line
}

func (l *lastLineWriter) Write(p []byte) (int, error) {
	rest := p
	for len(rest) > 0 {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			l.add(rest)
			break
		}
		l.add(rest[:i])
		l.endLine()
		rest = rest[i+1:]
	}
	if l.w != nil {
		// A broken stderr of ours must not fail the provider's run.
		_, _ = l.w.Write(p)
	}
	return len(p), nil
}

func (l *lastLineWriter) add(b []byte) {
	if room := maxLine - len(l.cur); room > 0 {
		l.cur = append(l.cur, b[:min(room, len(b))]...)
	}
}

func (l *lastLineWriter) endLine() {
	if s := cleanLine(l.cur); s != "" {
		l.last = s
	}
	l.cur = l.cur[:0]
}

// Last returns the last non-blank line, including an unterminated one.
func (l *lastLineWriter) Last() string {
	if s := cleanLine(l.cur); s != "" {
		return s
	}
	return l.last
}

// cleanLine trims blanks and drops control characters (a carriage return,
// terminal escapes), so the line fits in a one-line message.
func cleanLine(b []byte) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' || r == 0x7f {
			return -1
		}
		return r
	}, string(b)))
}
