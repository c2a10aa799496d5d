package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// metaFilter is a parsed `custom_metadata` query: the supported subset of
// PostgreSQL JSONPath, evaluated in lax mode like the `@?` operator.
//
// Supported forms (path segments: `.key`, `."quoted key"`, `[*]`, `[N]`; a
// missing leading `$.` is added):
//
//	$.a.b                                  the path exists
//	$.a.b == "x"   (also !=, <, <=, >, >=; strings, numbers, true/false/null)
//	$.a.b like_regex "re" [flag "i"]
//	$.a ? (@.b == "x")  and  $.a[*] ? (@ like_regex "re" flag "i")
//
// Anything else (&&, ||, !, arithmetic, methods) is refused with 422.
type metaFilter struct {
	path  []pathSeg
	cond  *metaCond // nil: existence
	inner []pathSeg // path after @ in a filter expression
}

// pathSeg is one step of a path: a member, a subscript or the wildcard [*].
type pathSeg struct {
	key   string
	index int // -1 for a member, -2 for [*]
}

// metaCond is the comparison at the end of a filter.
type metaCond struct {
	op  string // == != < <= > >= like_regex
	lit any    // string, float64, bool or nil
	re  *regexp.Regexp
}

// maxFilterLength is the spec's maxLength of custom_metadata.
const maxFilterLength = 1000

// parseMetaFilter parses a custom_metadata expression.
func parseMetaFilter(s string) (*metaFilter, error) {
	if len(s) > maxFilterLength {
		return nil, fmt.Errorf("expression longer than %d characters", maxFilterLength)
	}
	sc := &scanner{s: strings.TrimSpace(s)}
	if !strings.HasPrefix(sc.s, "$") {
		sc.s = "$." + sc.s
	}
	sc.pos = 1
	f := &metaFilter{}
	var err error
	if f.path, err = sc.segments(); err != nil {
		return nil, err
	}
	sc.space()
	switch {
	case sc.done():
		return f, nil
	case sc.peek() == '?':
		sc.pos++
		sc.space()
		if !sc.eat("(") {
			return nil, sc.fail("expected ( after ?")
		}
		sc.space()
		if !sc.eat("@") {
			return nil, sc.fail("expected @ in the filter")
		}
		if f.inner, err = sc.segments(); err != nil {
			return nil, err
		}
		if f.cond, err = sc.condition(); err != nil {
			return nil, err
		}
		sc.space()
		if !sc.eat(")") {
			return nil, sc.fail("expected ) closing the filter")
		}
	default:
		if f.cond, err = sc.condition(); err != nil {
			return nil, err
		}
	}
	sc.space()
	if !sc.done() {
		return nil, sc.fail("unexpected text")
	}
	return f, nil
}

// scanner reads a JSONPath expression.
type scanner struct {
	s   string
	pos int
}

func (sc *scanner) done() bool { return sc.pos >= len(sc.s) }
func (sc *scanner) peek() byte { return sc.s[sc.pos] }
func (sc *scanner) space() {
	for !sc.done() && unicode.IsSpace(rune(sc.peek())) {
		sc.pos++
	}
}
func (sc *scanner) eat(tok string) bool {
	if strings.HasPrefix(sc.s[sc.pos:], tok) {
		sc.pos += len(tok)
		return true
	}
	return false
}
func (sc *scanner) fail(msg string) error {
	return fmt.Errorf("%s at position %d", msg, sc.pos)
}

// segments reads `.key`, `."key"`, `[*]` and `[N]` steps.
func (sc *scanner) segments() ([]pathSeg, error) {
	var segs []pathSeg
	for !sc.done() {
		switch sc.peek() {
		case '.':
			sc.pos++
			if !sc.done() && sc.peek() == '"' {
				k, err := sc.str()
				if err != nil {
					return nil, err
				}
				segs = append(segs, pathSeg{key: k, index: -1})
				continue
			}
			start := sc.pos
			for !sc.done() && (sc.peek() == '_' || unicode.IsLetter(rune(sc.peek())) || unicode.IsDigit(rune(sc.peek()))) {
				sc.pos++
			}
			if start == sc.pos {
				return nil, sc.fail("expected a key after .")
			}
			segs = append(segs, pathSeg{key: sc.s[start:sc.pos], index: -1})
		case '[':
			end := strings.IndexByte(sc.s[sc.pos:], ']')
			if end < 0 {
				return nil, sc.fail("unclosed [")
			}
			inner := strings.TrimSpace(sc.s[sc.pos+1 : sc.pos+end])
			if inner == "*" {
				segs = append(segs, pathSeg{index: -2})
			} else {
				n, err := strconv.Atoi(inner)
				if err != nil || n < 0 {
					return nil, sc.fail("unsupported subscript")
				}
				segs = append(segs, pathSeg{index: n})
			}
			sc.pos += end + 1
		default:
			return segs, nil
		}
	}
	return segs, nil
}

