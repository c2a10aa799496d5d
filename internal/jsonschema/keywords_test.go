package jsonschema

import (
	"encoding/json"
	"testing"
)

func TestType(t *testing.T) {
	runCases(t, []kw{
		{"string ok", `{"type":"string"}`, `"x"`, nil},
		{"string bad", `{"type":"string"}`, `1`, []ValidationError{at("", "got number, want string")}},
		{"integer ok", `{"type":"integer"}`, `3`, nil},
		{"integer 1.0 ok", `{"type":"integer"}`, `1.0`, nil},
		{"integer 1e2 ok", `{"type":"integer"}`, `1e2`, nil},
		{"integer bad", `{"type":"integer"}`, `1.5`, []ValidationError{at("", "want integer")}},
		{"integer string", `{"type":"integer"}`, `"1"`, []ValidationError{at("", "got string, want integer")}},
		{"number takes integer", `{"type":"number"}`, `7`, nil},
		{"null ok", `{"type":"null"}`, `null`, nil},
		{"null bad", `{"type":"null"}`, `false`, []ValidationError{at("", "got boolean, want null")}},
		{"boolean", `{"type":"boolean"}`, `true`, nil},
		{"object", `{"type":"object"}`, `{}`, nil},
		{"array vs object", `{"type":"object"}`, `[]`, []ValidationError{at("", "got array, want object")}},
		{"array", `{"type":"array"}`, `[1]`, nil},
		{"list ok", `{"type":["string","null"]}`, `null`, nil},
		{"list bad", `{"type":["string","null"]}`, `1`, []ValidationError{at("", "want string or null")}},
		{"list integer", `{"type":["integer","string"]}`, `2`, nil},
	})
}

func TestEnumConst(t *testing.T) {
	runCases(t, []kw{
		{"enum ok", `{"enum":["a","b",1]}`, `"b"`, nil},
		{"enum number by value", `{"enum":[1]}`, `1.0`, nil},
		{"enum bad", `{"enum":["a","b"]}`, `"c"`, []ValidationError{at("", `"c" is not one of ["a","b"]`)}},
		{"enum null", `{"enum":[null]}`, `null`, nil},
		{"enum object", `{"enum":[{"a":[1,2]}]}`, `{"a":[1,2.0]}`, nil},
		{"enum object differs", `{"enum":[{"a":[1,2]}]}`, `{"a":[2,1]}`, []ValidationError{at("", "is not one of")}},
		{"enum bool vs number", `{"enum":[true]}`, `1`, []ValidationError{at("", "is not one of")}},
		{"const ok", `{"const":"x"}`, `"x"`, nil},
		{"const bad", `{"const":"x"}`, `"y"`, []ValidationError{at("", `must equal "x"`)}},
		{"const number", `{"const":0.1}`, `0.1`, nil},
		{"const large integers exact", `{"const":12345678901234567890}`, `12345678901234567890`, nil},
		{"const null vs false", `{"const":null}`, `false`, []ValidationError{at("", "must equal null")}},
		{"const object", `{"const":{"a":1}}`, `{"a":1,"b":2}`, []ValidationError{at("", "must equal")}},
	})
}

