package settings

import (
	"fmt"
	"io"
	"strings"
)

// SyntaxError reports a malformed line of an env file. Its message never
// contains the line's text, which may hold a secret.
type SyntaxError struct {
	File   string // the name given to ParseEnvFile
	Line   int    // 1-based line where the bad entry starts
	Reason string
}

// Error returns "file:line: reason".
func (e *SyntaxError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason) }

// ParseEnvFile reads an env file: one KEY=VALUE per line, blank lines and
// lines starting with # ignored, an optional leading "export ", spaces around
// "=" allowed. Values may be unquoted (trailing spaces and a " # comment"
// removed), single quoted (taken literally) or double quoted (escapes \n \r
// \t \" \\ \$ and \` understood, other backslashes kept); quoted values may
// span lines. Variables are not expanded. A later key wins. A malformed line
// gives a *SyntaxError naming name and the line.
func ParseEnvFile(name string, r io.Reader) (map[string]string, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read env file %s: %w", name, err)
	}
	p := envParser{name: name, s: strings.ReplaceAll(string(data), "\r\n", "\n"), line: 1}
	out := map[string]string{}
	for {
		key, value, ok, err := p.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return out, nil
		}
		out[key] = value
	}
}

// envParser walks the file text keeping the current line number.
type envParser struct {
	name string
	s    string
	pos  int
	line int
}

func (p *envParser) errorf(line int, format string, args ...any) error {
	return &SyntaxError{File: p.name, Line: line, Reason: fmt.Sprintf(format, args...)}
}

// restOfLine returns the text up to (not including) the next newline and
// moves past the newline.
func (p *envParser) restOfLine() string {
	end := strings.IndexByte(p.s[p.pos:], '\n')
	var text string
	if end < 0 {
		text = p.s[p.pos:]
		p.pos = len(p.s)
	} else {
		text = p.s[p.pos : p.pos+end]
		p.pos += end + 1
		p.line++
	}
	return text
}

func (p *envParser) skipBlanks() {
	for p.pos < len(p.s) && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t') {
		p.pos++
	}
}

// next returns the next entry; ok is false at the end of the input.
func (p *envParser) next() (key, value string, ok bool, err error) {
	for p.pos < len(p.s) {
		p.skipBlanks()
		if p.pos >= len(p.s) {
			break
		}
		switch p.s[p.pos] {
		case '\n':
			p.pos++
			p.line++
			continue
		case '#':
			p.restOfLine()
			continue
		}
		return p.entry()
	}
	return "", "", false, nil
}

// entry parses one KEY=VALUE starting at a non-blank character.
func (p *envParser) entry() (key, value string, ok bool, err error) {
	start := p.line
	if rest := p.s[p.pos:]; strings.HasPrefix(rest, "export") && len(rest) > 6 && (rest[6] == ' ' || rest[6] == '\t') {
		p.pos += 6
		p.skipBlanks()
	}
	begin := p.pos
	for p.pos < len(p.s) && isKeyByte(p.s[p.pos], p.pos == begin) {
		p.pos++
	}
	key = p.s[begin:p.pos]
	p.skipBlanks()
	if key == "" {
		p.restOfLine()
		return "", "", false, p.errorf(start, "expected a variable name (letters, digits, _) at the start of the line")
	}
	if p.pos >= len(p.s) || p.s[p.pos] != '=' {
		p.restOfLine()
		return "", "", false, p.errorf(start, "expected %s=VALUE", key)
	}
	p.pos++
	afterEquals := p.pos
	p.skipBlanks()
	if p.pos >= len(p.s) || p.s[p.pos] == '\n' || (p.pos > afterEquals && p.s[p.pos] == '#') {
		p.restOfLine() // empty value, perhaps followed by a comment
		return key, "", true, nil
	}
	switch p.s[p.pos] {
	case '\'':
		value, err = p.singleQuoted(start)
	case '"':
		value, err = p.doubleQuoted(start)
	default:
		value = unquoted(p.restOfLine())
		if strings.IndexByte(value, 0) >= 0 {
			err = p.errorf(start, "value of %s contains a NUL byte", key)
		}
		return key, value, err == nil, err
	}
	if err != nil {
		return "", "", false, err
	}
	if tail := strings.TrimLeft(p.restOfLine(), " \t"); tail != "" && tail[0] != '#' {
		return "", "", false, p.errorf(start, "unexpected text after the closing quote of %s", key)
	}
	if strings.IndexByte(value, 0) >= 0 {
		return "", "", false, p.errorf(start, "value of %s contains a NUL byte", key)
	}
	return key, value, true, nil
}

func isKeyByte(c byte, first bool) bool {
	switch {
	case c == '_', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		return true
	case c >= '0' && c <= '9':
		return !first
	}
	return false
}

// unquoted trims a bare value: a " #" (or tab #) starts a comment, trailing
// blanks are dropped.
func unquoted(s string) string {
	for i := 1; i < len(s); i++ {
		if s[i] == '#' && (s[i-1] == ' ' || s[i-1] == '\t') {
			s = s[:i]
			break
		}
	}
	return strings.TrimRight(s, " \t")
}

func (p *envParser) singleQuoted(start int) (string, error) {
	p.pos++ // opening quote
	end := strings.IndexByte(p.s[p.pos:], '\'')
	if end < 0 {
		p.pos = len(p.s)
		return "", p.errorf(start, "unterminated single quote")
	}
	v := p.s[p.pos : p.pos+end]
	p.line += strings.Count(v, "\n")
	p.pos += end + 1
	return v, nil
}

func (p *envParser) doubleQuoted(start int) (string, error) {
	p.pos++ // opening quote
	var b strings.Builder
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		switch {
		case c == '"':
			p.pos++
			return b.String(), nil
		case c == '\\' && p.pos+1 < len(p.s):
			p.pos++
			e := p.s[p.pos]
			switch e {
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case '"', '\\', '$', '`':
				b.WriteByte(e)
			case '\n':
				b.WriteByte('\\')
				b.WriteByte('\n')
				p.line++
			default:
				b.WriteByte('\\')
				b.WriteByte(e)
			}
		default:
			if c == '\n' {
				p.line++
			}
			b.WriteByte(c)
		}
		p.pos++
	}
	return "", p.errorf(start, "unterminated double quote")
}
