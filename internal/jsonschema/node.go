package jsonschema

import "regexp"

// node is one compiled schema. A nil pointer field means the keyword is absent.
type node struct {
	ptr    string // location in the schema document, for messages
	always *bool  // boolean schema

	types []string

	enum     []any
	hasEnum  bool
	constVal any
	hasConst bool

	minimum, maximum     *num
	exclMin, exclMax     *num
	multipleOf           *num
	minLength, maxLength *int
	pattern              *regexp.Regexp
	format               string

	items       *node
	prefixItems []*node
	minItems    *int
	maxItems    *int
	uniqueItems bool
	contains    *node
	minContains *int
	maxContains *int

	required          []string
	properties        map[string]*node
	patternProperties []patternProp
	additional        *node
	propertyNames     *node
	minProperties     *int
	maxProperties     *int
	dependentRequired map[string][]string

	allOf, anyOf, oneOf []*node
	not                 *node
	ifNode              *node
	thenNode, elseNode  *node

	refPtr string // "" or the JSON pointer a local $ref names
	ref    *node  // resolved target
}

// patternProp is one patternProperties entry.
type patternProp struct {
	re     *regexp.Regexp
	schema *node
}
