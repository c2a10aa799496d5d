package httpx

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxErrorBody bounds how much of an error answer is read.
const maxErrorBody = 64 << 10

// newAPIError reads (a bounded part of) resp's body, closes it, and
// returns the APIError for it.
func newAPIError(method, rawURL string, resp *http.Response) *APIError {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	resp.Body.Close()
	// A server may echo the credential it was sent (an opaque token is not
	// shaped like anything Redact knows): mask the one that was sent.
	var sent string
	if resp.Request != nil {
		_, sent, _ = strings.Cut(resp.Request.Header.Get("Authorization"), " ")
	}
	return &APIError{Method: method, URL: Redact(rawURL), StatusCode: resp.StatusCode,
		Message: Redact(RedactValues(ErrorMessage(resp.StatusCode, body), sent))}
}

// ErrorMessage extracts the server's message from an error body: FastAPI's
// {"detail": "..."}, the 422 list {"detail": [{"loc": [...], "msg": ...}]}
// rendered "loc.path: msg; ...", {"message": ...}, OAuth's {"error",
// "error_description"}; otherwise the body's first 200 characters on one
// line, or the status text when the body is empty.
func ErrorMessage(status int, body []byte) string {
	if m := jsonMessage(body); m != "" {
		return m
	}
	if m := oneLine(string(body), 200); m != "" {
		return m
	}
	if t := http.StatusText(status); t != "" {
		return t
	}
	return "HTTP " + strconv.Itoa(status)
}

// jsonMessage returns the message of a JSON error body, "" if none.
func jsonMessage(body []byte) string {
	var doc map[string]json.RawMessage
	if json.Unmarshal(body, &doc) != nil {
		return ""
	}
	if raw, ok := doc["detail"]; ok {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return oneLine(s, 1000)
		}
		var items []struct {
			Loc []any  `json:"loc"`
			Msg string `json:"msg"`
		}
		if json.Unmarshal(raw, &items) == nil && len(items) > 0 {
			parts := make([]string, 0, len(items))
			for _, it := range items {
				parts = append(parts, validationItem(it.Loc, it.Msg))
			}
			return oneLine(strings.Join(parts, "; "), 2000)
		}
		var buf bytes.Buffer
		if json.Compact(&buf, raw) == nil && buf.String() != "null" {
			return oneLine(buf.String(), 200)
		}
	}
	var s string
	if raw, ok := doc["message"]; ok && json.Unmarshal(raw, &s) == nil && s != "" {
		return oneLine(s, 1000)
	}
	var code, desc string
	if raw, ok := doc["error"]; ok && json.Unmarshal(raw, &code) == nil && code != "" {
		if raw, ok := doc["error_description"]; ok && json.Unmarshal(raw, &desc) == nil && desc != "" {
			return oneLine(code+": "+desc, 1000)
		}
		return oneLine(code, 200)
	}
	return ""
}

// validationItem renders one FastAPI validation error as "a.b.0: msg".
func validationItem(loc []any, msg string) string {
	path := make([]string, 0, len(loc))
	for _, p := range loc {
		switch v := p.(type) {
		case string:
			path = append(path, v)
		case float64:
			path = append(path, strconv.FormatFloat(v, 'f', -1, 64))
		default:
			path = append(path, fmt.Sprint(v))
		}
	}
	if msg == "" {
		msg = "invalid"
	}
	if len(path) == 0 {
		return msg
	}
	return strings.Join(path, ".") + ": " + msg
}

// oneLine collapses whitespace and control characters to single spaces and
// keeps at most max runes (adding "..." when cut).
func oneLine(s string, max int) string {
	var b strings.Builder
	space, n := false, 0
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsSpace(r) || unicode.IsControl(r) {
			space = b.Len() > 0
			continue
		}
		if n >= max {
			b.WriteString("...")
			return b.String()
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}
