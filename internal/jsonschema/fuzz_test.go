package jsonschema

import (
	"bytes"
	"encoding/json"
	"testing"
)

var fuzzSeeds = []string{
	`{"type":"object","required":["a"],"properties":{"a":{"type":"string","pattern":"^x","maxLength":3}},"additionalProperties":false}`,
	`{"$defs":{"n":{"type":["integer","null"],"minimum":0}},"items":{"$ref":"#/$defs/n"},"uniqueItems":true}`,
	`{"anyOf":[{"const":1},{"enum":[2,"3"]}],"not":{"multipleOf":0.5}}`,
	`{"oneOf":[{"format":"date-time"},{"format":"uri"}]}`,
	`{"$ref":"#"}`,
	`{"prefixItems":[true,false],"contains":{"type":"string"},"minContains":2}`,
	`{"if":{"required":["a"]},"then":{"minProperties":2},"else":false}`,
	`true`,
	`false`,
}

func FuzzCompile(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		s, err := Compile(raw, Options{Debug: func(string, ...any) {}})
		if err != nil {
			return
		}
		for _, v := range []any{nil, true, 1.5, json.Number("3"), "x", []any{1.0, "a"}, map[string]any{"a": "x"}} {
			s.Validate(v)
		}
	})
}

func FuzzValidate(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s), []byte(`{"a":"xy","b":[1,2,2],"c":null}`))
		f.Add([]byte(s), []byte(`[1e400,"2024-01-01T00:00:00Z",{"a":[]}]`))
	}
	f.Fuzz(func(t *testing.T, raw, instance []byte) {
		s, err := Compile(raw, Options{})
		if err != nil {
			return
		}
		dec := json.NewDecoder(bytes.NewReader(instance))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) != nil {
			return
		}
		errs := s.Validate(v)
		again := s.Validate(v)
		if len(errs) != len(again) {
			t.Fatalf("Validate is not deterministic: %d then %d errors", len(errs), len(again))
		}
		for i := range errs {
			if errs[i] != again[i] {
				t.Fatalf("Validate is not deterministic: %v then %v", errs[i], again[i])
			}
			if p := errs[i].Path; p != "" && p[0] != '/' {
				t.Fatalf("path %q is not a JSON pointer", p)
			}
		}
		var f any
		if json.Unmarshal(instance, &f) == nil {
			s.Validate(f)
		}
	})
}
