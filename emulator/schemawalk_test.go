package emulator

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// specDoc is the OpenAPI document the platform must follow, with a small
// schema walker: $ref, anyOf, type (incl. null), enum, required, properties
// (unknown properties are errors: responses must match exactly), items,
// formats uuid/date-time/uri, pattern and length bounds.
type specDoc struct {
	schemas map[string]any
	ops     []specOp
}

// specOp is one operation of the spec.
type specOp struct {
	method, path, id string
	segs             []string
	params           []map[string]any
	responses        map[string]any
}

func loadSpec(t testing.TB) *specDoc {
	t.Helper()
	b, err := os.ReadFile("../testdata/platform-api-1.7.0.json")
	if err != nil {
		t.Fatalf("read spec: %v", err)
	}
	var raw struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatalf("decode spec: %v", err)
	}
	d := &specDoc{schemas: raw.Components.Schemas}
	for path, ops := range raw.Paths {
		for method, rawOp := range ops {
			var op struct {
				ID         string           `json:"operationId"`
				Parameters []map[string]any `json:"parameters"`
				Responses  map[string]any   `json:"responses"`
			}
			if err := json.Unmarshal(rawOp, &op); err != nil {
				t.Fatalf("decode %s %s: %v", method, path, err)
			}
			d.ops = append(d.ops, specOp{method: strings.ToUpper(method), path: path, id: op.ID,
				segs: strings.Split(strings.Trim(path, "/"), "/"), params: op.Parameters, responses: op.Responses})
		}
	}
	slices.SortFunc(d.ops, func(a, b specOp) int { return strings.Compare(a.method+a.path, b.method+b.path) })
	return d
}

// find returns the operation serving method and a request path under /api.
func (d *specDoc) find(method, path string) (*specOp, bool) {
	segs := strings.Split(strings.Trim(strings.TrimPrefix(path, "/api"), "/"), "/")
	var best *specOp
	bestLiteral := -1
	for i := range d.ops {
		op := &d.ops[i]
		if op.method != method || len(op.segs) != len(segs) {
			continue
		}
		literal := 0
		ok := true
		for k, s := range op.segs {
			switch {
			case strings.HasPrefix(s, "{"):
			case s == segs[k]:
				literal++
			default:
				ok = false
			}
		}
		if ok && literal > bestLiteral {
			best, bestLiteral = op, literal
		}
	}
	return best, best != nil
}

// responseSchema returns the JSON schema of a status of op, if it has one.
func (op *specOp) responseSchema(status int) (schema any, listed, hasBody bool) {
	r, ok := op.responses[strconv.Itoa(status)].(map[string]any)
	if !ok {
		return nil, false, false
	}
	content, _ := r["content"].(map[string]any)
	js, _ := content["application/json"].(map[string]any)
	if js == nil {
		return nil, true, false
	}
	return js["schema"], true, true
}

// validate checks v against schema and returns every violation with its path.
func (d *specDoc) validate(schema, v any, at string) []string {
	s, _ := schema.(map[string]any)
	if len(s) == 0 {
		return nil
	}
	if ref, ok := s["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		target, ok := d.schemas[name]
		if !ok {
			return []string{at + ": unresolvable $ref " + ref}
		}
		return d.validate(target, v, at)
	}
	if any, ok := s["anyOf"].([]any); ok {
		var all []string
		for _, alt := range any {
			errs := d.validate(alt, v, at)
			if len(errs) == 0 {
				return nil
			}
			all = append(all, errs...)
		}
		return []string{fmt.Sprintf("%s: matches no anyOf branch: %s", at, strings.Join(all, " | "))}
	}
	var errs []string
	if t, ok := s["type"].(string); ok && !jsonType(t, v) {
		return []string{fmt.Sprintf("%s: want %s, got %T %v", at, t, v, v)}
	}
	if enum, ok := s["enum"].([]any); ok && !slices.Contains(enum, v) {
		errs = append(errs, fmt.Sprintf("%s: %v not in enum %v", at, v, enum))
	}
	if str, ok := v.(string); ok {
		errs = append(errs, checkString(s, str, at)...)
	}
	if obj, ok := v.(map[string]any); ok {
		props, _ := s["properties"].(map[string]any)
		for _, r := range asSlice(s["required"]) {
			if _, ok := obj[r.(string)]; !ok {
				errs = append(errs, fmt.Sprintf("%s: required %q missing", at, r))
			}
		}
		for k, x := range obj {
			ps, ok := props[k]
			switch {
			case ok:
				errs = append(errs, d.validate(ps, x, at+"/"+k)...)
			case props != nil && s["additionalProperties"] != true:
				errs = append(errs, fmt.Sprintf("%s: unexpected property %q", at, k))
			}
		}
	}
	if arr, ok := v.([]any); ok {
		for i, x := range arr {
			errs = append(errs, d.validate(s["items"], x, fmt.Sprintf("%s/%d", at, i))...)
		}
		if m, ok := s["minItems"].(float64); ok && float64(len(arr)) < m {
			errs = append(errs, fmt.Sprintf("%s: fewer than %v items", at, m))
		}
	}
	return errs
}

