package jsonschema

import (
	"fmt"
	"strings"
	"testing"
)

func TestCompileErrors(t *testing.T) {
	tests := []struct{ name, schema, want string }{
		{"not JSON", `{`, "decode JSON"},
		{"trailing data", `{} {}`, "trailing data"},
		{"number schema", `1`, "schema root: a schema must be an object or a boolean, found number"},
		{"array schema", `[]`, "found array"},
		{"type unknown", `{"type":"float"}`, `schema /type: unknown type "float"`},
		{"type number", `{"type":1}`, "/type: must be a type name"},
		{"type empty list", `{"type":[]}`, "/type: must not be empty"},
		{"type list member", `{"type":["string",1]}`, "/type: must hold type names"},
		{"enum not array", `{"enum":"a"}`, "/enum: must be an array"},
		{"minimum string", `{"minimum":"1"}`, "/minimum: must be a number"},
		{"multipleOf zero", `{"multipleOf":0}`, "/multipleOf: must be greater than 0"},
		{"multipleOf negative", `{"multipleOf":-2}`, "must be greater than 0"},
		{"minLength negative", `{"minLength":-1}`, "/minLength: must be a non-negative integer"},
		{"maxItems fraction", `{"maxItems":1.5}`, "/maxItems: must be a non-negative integer"},
		{"minProperties huge", `{"minProperties":1e20}`, "must be a non-negative integer"},
		{"pattern number", `{"pattern":1}`, "/pattern: must be a string"},
		{"format number", `{"format":1}`, "/format: must be a string"},
		{"uniqueItems string", `{"uniqueItems":"yes"}`, "/uniqueItems: must be a boolean"},
		{"required not list", `{"required":"a"}`, "/required: must be an array of strings"},
		{"required numbers", `{"required":[1]}`, "/required: must be an array of strings"},
		{"properties array", `{"properties":[]}`, "/properties: must be an object"},
		{"property not schema", `{"properties":{"a":1}}`, "schema /properties/a: a schema must be an object or a boolean"},
		{"nested error location", `{"properties":{"a":{"items":{"minimum":"x"}}}}`, "schema /properties/a/items/minimum: must be a number"},
		{"additionalProperties string", `{"additionalProperties":"no"}`, "/additionalProperties: a schema must be"},
		{"allOf empty", `{"allOf":[]}`, "/allOf: must be a non-empty array of schemas"},
		{"anyOf object", `{"anyOf":{}}`, "/anyOf: must be a non-empty array"},
		{"oneOf member", `{"oneOf":[1]}`, "schema /oneOf/0: a schema must be"},
		{"not number", `{"not":1}`, "/not: a schema must be"},
		{"$defs not object", `{"$defs":[]}`, "/$defs: must be an object"},
		{"bad definition", `{"definitions":{"a":{"type":"x"}}}`, `schema /definitions/a/type: unknown type "x"`},
		{"ref not string", `{"$ref":1}`, "/$ref: must be a string"},
		{"ref missing", `{"$defs":{},"$ref":"#/$defs/nope"}`, `$ref "#/$defs/nope": no member "nope"`},
		{"ref into array out of range", `{"allOf":[{}],"$ref":"#/allOf/1"}`, `no element "1"`},
		{"ref through a string", `{"title":"x","$ref":"#/title/a"}`, "cannot descend into string"},
		{"ref to non-schema", `{"title":"x","$ref":"#/title"}`, "schema /title: a schema must be"},
		{"dependentRequired bad", `{"dependentRequired":{"a":"b"}}`, "/dependentRequired/a: must be an array of strings"},
		{"items tuple with prefixItems", `{"items":[{}],"prefixItems":[{}]}`, "array form together with prefixItems"},
		{"oversized", `{"description":"` + strings.Repeat("a", maxSchemaSize) + `"}`, "limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Compile([]byte(tt.schema), Options{})
			if err == nil {
				t.Fatalf("Compile succeeded: %v", s)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Compile = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestDebugLines(t *testing.T) {
	var lines []string
	debug := func(f string, a ...any) { lines = append(lines, fmt.Sprintf(f, a...)) }
	schema := `{
		"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "x", "title": "t",
		"description": "d", "default": {}, "examples": [], "$comment": "c",
		"x-custom": 1, "unevaluatedProperties": false,
		"properties": {
			"a": {"pattern": "(?<!b)a", "format": "email"},
			"b": {"$ref": "other.json#/x"},
			"c": {"$ref": "#anchor"}
		},
		"patternProperties": {"(?=x)": {}},
		"exclusiveMaximum": true
	}`
	s, err := Compile([]byte(schema), Options{Debug: debug})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`ignoring unsupported keyword "unevaluatedProperties" at schema root`,
		`ignoring unsupported keyword "x-custom" at schema root`,
		`skipping pattern "(?<!b)a" at schema /properties/a/pattern`,
		`not checking format "email" at schema /properties/a/format`,
		`ignoring non-local $ref "other.json#/x" at schema /properties/b/$ref`,
		`ignoring anchor $ref "#anchor" at schema /properties/c/$ref`,
		`skipping pattern "(?=x)" at schema /patternProperties`,
		`ignoring boolean exclusiveMaximum without maximum`,
	}
	all := strings.Join(lines, "\n")
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("debug output lacks %q; got:\n%s", w, all)
		}
	}
	if len(lines) != len(want) {
		t.Errorf("got %d debug lines, want %d (annotations are silent):\n%s", len(lines), len(want), all)
	}
	// Skipped pieces do not validate anything.
	if errs := s.Validate(map[string]any{"a": "ba", "b": 1, "c": 2, "x-y": 3}); errs != nil {
		t.Errorf("Validate = %v", errs)
	}
	// A nil Debug is fine.
	if _, err := Compile([]byte(schema), Options{}); err != nil {
		t.Fatal(err)
	}
}

func TestValidationErrorString(t *testing.T) {
	if got := (ValidationError{Path: "/a/0", Message: "bad"}).Error(); got != "/a/0: bad" {
		t.Errorf("Error() = %q", got)
	}
	if got := (ValidationError{Message: "bad"}).Error(); got != "bad" {
		t.Errorf("root Error() = %q", got)
	}
}

func TestExponentialFanOutIsBounded(t *testing.T) {
	// Each level applies the next twice: 2^30 applications without a budget.
	var b strings.Builder
	b.WriteString(`{"$defs":{`)
	for i := range 30 {
		fmt.Fprintf(&b, `"d%d":{"allOf":[{"$ref":"#/$defs/d%d"},{"$ref":"#/$defs/d%d"}]},`, i, i+1, i+1)
	}
	b.WriteString(`"d30":{"type":"string"}},"$ref":"#/$defs/d0"}`)
	s, err := Compile([]byte(b.String()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.maxSteps = 20_000
	errs := s.Validate(1.0)
	last := errs[len(errs)-1]
	if !strings.Contains(last.Message, "schema too complex: validation stopped after 20000 steps") || last.Path != "" {
		t.Fatalf("last error = %v", last)
	}
	// A small fan-out stays within the budget and reports its real errors.
	small, err := Compile([]byte(`{"$defs":{"a":{"allOf":[{"$ref":"#/$defs/b"},{"$ref":"#/$defs/b"}]},"b":{"type":"string"}},"$ref":"#/$defs/a"}`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if errs := small.Validate(1.0); len(errs) != 2 || !strings.Contains(errs[0].Message, "want string") {
		t.Fatalf("errs = %v", errs)
	}
}

func TestConcurrentValidate(t *testing.T) {
	s, err := Compile([]byte(`{"properties":{"a":{"$ref":"#/$defs/p"}},"$defs":{"p":{"type":"integer"}}}`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan []ValidationError)
	for range 8 {
		go func() { done <- s.Validate(map[string]any{"a": "x"}) }()
	}
	for range 8 {
		if errs := <-done; len(errs) != 1 || errs[0].Path != "/a" {
			t.Errorf("errs = %v", errs)
		}
	}
}
