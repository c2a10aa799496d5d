package jsonschema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// kw is one validation case: a schema, an instance and the expected errors
// (Path exact, Message a substring); nil want means valid.
type kw struct {
	name     string
	schema   string
	instance string
	want     []ValidationError
}

// decodeBoth decodes s twice: with float64 numbers and with json.Number.
func decodeBoth(t *testing.T, s string) map[string]any {
	t.Helper()
	var f any
	if err := json.Unmarshal([]byte(s), &f); err != nil {
		t.Fatalf("decode instance %s: %v", s, err)
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	var n any
	if err := dec.Decode(&n); err != nil {
		t.Fatalf("decode instance %s: %v", s, err)
	}
	return map[string]any{"float64": f, "json.Number": n}
}

// runCases validates every case with both number representations.
func runCases(t *testing.T, cases []kw) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var debug []string
			s, err := Compile([]byte(c.schema), Options{Debug: func(f string, a ...any) { debug = append(debug, fmt.Sprintf(f, a...)) }})
			if err != nil {
				t.Fatalf("Compile(%s): %v", c.schema, err)
			}
			for mode, v := range decodeBoth(t, c.instance) {
				got := s.Validate(v)
				if !matches(got, c.want) {
					t.Errorf("%s: Validate(%s) against %s\n got %q\nwant %q", mode, c.instance, c.schema, got, c.want)
				}
			}
		})
	}
}

// matches compares errors: same count and order, equal paths, message substrings.
func matches(got, want []ValidationError) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i].Path != want[i].Path || !strings.Contains(got[i].Message, want[i].Message) {
			return false
		}
	}
	return true
}

// at builds an expected error.
func at(path, msg string) ValidationError { return ValidationError{Path: path, Message: msg} }