func TestNumeric(t *testing.T) {
	runCases(t, []kw{
		{"minimum ok", `{"minimum":5}`, `5`, nil},
		{"minimum bad", `{"minimum":5}`, `4.99`, []ValidationError{at("", "4.99 is less than the minimum 5")}},
		{"maximum ok", `{"maximum":5}`, `5`, nil},
		{"maximum bad", `{"maximum":5}`, `6`, []ValidationError{at("", "greater than the maximum 5")}},
		{"exclusiveMinimum ok", `{"exclusiveMinimum":0}`, `0.0001`, nil},
		{"exclusiveMinimum edge", `{"exclusiveMinimum":0}`, `0`, []ValidationError{at("", "must be greater than 0")}},
		{"exclusiveMaximum edge", `{"exclusiveMaximum":1.5}`, `1.5`, []ValidationError{at("", "must be less than 1.5")}},
		{"exclusiveMaximum ok", `{"exclusiveMaximum":1.5}`, `1.49`, nil},
		{"draft4 boolean exclusiveMinimum", `{"minimum":3,"exclusiveMinimum":true}`, `3`, []ValidationError{at("", "must be greater than 3")}},
		{"draft4 boolean false", `{"minimum":3,"exclusiveMinimum":false}`, `3`, nil},
		{"multipleOf int ok", `{"multipleOf":3}`, `9`, nil},
		{"multipleOf int bad", `{"multipleOf":3}`, `10`, []ValidationError{at("", "10 is not a multiple of 3")}},
		{"multipleOf decimal exact", `{"multipleOf":0.1}`, `0.3`, nil},
		{"multipleOf decimal exact 2", `{"multipleOf":0.01}`, `19.99`, nil},
		{"multipleOf decimal bad", `{"multipleOf":0.1}`, `0.35`, []ValidationError{at("", "not a multiple")}},
		{"bounds ignore strings", `{"minimum":5}`, `"1"`, nil},
		{"all bounds at once", `{"minimum":10,"multipleOf":4}`, `3`, []ValidationError{at("", "less than the minimum"), at("", "not a multiple")}},
	})
}

func TestStringKeywords(t *testing.T) {
	runCases(t, []kw{
		{"minLength runes", `{"minLength":3}`, `"äöü"`, nil},
		{"minLength bad", `{"minLength":3}`, `"ab"`, []ValidationError{at("", "length 2 is shorter than minLength 3")}},
		{"maxLength runes", `{"maxLength":2}`, `"日本"`, nil},
		{"maxLength bad", `{"maxLength":2}`, `"日本語"`, []ValidationError{at("", "length 3 is longer than maxLength 2")}},
		{"length ignores numbers", `{"maxLength":1}`, `12345`, nil},
		{"pattern ok", `{"pattern":"^[a-z]+-\\d+$"}`, `"abc-12"`, nil},
		{"pattern unanchored", `{"pattern":"b"}`, `"abc"`, nil},
		{"pattern bad", `{"pattern":"^a"}`, `"ba"`, []ValidationError{at("", `"ba" does not match the pattern "^a"`)}},
		{"pattern not RE2 skipped", `{"pattern":"^(?=a)"}`, `"zzz"`, nil},
		{"date-time ok", `{"format":"date-time"}`, `"2024-02-29T12:30:00Z"`, nil},
		{"date-time offset", `{"format":"date-time"}`, `"2024-02-29T12:30:00.123456+05:30"`, nil},
		{"date-time lower case", `{"format":"date-time"}`, `"2024-02-29t12:30:00z"`, nil},
		{"date-time leap second", `{"format":"date-time"}`, `"2016-12-31T23:59:60Z"`, nil},
		{"date-time no zone", `{"format":"date-time"}`, `"2024-02-29T12:30:00"`, []ValidationError{at("", "is not a valid date-time")}},
		{"date-time bad day", `{"format":"date-time"}`, `"2023-02-29T12:30:00Z"`, []ValidationError{at("", "not a valid date-time")}},
		{"date-time date only", `{"format":"date-time"}`, `"2024-02-29"`, []ValidationError{at("", "not a valid date-time")}},
		{"date-time space", `{"format":"date-time"}`, `"2024-02-29 12:30:00Z"`, []ValidationError{at("", "not a valid date-time")}},
		{"date-time ignores numbers", `{"format":"date-time"}`, `5`, nil},
		{"uri ok", `{"format":"uri"}`, `"gs://bucket/path/to/file.tiff"`, nil},
		{"uri https", `{"format":"uri"}`, `"https://example.com/a?b=c#d"`, nil},
		{"uri urn", `{"format":"uri"}`, `"urn:isbn:0451450523"`, nil},
		{"uri relative", `{"format":"uri"}`, `"/path/only"`, []ValidationError{at("", "not a valid uri")}},
		{"uri space", `{"format":"uri"}`, `"https://example.com/a b"`, []ValidationError{at("", "not a valid uri")}},
		{"uri empty", `{"format":"uri"}`, `""`, []ValidationError{at("", "not a valid uri")}},
		{"unknown format ignored", `{"format":"email"}`, `"not an email"`, nil},
	})
}

