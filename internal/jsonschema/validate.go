package jsonschema

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxRefHops bounds consecutive $ref follows without descending into the value,
// which stops reference cycles such as {"$ref": "#"}.
const maxRefHops = 32

// maxSteps bounds the schema applications of one Validate call, so a schema that
// fans out through references cannot make validation take exponential time.
const maxSteps = 1_000_000

// state is the output and work budget of one Validate call.
type state struct {
	errs  []ValidationError
	steps *int // shared with the nested states of anyOf, oneOf, not, if
	max   int  // the budget
}

// sub returns a fresh state sharing the budget.
func (st *state) sub() *state { return &state{steps: st.steps, max: st.max} }

// validate appends the errors of v (at instance pointer path) to st. hops counts
// $ref follows since the last descent into a child value.
func (n *node) validate(v any, path string, hops int, st *state) {
	fail := func(format string, args ...any) {
		st.errs = append(st.errs, ValidationError{Path: path, Message: fmt.Sprintf(format, args...)})
	}
	if *st.steps >= st.max {
		return // Schema.Validate reports the exhausted budget
	}
	*st.steps++
	if n.always != nil {
		if !*n.always {
			fail("no value is allowed here")
		}
		return
	}
	if n.refPtr != "" || n.ref != nil {
		if hops >= maxRefHops {
			fail("$ref %q: reference cycle", "#"+n.refPtr)
		} else if n.ref != nil {
			n.ref.validate(v, path, hops+1, st)
		}
	}
	kind := kindOf(v)
	if strings.HasPrefix(kind, "unsupported") {
		fail("%s", kind)
		return
	}
	if len(n.types) > 0 && !typeMatches(n.types, v, kind) {
		fail("got %s, want %s", kind, strings.Join(n.types, " or "))
	}
	if n.hasConst && !equal(v, n.constVal) {
		fail("must equal %s", show(n.constVal))
	}
	if n.hasEnum && !inEnum(n.enum, v) {
		fail("%s is not one of %s", show(v), show(n.enum))
	}
	switch x := v.(type) {
	case string:
		n.validateString(x, fail)
	case []any:
		n.validateArray(x, path, st, fail)
	case map[string]any:
		n.validateObject(x, path, st, fail)
	default:
		if num, ok := toNum(v); ok {
			n.validateNumber(num, fail)
		}
	}
	n.validateCombinators(v, path, hops, st, fail)
}

// typeMatches reports whether v (of JSON kind) is one of types.
func typeMatches(types []string, v any, kind string) bool {
	for _, t := range types {
		switch {
		case t == kind:
			return true
		case t == "integer" && kind == "number":
			if x, ok := toNum(v); ok && x.isInt() {
				return true
			}
		}
	}
	return false
}

// inEnum reports whether v equals one of the values.
func inEnum(values []any, v any) bool {
	for _, e := range values {
		if equal(v, e) {
			return true
		}
	}
	return false
}

// validateNumber checks the numeric bounds.
func (n *node) validateNumber(x num, fail func(string, ...any)) {
	if n.minimum != nil && x.cmp(*n.minimum) < 0 {
		fail("%s is less than the minimum %s", x, n.minimum)
	}
	if n.maximum != nil && x.cmp(*n.maximum) > 0 {
		fail("%s is greater than the maximum %s", x, n.maximum)
	}
	if n.exclMin != nil && x.cmp(*n.exclMin) <= 0 {
		fail("%s must be greater than %s", x, n.exclMin)
	}
	if n.exclMax != nil && x.cmp(*n.exclMax) >= 0 {
		fail("%s must be less than %s", x, n.exclMax)
	}
	if n.multipleOf != nil && !x.multipleOf(*n.multipleOf) {
		fail("%s is not a multiple of %s", x, n.multipleOf)
	}
}

// validateString checks length, pattern and format.
func (n *node) validateString(s string, fail func(string, ...any)) {
	if n.minLength != nil || n.maxLength != nil {
		l := utf8.RuneCountInString(s)
		if n.minLength != nil && l < *n.minLength {
			fail("length %d is shorter than minLength %d", l, *n.minLength)
		}
		if n.maxLength != nil && l > *n.maxLength {
			fail("length %d is longer than maxLength %d", l, *n.maxLength)
		}
	}
	if n.pattern != nil && !n.pattern.MatchString(s) {
		fail("%s does not match the pattern %s", show(s), show(n.pattern.String()))
	}
	if n.format != "" && !checkFormat(n.format, s) {
		fail("%s is not a valid %s", show(s), n.format)
	}
}

// validateArray checks the array keywords and the items.
func (n *node) validateArray(a []any, path string, st *state, fail func(string, ...any)) {
	if n.minItems != nil && len(a) < *n.minItems {
		fail("%d items, fewer than minItems %d", len(a), *n.minItems)
	}
	if n.maxItems != nil && len(a) > *n.maxItems {
		fail("%d items, more than maxItems %d", len(a), *n.maxItems)
	}
	if n.uniqueItems {
	dup:
		for i := range a {
			for j := i + 1; j < len(a); j++ {
				if equal(a[i], a[j]) {
					fail("items %d and %d are equal, uniqueItems requires distinct items", i, j)
					break dup
				}
			}
		}
	}
	for i, item := range a {
		sub := n.items
		if i < len(n.prefixItems) {
			sub = n.prefixItems[i]
		}
		if sub != nil {
			sub.validate(item, path+"/"+strconv.Itoa(i), 0, st)
		}
	}
	if n.contains != nil {
		matches := 0
		for _, item := range a {
			if n.contains.valid(item, st) {
				matches++
			}
		}
		lo := 1
		if n.minContains != nil {
			lo = *n.minContains
		}
		if matches < lo {
			fail("%d items match contains, want at least %d", matches, lo)
		}
		if n.maxContains != nil && matches > *n.maxContains {
			fail("%d items match contains, want at most %d", matches, *n.maxContains)
		}
	}
}

