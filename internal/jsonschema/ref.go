package jsonschema

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// reference records a $ref. Local references ("#", "#/$defs/x", any JSON pointer
// fragment) are resolved after compiling; others are ignored with a debug line.
func (c *compiler) reference(n *node, v any, at string) error {
	ref, ok := v.(string)
	if !ok {
		return fmt.Errorf("%s: must be a string", where(at))
	}
	if !strings.HasPrefix(ref, "#") {
		c.debug("jsonschema: ignoring non-local $ref %q at %s", ref, where(at))
		return nil
	}
	frag, err := url.PathUnescape(ref[1:])
	if err != nil {
		return fmt.Errorf("%s: bad $ref %q: %v", where(at), ref, err)
	}
	if frag != "" && !strings.HasPrefix(frag, "/") {
		c.debug("jsonschema: ignoring anchor $ref %q at %s", ref, where(at))
		return nil
	}
	n.refPtr = frag
	c.refs = append(c.refs, n)
	return nil
}

// resolveRefs links every $ref to its target, compiling targets that are not
// compiled yet (which may add more references).
func (c *compiler) resolveRefs() error {
	for len(c.refs) > 0 {
		n := c.refs[0]
		c.refs = c.refs[1:]
		if t, ok := c.byPtr[n.refPtr]; ok {
			n.ref = t
			continue
		}
		v, err := lookup(c.doc, n.refPtr)
		if err != nil {
			return fmt.Errorf("%s: $ref %q: %w", where(n.ptr), "#"+n.refPtr, err)
		}
		t, err := c.compile(v, n.refPtr)
		if err != nil {
			return err
		}
		n.ref = t
	}
	return nil
}

// lookup follows a JSON pointer in a decoded document.
func lookup(doc any, ptr string) (any, error) {
	if ptr == "" {
		return doc, nil
	}
	cur := doc
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch x := cur.(type) {
		case map[string]any:
			v, ok := x[tok]
			if !ok {
				return nil, fmt.Errorf("no member %q", tok)
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) || (len(tok) > 1 && tok[0] == '0') {
				return nil, fmt.Errorf("no element %q", tok)
			}
			cur = x[i]
		default:
			return nil, fmt.Errorf("cannot descend into %s at %q", kindOf(cur), tok)
		}
	}
	return cur, nil
}

// escape encodes one JSON pointer token.
func escape(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}
