package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// fieldError is one FastAPI/pydantic validation error (the spec's
// ValidationError): where, what and which input.
type fieldError struct {
	Loc   []any          `json:"loc"`
	Msg   string         `json:"msg"`
	Type  string         `json:"type"`
	Input any            `json:"input,omitempty"`
	Ctx   map[string]any `json:"ctx,omitempty"`
}

// writeJSON answers status with v encoded as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, `{"detail":"Internal Server Error"}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", fmt.Sprint(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// writeDetail answers status with FastAPI's {"detail": message}.
func writeDetail(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"detail": msg})
}

// writeInvalid answers 422 with the spec's HTTPValidationError.
func writeInvalid(w http.ResponseWriter, errs []fieldError) {
	writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"detail": errs})
}

// writeRedirect answers 307 to a signed storage URL that must not be cached.
func writeRedirect(w http.ResponseWriter, location string) {
	w.Header().Set("Location", location)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusTemporaryRedirect)
}

// missing is pydantic's error for an absent required field.
func missing(input any, loc ...any) fieldError {
	return fieldError{Loc: loc, Msg: "Field required", Type: "missing", Input: input}
}

// wrongType is pydantic's error for a value of the wrong JSON type.
func wrongType(kind string, input any, loc ...any) fieldError {
	msgs := map[string]string{
		"string_type":           "Input should be a valid string",
		"dict_type":             "Input should be a valid dictionary",
		"list_type":             "Input should be a valid list",
		"bool_parsing":          "Input should be a valid boolean, unable to interpret input",
		"int_parsing":           "Input should be a valid integer, unable to parse string as an integer",
		"model_attributes_type": "Input should be a valid dictionary or object to extract fields from",
		"datetime_from_date_parsing": "Input should be a valid datetime or date, " +
			"invalid character in year",
	}
	return fieldError{Loc: loc, Msg: msgs[kind], Type: kind, Input: input}
}

// enumError is pydantic's error for a value outside an enum.
func enumError(values []string, input any, loc ...any) fieldError {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = "'" + v + "'"
	}
	expected := strings.Join(quoted, ", ")
	if n := len(quoted); n > 1 {
		expected = strings.Join(quoted[:n-1], ", ") + " or " + quoted[n-1]
	}
	return fieldError{Loc: loc, Msg: "Input should be " + expected, Type: "enum",
		Input: input, Ctx: map[string]any{"expected": expected}}
}

// uuidError is pydantic's error for a malformed UUID.
func uuidError(input string, loc ...any) fieldError {
	return fieldError{Loc: loc, Type: "uuid_parsing", Input: input,
		Msg: "Input should be a valid UUID, invalid character: expected an optional prefix of " +
			"`urn:uuid:` followed by [0-9a-fA-F-], found an invalid character"}
}

// isUUID reports whether s is a UUID in its canonical or unhyphenated text form.
func isUUID(s string) bool {
	s = strings.TrimPrefix(strings.ToLower(s), "urn:uuid:")
	switch len(s) {
	case 36:
		for _, i := range []int{8, 13, 18, 23} {
			if s[i] != '-' {
				return false
			}
		}
		s = strings.ReplaceAll(s, "-", "")
	case 32:
	default:
		return false
	}
	if len(s) != 32 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// canonicalUUID lower-cases and hyphenates a UUID accepted by isUUID.
func canonicalUUID(s string) string {
	s = strings.ReplaceAll(strings.TrimPrefix(strings.ToLower(s), "urn:uuid:"), "-", "")
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32]
}

// pathUUID checks a UUID path parameter; on failure it answers 422.
func pathUUID(w http.ResponseWriter, name, v string) (string, bool) {
	if !isUUID(v) {
		writeInvalid(w, []fieldError{uuidError(v, "path", name)})
		return "", false
	}
	return canonicalUUID(v), true
}