func TestArrayKeywords(t *testing.T) {
	runCases(t, []kw{
		{"items ok", `{"items":{"type":"integer"}}`, `[1,2,3]`, nil},
		{"items bad paths", `{"items":{"type":"integer"}}`, `[1,"a",2.5]`, []ValidationError{at("/1", "got string"), at("/2", "want integer")}},
		{"minItems", `{"minItems":2}`, `[1]`, []ValidationError{at("", "1 items, fewer than minItems 2")}},
		{"maxItems", `{"maxItems":1}`, `[1,2]`, []ValidationError{at("", "2 items, more than maxItems 1")}},
		{"prefixItems", `{"prefixItems":[{"type":"string"},{"type":"number"}],"items":false}`, `["a",1,null]`, []ValidationError{at("/2", "no value is allowed")}},
		{"prefixItems bad", `{"prefixItems":[{"type":"string"}]}`, `[1,1]`, []ValidationError{at("/0", "want string")}},
		{"draft4 tuple items", `{"items":[{"type":"string"}],"additionalItems":{"type":"number"}}`, `["a",1,"b"]`, []ValidationError{at("/2", "want number")}},
		{"uniqueItems ok", `{"uniqueItems":true}`, `[1,"1",[1],{"a":1}]`, nil},
		{"uniqueItems bad", `{"uniqueItems":true}`, `[1,2,1.0]`, []ValidationError{at("", "items 0 and 2 are equal")}},
		{"uniqueItems objects", `{"uniqueItems":true}`, `[{"a":1,"b":2},{"b":2,"a":1}]`, []ValidationError{at("", "are equal")}},
		{"uniqueItems false", `{"uniqueItems":false}`, `[1,1]`, nil},
		{"contains ok", `{"contains":{"const":3}}`, `[1,3]`, nil},
		{"contains bad", `{"contains":{"const":3}}`, `[1,2]`, []ValidationError{at("", "0 items match contains")}},
		{"maxContains", `{"contains":{"const":3},"maxContains":1}`, `[3,3]`, []ValidationError{at("", "want at most 1")}},
		{"array keywords ignore objects", `{"minItems":3,"items":false}`, `{"a":1}`, nil},
	})
}

func TestObjectKeywords(t *testing.T) {
	runCases(t, []kw{
		{"required ok", `{"required":["a"]}`, `{"a":null}`, nil},
		{"required missing all reported", `{"required":["a","b"]}`, `{}`, []ValidationError{at("", `missing required property "a"`), at("", `missing required property "b"`)}},
		{"required ignores arrays", `{"required":["a"]}`, `[]`, nil},
		{"properties", `{"properties":{"a":{"type":"string"},"b":{"minimum":0}}}`, `{"a":1,"b":-1,"c":true}`,
			[]ValidationError{at("/a", "want string"), at("/b", "less than the minimum 0")}},
		{"nested path", `{"properties":{"specimen":{"properties":{"tissue":{"enum":["lung"]}}}}}`, `{"specimen":{"tissue":"liver"}}`,
			[]ValidationError{at("/specimen/tissue", `"liver" is not one of ["lung"]`)}},
		{"path escaping", `{"properties":{"a/b":{"type":"string"},"c~d":{"type":"string"}}}`, `{"a/b":1,"c~d":2}`,
			[]ValidationError{at("/a~1b", "want string"), at("/c~0d", "want string")}},
		{"additionalProperties false", `{"properties":{"a":{}},"additionalProperties":false}`, `{"a":1,"b":2,"c":3}`,
			[]ValidationError{at("", `additional property "b" is not allowed`), at("", `additional property "c" is not allowed`)}},
		{"additionalProperties true", `{"properties":{"a":{}},"additionalProperties":true}`, `{"b":2}`, nil},
		{"additionalProperties schema", `{"properties":{"a":{}},"additionalProperties":{"type":"string"}}`, `{"a":1,"b":2,"c":"x"}`,
			[]ValidationError{at("/b", "want string")}},
		{"patternProperties", `{"patternProperties":{"^x-":{"type":"string"}},"additionalProperties":false}`, `{"x-a":"s","x-b":1,"y":1}`,
			[]ValidationError{at("/x-b", "want string"), at("", `additional property "y"`)}},
		{"minProperties", `{"minProperties":2}`, `{"a":1}`, []ValidationError{at("", "fewer than minProperties 2")}},
		{"maxProperties", `{"maxProperties":1}`, `{"a":1,"b":2}`, []ValidationError{at("", "more than maxProperties 1")}},
		{"dependentRequired", `{"dependentRequired":{"a":["b"]}}`, `{"a":1}`, []ValidationError{at("", `property "a" requires property "b"`)}},
		{"propertyNames", `{"propertyNames":{"maxLength":2}}`, `{"ab":1,"abc":2}`, []ValidationError{at("", `property name "abc"`)}},
	})
}

