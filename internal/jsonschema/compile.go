package jsonschema

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"
)

// compiler turns a decoded schema document into nodes.
type compiler struct {
	doc   any
	debug func(format string, args ...any)
	byPtr map[string]*node // every compiled location
	refs  []*node          // nodes with a $ref still to resolve
}

// isAnnotation reports keywords without validation meaning here (or read together
// with another keyword); they are ignored without a debug line.
func isAnnotation(k string) bool {
	switch k {
	case "$schema", "$id", "$comment", "$anchor", "$vocabulary", "$defs", "definitions",
		"title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly",
		"contentMediaType", "contentEncoding", "minContains", "maxContains", "then", "else",
		"additionalItems":
		return true
	}
	return false
}

// isTypeName reports the JSON Schema type names.
func isTypeName(s string) bool {
	switch s {
	case "null", "boolean", "object", "array", "number", "string", "integer":
		return true
	}
	return false
}

// compile compiles the schema value v found at pointer ptr.
func (c *compiler) compile(v any, ptr string) (*node, error) {
	if n, ok := c.byPtr[ptr]; ok {
		return n, nil
	}
	n := &node{ptr: ptr}
	switch s := v.(type) {
	case bool:
		n.always = &s
		c.byPtr[ptr] = n
		return n, nil
	case map[string]any:
		c.byPtr[ptr] = n
		if err := c.keywords(n, s, ptr); err != nil {
			return nil, err
		}
		return n, nil
	}
	return nil, fmt.Errorf("%s: a schema must be an object or a boolean, found %s", where(ptr), kindOf(v))
}

// keywords compiles the keywords of object schema s into n.
func (c *compiler) keywords(n *node, s map[string]any, ptr string) error {
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := c.keyword(n, s, k, ptr); err != nil {
			return err
		}
	}
	// Subschemas under $defs/definitions are compiled up front so errors in them
	// surface at Compile and references to them resolve directly.
	for _, d := range []string{"$defs", "definitions"} {
		defs, ok := s[d]
		if !ok {
			continue
		}
		m, ok := defs.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: must be an object", where(ptr+"/"+d))
		}
		for _, name := range sortedKeys(m) {
			if _, err := c.compile(m[name], ptr+"/"+d+"/"+escape(name)); err != nil {
				return err
			}
		}
	}
	return nil
}

// keyword compiles one keyword k of s into n.
func (c *compiler) keyword(n *node, s map[string]any, k, ptr string) error {
	v := s[k]
	at := ptr + "/" + escape(k)
	var err error
	switch k {
	case "type":
		n.types, err = compileTypes(v, at)
	case "enum":
		arr, ok := v.([]any)
		if !ok {
			return fmt.Errorf("%s: must be an array", where(at))
		}
		n.enum, n.hasEnum = arr, true
	case "const":
		n.constVal, n.hasConst = v, true
	case "minimum", "maximum", "multipleOf":
		var x *num
		if x, err = number(v, at); err == nil {
			switch k {
			case "minimum":
				n.minimum = x
			case "maximum":
				n.maximum = x
			default:
				if x.sign() <= 0 {
					return fmt.Errorf("%s: must be greater than 0", where(at))
				}
				n.multipleOf = x
			}
		}
	case "exclusiveMinimum", "exclusiveMaximum":
		err = c.exclusive(n, s, k, at)
	case "minLength":
		n.minLength, err = count(v, at)
	case "maxLength":
		n.maxLength, err = count(v, at)
	case "minItems":
		n.minItems, err = count(v, at)
	case "maxItems":
		n.maxItems, err = count(v, at)
	case "minProperties":
		n.minProperties, err = count(v, at)
	case "maxProperties":
		n.maxProperties, err = count(v, at)
	case "pattern":
		str, ok := v.(string)
		if !ok {
			return fmt.Errorf("%s: must be a string", where(at))
		}
		n.pattern = c.regexp(str, at)
	case "format":
		err = c.format(n, v, at)
	case "uniqueItems":
		b, ok := v.(bool)
		if !ok {
			return fmt.Errorf("%s: must be a boolean", where(at))
		}
		n.uniqueItems = b
	case "required":
		n.required, err = stringList(v, at)
	case "dependentRequired":
		err = c.dependentRequired(n, v, at)
	case "properties":
		err = c.properties(n, v, at)
	case "patternProperties":
		err = c.patternProperties(n, v, at)
	case "additionalProperties":
		n.additional, err = c.compile(v, at)
	case "propertyNames":
		n.propertyNames, err = c.compile(v, at)
	case "items":
		err = c.items(n, s, v, at)
	case "prefixItems":
		n.prefixItems, err = c.list(v, at)
	case "contains":
		if n.contains, err = c.compile(v, at); err == nil {
			err = c.containsBounds(n, s, ptr)
		}
	case "allOf":
		n.allOf, err = c.list(v, at)
	case "anyOf":
		n.anyOf, err = c.list(v, at)
	case "oneOf":
		n.oneOf, err = c.list(v, at)
	case "not":
		n.not, err = c.compile(v, at)
	case "if":
		err = c.conditional(n, s, v, ptr)
	case "$ref":
		err = c.reference(n, v, at)
	default:
		if !isAnnotation(k) {
			c.debug("jsonschema: ignoring unsupported keyword %q at %s", k, where(ptr))
		}
	}
	return err
}