func asSlice(v any) []any { s, _ := v.([]any); return s }

// checkString applies format, pattern and length rules.
func checkString(s map[string]any, str, at string) []string {
	var errs []string
	switch s["format"] {
	case "uuid":
		if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`).MatchString(str) {
			errs = append(errs, fmt.Sprintf("%s: %q is not a uuid", at, str))
		}
	case "date-time":
		if _, err := time.Parse(time.RFC3339Nano, str); err != nil {
			errs = append(errs, fmt.Sprintf("%s: %q is not a date-time", at, str))
		}
	case "uri":
		if u, err := url.Parse(str); err != nil || u.Scheme == "" {
			errs = append(errs, fmt.Sprintf("%s: %q is not a uri", at, str))
		}
	}
	if p, ok := s["pattern"].(string); ok && !regexp.MustCompile(p).MatchString(str) {
		errs = append(errs, fmt.Sprintf("%s: %q does not match %s", at, str, p))
	}
	if m, ok := s["maxLength"].(float64); ok && float64(len([]rune(str))) > m {
		errs = append(errs, fmt.Sprintf("%s: longer than %v", at, m))
	}
	if m, ok := s["minLength"].(float64); ok && float64(len([]rune(str))) < m {
		errs = append(errs, fmt.Sprintf("%s: shorter than %v", at, m))
	}
	return errs
}

// jsonType reports whether v (decoded with UseNumber) has JSON Schema type t.
func jsonType(t string, v any) bool {
	switch t {
	case "null":
		return v == nil
	case "string":
		_, ok := v.(string)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "number":
		_, ok := v.(json.Number)
		return ok
	case "integer":
		n, ok := v.(json.Number)
		if !ok {
			return false
		}
		_, err := n.Int64()
		return err == nil
	}
	return false
}

// TestSchemaWalker checks the walker itself finds what it must.
func TestSchemaWalker(t *testing.T) {
	d := loadSpec(t)
	run := map[string]any{"$ref": "#/components/schemas/RunReadResponse"}
	dec := func(s string) any {
		t.Helper()
		dc := json.NewDecoder(strings.NewReader(s))
		dc.UseNumber()
		var v any
		if err := dc.Decode(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	good := `{"run_id":"0b7c2f0e-8d0a-4b8e-9f6a-1c2d3e4f5a6b","application_id":"a","version_number":"1.0.0",
	"state":"PENDING","output":"NONE","termination_reason":null,"error_code":null,"error_message":null,
	"statistics":{"item_count":1,"item_pending_count":1,"item_processing_count":0,"item_user_error_count":0,
	"item_system_error_count":0,"item_skipped_count":0,"item_succeeded_count":0},
	"submitted_at":"2026-01-01T00:00:00Z","submitted_by":"me"}`
	if errs := d.validate(run, dec(good), ""); len(errs) > 0 {
		t.Fatalf("valid run rejected: %v", errs)
	}
	for name, mutate := range map[string]func(m map[string]any){
		"bad enum":         func(m map[string]any) { m["state"] = "RUNNING" },
		"missing required": func(m map[string]any) { delete(m, "statistics") },
		"null not allowed": func(m map[string]any) { m["state"] = nil },
		"wrong type":       func(m map[string]any) { m["statistics"].(map[string]any)["item_count"] = "1" },
		"not integer":      func(m map[string]any) { m["statistics"].(map[string]any)["item_count"] = json.Number("1.5") },
		"bad uuid":         func(m map[string]any) { m["run_id"] = "x" },
		"bad date-time":    func(m map[string]any) { m["submitted_at"] = "yesterday" },
		"anyOf enum":       func(m map[string]any) { m["termination_reason"] = "DONE" },
		"unknown property": func(m map[string]any) { m["status"] = "x" },
	} {
		v := dec(good).(map[string]any)
		mutate(v)
		if errs := d.validate(run, v, ""); len(errs) == 0 {
			t.Errorf("%s: accepted", name)
		}
	}
}
