// Package termtext makes strings that came from elsewhere (a server, a file
// name) safe to print as text: terminal control characters are shown as
// escapes instead of being sent to the terminal, where ESC, CSI and the
// other C0/C1 controls could move the cursor, rewrite the screen, set the
// window title or hide text, and bidirectional overrides could reorder
// what a reader sees. JSON output never goes through here: it stays exact.
package termtext

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Line returns s for one line of text: newlines, carriage returns and tabs
// become spaces, every other control character is escaped (see Text).
func Line(s string) string {
	if safe(s, false) {
		return s
	}
	return escape(s, false)
}

// Text returns s for text that may span lines: newlines and tabs are kept;
// carriage returns (which let later text overwrite earlier text), ESC and
// the other C0 controls, DEL, the C1 controls (U+0080..U+009F),
// bidirectional embeddings, overrides and isolates (U+202A..U+202E,
// U+2066..U+2069) and bytes that are not UTF-8 are written as Go escapes
// (\x1b, \u009b, \u202e, \xff), so a reader sees that they were there.
func Text(s string) string {
	if safe(s, true) {
		return s
	}
	return escape(s, true)
}

// safe reports whether s needs no change.
func safe(s string, multiline bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f || c >= 0x80 {
			if multiline && (c == '\n' || c == '\t') {
				continue
			}
			return !needsWork(s[i:], multiline)
		}
	}
	return true
}

// needsWork scans the rest of s (from its first non-plain byte) rune by rune.
func needsWork(s string, multiline bool) bool {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			return true
		}
		if control(r) && !(multiline && (r == '\n' || r == '\t')) {
			return true
		}
		i += n
	}
	return false
}

// control reports the runes that are never printed as they are.
func control(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

func escape(s string, multiline bool) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case (r == '\n' || r == '\t') && multiline:
			b.WriteRune(r)
		case (r == '\n' || r == '\t' || r == '\r') && !multiline:
			b.WriteByte(' ')
		case r < 0x80 && control(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case control(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}
