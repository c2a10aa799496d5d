package plugins

import (
	"errors"
	"strings"
)

// SplitCommandLine splits s into words the way a POSIX shell does, without
// running a shell and without any expansion: words are separated by blanks
// (space, tab, newline); single quotes keep everything up to the next single
// quote; double quotes keep everything except that a backslash escapes \, ",
// $ and ` (and removes a following newline); outside quotes a backslash
// keeps the next character (and removes a following newline). "$", "`", "*",
// "~", "|" and the like are ordinary characters. An unterminated quote or a
// trailing backslash is an error. An empty or blank s gives no words.
func SplitCommandLine(s string) ([]string, error) {
	var (
		words  []string
		cur    strings.Builder
		inWord bool
	)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '\\':
			if i+1 >= len(s) {
				return nil, errors.New("split command line: trailing backslash")
			}
			i++
			if s[i] == '\n' { // line continuation
				continue
			}
			cur.WriteByte(s[i])
			inWord = true
		case c == '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return nil, errors.New("split command line: unterminated single quote")
			}
			cur.WriteString(s[i+1 : i+1+end])
			i += end + 1
			inWord = true
		case c == '"':
			j, err := readDoubleQuoted(s, i+1, &cur)
			if err != nil {
				return nil, err
			}
			i = j
			inWord = true
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// readDoubleQuoted copies the body of a double-quoted string starting at
// s[start] into b and returns the index of the closing quote.
func readDoubleQuoted(s string, start int, b *strings.Builder) (int, error) {
	for i := start; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			return i, nil
		case '\\':
			if i+1 < len(s) {
				switch n := s[i+1]; n {
				case '\\', '"', '$', '`':
					b.WriteByte(n)
					i++
					continue
				case '\n':
					i++
					continue
				}
			}
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return 0, errors.New("split command line: unterminated double quote")
}
