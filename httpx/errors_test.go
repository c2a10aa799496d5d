package httpx

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestErrorMessage(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   string
	}{
		{"detail string", 404, `{"detail": "Run not found"}`, "Run not found"},
		{"detail list", 422, `{"detail": [{"loc": ["body", "items", 0, "external_id"], "msg": "Field required", "type": "missing"},` +
			`{"loc": ["query", "page_size"], "msg": "Input should be less than or equal to 100"}]}`,
			"body.items.0.external_id: Field required; query.page_size: Input should be less than or equal to 100"},
		{"detail list without loc", 422, `{"detail": [{"msg": "bad"}]}`, "bad"},
		{"detail object", 400, `{"detail": {"reason": "x"}}`, `{"reason":"x"}`},
		{"message", 500, `{"message": "boom"}`, "boom"},
		{"oauth", 400, `{"error": "invalid_grant", "error_description": "Unknown or invalid refresh token."}`, "invalid_grant: Unknown or invalid refresh token."},
		{"oauth code only", 401, `{"error": "access_denied"}`, "access_denied"},
		{"plain text", 502, "Bad gateway\n  from   upstream\n", "Bad gateway from upstream"},
		{"html cut at 200", 503, "<html>" + strings.Repeat("a", 300), "<html>" + strings.Repeat("a", 194) + "..."},
		{"empty", 404, "", "Not Found"},
		{"blank", 500, "  \n ", "Internal Server Error"},
		{"unknown status", 599, "", "HTTP 599"},
		{"json without message", 500, `{"foo": 1}`, `{"foo": 1}`},
		{"detail null", 500, `{"detail": null}`, `{"detail": null}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ErrorMessage(tt.status, []byte(tt.body)); got != tt.want {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestAPIErrorIs(t *testing.T) {
	all := []error{ErrNotFound, ErrForbidden, ErrInvalid, ErrUnauthorized, ErrConflict, ErrGone, ErrServer, ErrRateLimited, ErrMaybeSent}
	want := map[int]error{400: ErrInvalid, 401: ErrUnauthorized, 403: ErrForbidden, 404: ErrNotFound, 409: ErrConflict,
		410: ErrGone, 412: ErrConflict, 422: ErrInvalid, 429: ErrRateLimited, 500: ErrServer, 502: ErrServer, 503: ErrServer, 418: nil}
	for status, w := range want {
		e := error(&APIError{Method: "GET", URL: "u", StatusCode: status})
		for _, s := range all {
			if got := errors.Is(e, s); got != (s == w) {
				t.Errorf("status %d: errors.Is(%v) = %v", status, s, got)
			}
		}
	}
	e := &APIError{Method: "POST", URL: "https://h/api/v1/runs", StatusCode: 422, Message: "items: too short"}
	if e.Error() != "POST https://h/api/v1/runs: 422 Unprocessable Entity: items: too short" {
		t.Errorf("Error() = %q", e.Error())
	}
	e.Message = "Not Found"
	e.StatusCode = 404
	if e.Error() != "POST https://h/api/v1/runs: 404 Not Found" {
		t.Errorf("Error() = %q", e.Error())
	}
}

// FuzzErrorMessage feeds arbitrary error bodies to the message extractor:
// it must not panic and must return one printable line of bounded length.
func FuzzErrorMessage(f *testing.F) {
	for _, s := range []string{`{"detail": "x"}`, `{"detail": [{"loc": ["body", 0], "msg": "m"}]}`, `{"detail": [1, "a", null]}`,
		`{"error": "e", "error_description": "d"}`, "<html>", "", `{"detail": {"a": [1,2]}}`, "\xff\xfe"} {
		f.Add(500, []byte(s))
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		m := ErrorMessage(status, body)
		if m == "" {
			t.Fatal("empty message")
		}
		if strings.ContainsAny(m, "\n\r\t") {
			t.Fatalf("message spans lines: %q", m)
		}
		if !utf8.ValidString(m) {
			t.Fatalf("invalid UTF-8: %q", m)
		}
		if n := utf8.RuneCountInString(m); n > 2100 {
			t.Fatalf("message of %d runes", n)
		}
	})
}