func TestComposition(t *testing.T) {
	runCases(t, []kw{
		{"allOf all errors", `{"allOf":[{"type":"string"},{"minLength":3}]}`, `"ab"`, []ValidationError{at("", "shorter than minLength 3")}},
		{"allOf both fail", `{"allOf":[{"minimum":5},{"multipleOf":2}]}`, `3`, []ValidationError{at("", "minimum"), at("", "multiple")}},
		{"anyOf ok", `{"anyOf":[{"type":"string"},{"type":"integer"}]}`, `3`, nil},
		{"anyOf bad", `{"anyOf":[{"type":"string"},{"type":"integer"}]}`, `3.5`, []ValidationError{at("", "matches none of the 2 anyOf schemas")}},
		{"oneOf ok", `{"oneOf":[{"type":"string"},{"type":"integer"}]}`, `"a"`, nil},
		{"oneOf two", `{"oneOf":[{"type":"number"},{"type":"integer"}]}`, `3`, []ValidationError{at("", "matches 2 of the 2 oneOf schemas")}},
		{"oneOf none", `{"oneOf":[{"type":"string"},{"type":"integer"}]}`, `null`, []ValidationError{at("", "matches none of the 2 oneOf schemas")}},
		{"oneOf none, one branch of the type", `{"oneOf":[{"type":"string","minLength":2},{"type":"integer"}]}`, `"a"`,
			[]ValidationError{at("", "shorter than minLength 2")}},
		{"anyOf two branches of the type", `{"anyOf":[{"type":"string","minLength":2},{"type":"string","pattern":"^x"}]}`, `"a"`,
			[]ValidationError{at("", "matches none of the 2 anyOf schemas")}},
		{"anyOf untyped branches", `{"anyOf":[{"minimum":2},{"multipleOf":2}]}`, `1`,
			[]ValidationError{at("", "matches none of the 2 anyOf schemas")}},
		{"anyOf through ref", `{"$defs":{"o":{"type":"object","required":["k"]}},"anyOf":[{"$ref":"#/$defs/o"},{"type":"null"}]}`, `{}`,
			[]ValidationError{at("", `missing required property "k"`)}},
		{"not ok", `{"not":{"type":"string"}}`, `1`, nil},
		{"not bad", `{"not":{"type":"string"}}`, `"a"`, []ValidationError{at("", "must not match")}},
		{"if then", `{"if":{"properties":{"kind":{"const":"a"}}},"then":{"required":["x"]},"else":{"required":["y"]}}`, `{"kind":"a"}`,
			[]ValidationError{at("", `missing required property "x"`)}},
		{"if else", `{"if":{"properties":{"kind":{"const":"a"}}},"then":{"required":["x"]},"else":{"required":["y"]}}`, `{"kind":"b"}`,
			[]ValidationError{at("", `missing required property "y"`)}},
		{"nested composition paths", `{"properties":{"a":{"anyOf":[{"type":"null"},{"items":{"type":"string"}, "type":"array"}]}}}`, `{"a":[1]}`,
			[]ValidationError{at("/a/0", "got number, want string")}},
	})
}