// str reads a double-quoted JSONPath string.
func (sc *scanner) str() (string, error) {
	if sc.done() || sc.peek() != '"' {
		return "", sc.fail("expected a double-quoted string")
	}
	var b strings.Builder
	for i := sc.pos + 1; i < len(sc.s); i++ {
		c := sc.s[i]
		switch c {
		case '"':
			sc.pos = i + 1
			return b.String(), nil
		case '\\':
			if i+1 >= len(sc.s) {
				return "", sc.fail("unterminated string")
			}
			i++
			switch e := sc.s[i]; e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			default:
				b.WriteByte(e)
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", sc.fail("unterminated string")
}

// condition reads `op literal` or `like_regex "re" [flag "f"]`.
func (sc *scanner) condition() (*metaCond, error) {
	sc.space()
	if sc.eat("like_regex") {
		sc.space()
		pat, err := sc.str()
		if err != nil {
			return nil, err
		}
		sc.space()
		flags := ""
		if sc.eat("flag") {
			sc.space()
			if flags, err = sc.str(); err != nil {
				return nil, err
			}
		}
		re, err := compileLikeRegex(pat, flags)
		if err != nil {
			return nil, sc.fail(err.Error())
		}
		return &metaCond{op: "like_regex", re: re}, nil
	}
	var op string
	for _, o := range []string{"==", "!=", "<>", "<=", ">=", "<", ">"} {
		if sc.eat(o) {
			op = o
			break
		}
	}
	if op == "" {
		return nil, sc.fail("expected a comparison (==, !=, <, <=, >, >=) or like_regex")
	}
	if op == "<>" {
		op = "!="
	}
	sc.space()
	lit, err := sc.literal()
	if err != nil {
		return nil, err
	}
	return &metaCond{op: op, lit: lit}, nil
}

// literal reads a string, number, true, false or null.
func (sc *scanner) literal() (any, error) {
	if sc.done() {
		return nil, sc.fail("expected a value")
	}
	if sc.peek() == '"' {
		return sc.str()
	}
	for _, kw := range []struct {
		tok string
		v   any
	}{{"true", true}, {"false", false}, {"null", nil}} {
		if sc.eat(kw.tok) {
			return kw.v, nil
		}
	}
	start := sc.pos
	for !sc.done() && strings.IndexByte("+-0123456789.eE", sc.peek()) >= 0 {
		sc.pos++
	}
	f, err := strconv.ParseFloat(sc.s[start:sc.pos], 64)
	if err != nil || start == sc.pos {
		return nil, sc.fail("expected a string, number, true, false or null")
	}
	return f, nil
}

// compileLikeRegex compiles a like_regex pattern with PostgreSQL's flags.
func compileLikeRegex(pat, flags string) (*regexp.Regexp, error) {
	prefix := ""
	for _, f := range flags {
		switch f {
		case 'i', 's', 'm':
			prefix += string(f)
		case 'q':
			pat = regexp.QuoteMeta(pat)
		case 'x':
			return nil, errors.New("flag x is not supported")
		default:
			return nil, fmt.Errorf("unknown like_regex flag %q", f)
		}
	}
	if prefix != "" {
		pat = "(?" + prefix + ")" + pat
	}
	re, err := regexp.Compile(pat)
	if err != nil {
		return nil, fmt.Errorf("invalid regular expression: %w", err)
	}
	return re, nil
}

// match evaluates the filter against a custom_metadata value.
func (f *metaFilter) match(doc any) bool {
	if doc == nil {
		return false
	}
	if f.cond == nil {
		return visit(doc, f.path, func(any) bool { return true })
	}
	return visit(doc, f.path, func(v any) bool {
		// A filter applies to each element of an array (lax mode), and a
		// comparison to each element of an array value.
		return eachLax(v, func(item any) bool {
			return visit(item, f.inner, func(x any) bool { return eachLax(x, f.cond.test) })
		})
	})
}

// eachLax calls fn on v, or on each element when v is an array, until fn
// reports true.
func eachLax(v any, fn func(any) bool) bool {
	if a, ok := v.([]any); ok {
		for _, x := range a {
			if fn(x) {
				return true
			}
		}
		return false
	}
	return fn(v)
}

// visit follows path from v in lax mode (members of arrays apply to each
// element, missing members yield nothing) and calls fn on each value reached
// until it reports true; it allocates nothing.
func visit(v any, path []pathSeg, fn func(any) bool) bool {
	if len(path) == 0 {
		return fn(v)
	}
	s, rest := path[0], path[1:]
	switch {
	case s.index == -1:
		return eachLax(v, func(o any) bool {
			m, ok := o.(map[string]any)
			if !ok {
				return false
			}
			x, ok := m[s.key]
			return ok && visit(x, rest, fn)
		})
	case s.index == -2:
		return eachLax(v, func(x any) bool { return visit(x, rest, fn) })
	}
	if a, ok := v.([]any); ok {
		return s.index < len(a) && visit(a[s.index], rest, fn)
	}
	return s.index == 0 && visit(v, rest, fn)
}

// test compares one JSON value with the condition; values of another type
// never match.
func (c *metaCond) test(v any) bool {
	if c.op == "like_regex" {
		s, ok := v.(string)
		return ok && c.re.MatchString(s)
	}
	var cmp int
	switch lit := c.lit.(type) {
	case string:
		s, ok := v.(string)
		if !ok {
			return false
		}
		cmp = strings.Compare(s, lit)
	case float64:
		f, ok := number(v)
		if !ok {
			return false
		}
		switch {
		case f < lit:
			cmp = -1
		case f > lit:
			cmp = 1
		}
	case bool:
		b, ok := v.(bool)
		if !ok || (c.op != "==" && c.op != "!=") {
			return false
		}
		if b != lit {
			cmp = 1
		}
	case nil:
		if c.op != "==" && c.op != "!=" {
			return false
		}
		if v != nil {
			cmp = 1
		}
	}
	switch c.op {
	case "==":
		return cmp == 0
	case "!=":
		return cmp != 0
	case "<":
		return cmp < 0
	case "<=":
		return cmp <= 0
	case ">":
		return cmp > 0
	default:
		return cmp >= 0
	}
}

// number converts a decoded JSON number.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case float64:
		return n, true
	}
	return 0, false
}