// compileTypes reads "type": a type name or a non-empty array of them.
func compileTypes(v any, at string) ([]string, error) {
	var list []string
	switch t := v.(type) {
	case string:
		list = []string{t}
	case []any:
		if len(t) == 0 {
			return nil, fmt.Errorf("%s: must not be empty", where(at))
		}
		for _, x := range t {
			s, ok := x.(string)
			if !ok {
				return nil, fmt.Errorf("%s: must hold type names", where(at))
			}
			list = append(list, s)
		}
	default:
		return nil, fmt.Errorf("%s: must be a type name or an array of them", where(at))
	}
	for _, s := range list {
		if !isTypeName(s) {
			return nil, fmt.Errorf("%s: unknown type %q", where(at), s)
		}
	}
	return list, nil
}

// exclusive reads exclusiveMinimum/exclusiveMaximum: a number (draft 6+), or a
// boolean (draft 4) that makes minimum/maximum exclusive.
func (c *compiler) exclusive(n *node, s map[string]any, k, at string) error {
	if b, ok := s[k].(bool); ok {
		base := "minimum"
		if k == "exclusiveMaximum" {
			base = "maximum"
		}
		if !b {
			return nil
		}
		bv, ok := s[base]
		if !ok {
			c.debug("jsonschema: ignoring boolean %s without %s at %s", k, base, where(at))
			return nil
		}
		x, err := number(bv, at)
		if err != nil {
			return err
		}
		if k == "exclusiveMinimum" {
			n.exclMin = x
		} else {
			n.exclMax = x
		}
		return nil
	}
	x, err := number(s[k], at)
	if err != nil {
		return err
	}
	if k == "exclusiveMinimum" {
		n.exclMin = x
	} else {
		n.exclMax = x
	}
	return nil
}

// count reads a non-negative integer keyword.
func count(v any, at string) (*int, error) {
	x, err := number(v, at)
	if err != nil {
		return nil, err
	}
	f := x.float
	if x.sign() < 0 || !x.isInt() || f > math.MaxInt32 {
		return nil, fmt.Errorf("%s: must be a non-negative integer", where(at))
	}
	i := int(f)
	return &i, nil
}

// regexp compiles an RE2 pattern; one that does not compile is skipped with a
// debug line (JSON Schema patterns are ECMA-262, a superset in places).
func (c *compiler) regexp(p, at string) *regexp.Regexp {
	re, err := regexp.Compile(p)
	if err != nil {
		c.debug("jsonschema: skipping pattern %q at %s: %v", p, where(at), err)
		return nil
	}
	return re
}

// format records a supported format; others are ignored with a debug line.
func (c *compiler) format(n *node, v any, at string) error {
	f, ok := v.(string)
	if !ok {
		return fmt.Errorf("%s: must be a string", where(at))
	}
	if !knownFormat(f) {
		c.debug("jsonschema: not checking format %q at %s", f, where(at))
		return nil
	}
	n.format = f
	return nil
}

// stringList reads an array of strings.
func stringList(v any, at string) ([]string, error) {
	arr, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%s: must be an array of strings", where(at))
	}
	out := make([]string, 0, len(arr))
	for _, x := range arr {
		s, ok := x.(string)
		if !ok {
			return nil, fmt.Errorf("%s: must be an array of strings", where(at))
		}
		out = append(out, s)
	}
	return out, nil
}