func TestBooleanSchemas(t *testing.T) {
	runCases(t, []kw{
		{"true", `true`, `{"anything":[1]}`, nil},
		{"false", `false`, `null`, []ValidationError{at("", "no value is allowed")}},
		{"false property", `{"properties":{"a":false}}`, `{"a":1}`, []ValidationError{at("/a", "no value is allowed")}},
		{"true items", `{"items":true}`, `[1,"a"]`, nil},
	})
}

func TestRefs(t *testing.T) {
	runCases(t, []kw{
		{"$defs", `{"$defs":{"pos":{"type":"integer","minimum":1}},"properties":{"n":{"$ref":"#/$defs/pos"}}}`, `{"n":0}`,
			[]ValidationError{at("/n", "less than the minimum 1")}},
		{"definitions", `{"definitions":{"s":{"type":"string"}},"items":{"$ref":"#/definitions/s"}}`, `["a",2]`,
			[]ValidationError{at("/1", "want string")}},
		{"ref with siblings applies both", `{"$defs":{"s":{"type":"string"}},"properties":{"a":{"$ref":"#/$defs/s","minLength":2}}}`, `{"a":"x"}`,
			[]ValidationError{at("/a", "shorter than minLength 2")}},
		{"recursive tree", `{"type":"object","properties":{"v":{"type":"integer"},"kids":{"type":"array","items":{"$ref":"#"}}}}`,
			`{"v":1,"kids":[{"v":2,"kids":[{"v":"x"}]}]}`, []ValidationError{at("/kids/0/kids/0/v", "want integer")}},
		{"ref into properties", `{"properties":{"a":{"type":"string"},"b":{"$ref":"#/properties/a"}}}`, `{"b":1}`,
			[]ValidationError{at("/b", "want string")}},
		{"escaped ref", `{"$defs":{"a/b":{"type":"string"},"c d":{"type":"number"}},"properties":{"x":{"$ref":"#/$defs/a~1b"},"y":{"$ref":"#/$defs/c%20d"}}}`, `{"x":1,"y":"s"}`,
			[]ValidationError{at("/x", "want string"), at("/y", "want number")}},
		{"ref cycle", `{"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}},"$ref":"#/$defs/a"}`, `1`,
			[]ValidationError{at("", "reference cycle")}},
		{"self ref cycle", `{"$ref":"#"}`, `1`, []ValidationError{at("", "reference cycle")}},
		{"remote ref ignored", `{"$ref":"https://example.com/schema.json"}`, `1`, nil},
	})
}

func TestUnsupportedGoType(t *testing.T) {
	s, err := Compile([]byte(`{"type":"string"}`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	errs := s.Validate(struct{}{})
	if len(errs) != 1 || errs[0].Path != "" {
		t.Fatalf("errs = %v", errs)
	}
}

func TestGoNumbers(t *testing.T) {
	s, err := Compile([]byte(`{"type":"integer","minimum":1}`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []any{1, int64(2), uint64(3), float32(4)} {
		if errs := s.Validate(v); errs != nil {
			t.Errorf("Validate(%T %v) = %v", v, v, errs)
		}
	}
	if errs := s.Validate(0); len(errs) != 1 {
		t.Errorf("Validate(0) = %v", errs)
	}
}

func TestExtremeJSONNumbers(t *testing.T) {
	s, err := Compile([]byte(`{"exclusiveMinimum":0,"maximum":1e10,"multipleOf":1e-5}`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in   json.Number
		want int
	}{
		{"1e-400", 1},  // exactly greater than 0, not a multiple of 1e-5
		{"1e-4000", 1}, // too small to hold exactly: rounds to 0 (a multiple of anything)
		{"1e400", 1},   // above the maximum, and a multiple
		{"1e4000", 2},  // +Inf as float64: above the maximum; multipleOf cannot hold
		{"-1e4000", 2},
		{"0.00001", 0},
		{"123456789.12345", 0},
		{"123456789.123456", 1},
	}
	for _, tt := range tests {
		if errs := s.Validate(tt.in); len(errs) != tt.want {
			t.Errorf("Validate(%s) = %v, want %d errors", tt.in, errs, tt.want)
		}
	}
}
