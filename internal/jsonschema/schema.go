package jsonschema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Options configure Compile.
type Options struct {
	// Debug receives a line for each ignored keyword or pattern; nil: discard.
	Debug func(format string, args ...any)
}

// Schema is a compiled schema, safe for concurrent use.
type Schema struct {
	root     *node
	maxSteps int // validation budget (maxSteps; lowered in tests)
}

// ValidationError is one failure: Path is the JSON pointer of the failing value
// ("" for the root, e.g. "/specimen/tissue"), Message says what is wrong.
type ValidationError struct {
	Path    string
	Message string
}

// Error returns "path: message", or the message alone for the root.
func (e ValidationError) Error() string {
	if e.Path == "" {
		return e.Message
	}
	return e.Path + ": " + e.Message
}

// maxSchemaSize bounds the schema document accepted by Compile.
const maxSchemaSize = 4 << 20

// Compile parses a schema document (a JSON object or boolean). Keywords of the
// wrong type and unresolvable local references are errors naming the location.
func Compile(raw []byte, o Options) (*Schema, error) {
	if len(raw) > maxSchemaSize {
		return nil, fmt.Errorf("compile schema: %d bytes, limit %d", len(raw), maxSchemaSize)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("compile schema: decode JSON: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("compile schema: trailing data after the JSON value")
	}
	debug := o.Debug
	if debug == nil {
		debug = func(string, ...any) {}
	}
	c := &compiler{doc: doc, debug: debug, byPtr: map[string]*node{}}
	root, err := c.compile(doc, "")
	if err != nil {
		return nil, fmt.Errorf("compile schema: %w", err)
	}
	if err := c.resolveRefs(); err != nil {
		return nil, fmt.Errorf("compile schema: %w", err)
	}
	return &Schema{root: root, maxSteps: maxSteps}, nil
}

// Validate checks v (as decoded by encoding/json, numbers as float64 or
// json.Number) and returns every error found; nil means valid.
func (s *Schema) Validate(v any) []ValidationError {
	st := &state{steps: new(int), max: s.maxSteps}
	s.root.validate(v, "", 0, st)
	if *st.steps >= st.max {
		st.errs = append(st.errs, ValidationError{Message: fmt.Sprintf("schema too complex: validation stopped after %d steps", st.max)})
	}
	return st.errs
}