// dependentRequired reads an object of property name -> required names.
func (c *compiler) dependentRequired(n *node, v any, at string) error {
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("%s: must be an object", where(at))
	}
	n.dependentRequired = map[string][]string{}
	for k, x := range m {
		list, err := stringList(x, at+"/"+escape(k))
		if err != nil {
			return err
		}
		n.dependentRequired[k] = list
	}
	return nil
}

// properties reads an object of property name -> schema.
func (c *compiler) properties(n *node, v any, at string) error {
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("%s: must be an object", where(at))
	}
	n.properties = make(map[string]*node, len(m))
	for _, k := range sortedKeys(m) {
		sub, err := c.compile(m[k], at+"/"+escape(k))
		if err != nil {
			return err
		}
		n.properties[k] = sub
	}
	return nil
}

// patternProperties reads an object of pattern -> schema.
func (c *compiler) patternProperties(n *node, v any, at string) error {
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("%s: must be an object", where(at))
	}
	for _, k := range sortedKeys(m) {
		sub, err := c.compile(m[k], at+"/"+escape(k))
		if err != nil {
			return err
		}
		if re := c.regexp(k, at); re != nil {
			n.patternProperties = append(n.patternProperties, patternProp{re: re, schema: sub})
		}
	}
	return nil
}

// items reads "items": a schema (draft 2020), or an array of schemas (draft 4-7
// tuple form, with "additionalItems" for the rest).
func (c *compiler) items(n *node, s map[string]any, v any, at string) error {
	if _, ok := v.([]any); !ok {
		var err error
		n.items, err = c.compile(v, at)
		return err
	}
	if _, ok := s["prefixItems"]; ok {
		return fmt.Errorf("%s: array form together with prefixItems", where(at))
	}
	var err error
	if n.prefixItems, err = c.list(v, at); err != nil {
		return err
	}
	if add, ok := s["additionalItems"]; ok {
		n.items, err = c.compile(add, at[:len(at)-len("/items")]+"/additionalItems")
	}
	return err
}

// containsBounds reads minContains/maxContains next to contains.
func (c *compiler) containsBounds(n *node, s map[string]any, ptr string) error {
	var err error
	if v, ok := s["minContains"]; ok {
		if n.minContains, err = count(v, ptr+"/minContains"); err != nil {
			return err
		}
	}
	if v, ok := s["maxContains"]; ok {
		n.maxContains, err = count(v, ptr+"/maxContains")
	}
	return err
}

// conditional reads if/then/else.
func (c *compiler) conditional(n *node, s map[string]any, v any, ptr string) error {
	var err error
	if n.ifNode, err = c.compile(v, ptr+"/if"); err != nil {
		return err
	}
	if t, ok := s["then"]; ok {
		if n.thenNode, err = c.compile(t, ptr+"/then"); err != nil {
			return err
		}
	}
	if e, ok := s["else"]; ok {
		n.elseNode, err = c.compile(e, ptr+"/else")
	}
	return err
}

// list reads a non-empty array of schemas.
func (c *compiler) list(v any, at string) ([]*node, error) {
	arr, ok := v.([]any)
	if !ok || len(arr) == 0 {
		return nil, fmt.Errorf("%s: must be a non-empty array of schemas", where(at))
	}
	out := make([]*node, 0, len(arr))
	for i, x := range arr {
		sub, err := c.compile(x, fmt.Sprintf("%s/%d", at, i))
		if err != nil {
			return nil, err
		}
		out = append(out, sub)
	}
	return out, nil
}

// sortedKeys returns the keys of m in order.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// number reads a numeric keyword value.
func number(v any, at string) (*num, error) {
	x, ok := toNum(v)
	if !ok {
		return nil, fmt.Errorf("%s: must be a number", where(at))
	}
	return &x, nil
}

// kindOf names the JSON kind of a decoded value, for messages.
func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case json.Number, float64, float32, int, int64, int32, uint64, uint32, uint:
		return "number"
	}
	return fmt.Sprintf("unsupported Go type %T", v)
}

// where names a schema location for messages.
func where(ptr string) string {
	if ptr == "" {
		return "schema root"
	}
	return "schema " + ptr
}