// validateObject checks the object keywords and the members.
func (n *node) validateObject(m map[string]any, path string, st *state, fail func(string, ...any)) {
	for _, r := range n.required {
		if _, ok := m[r]; !ok {
			fail("missing required property %s", show(r))
		}
	}
	if n.minProperties != nil && len(m) < *n.minProperties {
		fail("%d properties, fewer than minProperties %d", len(m), *n.minProperties)
	}
	if n.maxProperties != nil && len(m) > *n.maxProperties {
		fail("%d properties, more than maxProperties %d", len(m), *n.maxProperties)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if deps, ok := n.dependentRequired[k]; ok {
			for _, d := range deps {
				if _, ok := m[d]; !ok {
					fail("property %s requires property %s", show(k), show(d))
				}
			}
		}
	}
	for _, k := range keys {
		child := path + "/" + escape(k)
		if n.propertyNames != nil && !n.propertyNames.valid(k, st) {
			fail("property name %s is not allowed by propertyNames", show(k))
		}
		matched := false
		if sub, ok := n.properties[k]; ok {
			matched = true
			sub.validate(m[k], child, 0, st)
		}
		for _, pp := range n.patternProperties {
			if pp.re.MatchString(k) {
				matched = true
				pp.schema.validate(m[k], child, 0, st)
			}
		}
		if matched || n.additional == nil {
			continue
		}
		if a := n.additional.always; a != nil && !*a {
			fail("additional property %s is not allowed", show(k))
			continue
		}
		n.additional.validate(m[k], child, 0, st)
	}
}

// validateCombinators checks $ref-free composition: allOf, anyOf, oneOf, not, if.
func (n *node) validateCombinators(v any, path string, hops int, st *state, fail func(string, ...any)) {
	for _, sub := range n.allOf {
		sub.validate(v, path, hops, st)
	}
	if len(n.anyOf) > 0 {
		var failed [][]ValidationError
		for _, sub := range n.anyOf {
			errs, ok := sub.check(v, path, hops, st)
			if ok {
				failed = nil
				break
			}
			failed = append(failed, errs)
		}
		if failed != nil {
			explain(n.anyOf, failed, v, st, func() { fail("matches none of the %d anyOf schemas", len(n.anyOf)) })
		}
	}
	if len(n.oneOf) > 0 {
		matches := 0
		var failed [][]ValidationError
		for _, sub := range n.oneOf {
			errs, ok := sub.check(v, path, hops, st)
			if ok {
				matches++
			}
			failed = append(failed, errs)
		}
		switch matches {
		case 1:
		case 0:
			explain(n.oneOf, failed, v, st, func() { fail("matches none of the %d oneOf schemas", len(n.oneOf)) })
		default:
			fail("matches %d of the %d oneOf schemas, want exactly 1", matches, len(n.oneOf))
		}
	}
	if n.not != nil && n.not.validAt(v, path, hops, st) {
		fail("must not match the schema in not")
	}
	if n.ifNode != nil {
		if n.ifNode.validAt(v, path, hops, st) {
			if n.thenNode != nil {
				n.thenNode.validate(v, path, hops, st)
			}
		} else if n.elseNode != nil {
			n.elseNode.validate(v, path, hops, st)
		}
	}
}

// explain reports why none of the alternatives matched: when exactly one of them
// accepts the value's type (as in the common [X, null] pattern), its errors are the
// useful ones and are reported; otherwise generic() reports the failure.
func explain(alts []*node, failed [][]ValidationError, v any, st *state, generic func()) {
	pick := -1
	for i, alt := range alts {
		if alt.acceptsType(v, 0) {
			if pick >= 0 {
				generic()
				return
			}
			pick = i
		}
	}
	if pick < 0 || len(failed[pick]) == 0 {
		generic()
		return
	}
	st.errs = append(st.errs, failed[pick]...)
}

// acceptsType reports whether n's type constraints (through $ref) admit v.
func (n *node) acceptsType(v any, hops int) bool {
	if n.always != nil {
		return *n.always
	}
	if len(n.types) > 0 && !typeMatches(n.types, v, kindOf(v)) {
		return false
	}
	if n.ref != nil && hops < maxRefHops {
		return n.ref.acceptsType(v, hops+1)
	}
	return true
}

// check validates v against n into a fresh state sharing the budget.
func (n *node) check(v any, path string, hops int, st *state) ([]ValidationError, bool) {
	sub := st.sub()
	n.validate(v, path, hops, sub)
	return sub.errs, len(sub.errs) == 0
}

// valid reports whether v passes n (a fresh value position).
func (n *node) valid(v any, st *state) bool { return n.validAt(v, "", 0, st) }

// validAt reports whether v passes n at path with hops $ref follows so far.
func (n *node) validAt(v any, path string, hops int, st *state) bool {
	sub := st.sub()
	n.validate(v, path, hops, sub)
	return len(sub.errs) == 0
}

// show renders a value for a message, shortened.
func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	s := string(b)
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}
