package gcs

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestErrorCode(t *testing.T) {
	tests := []struct {
		err    error
		status int
		code   string
	}{
		{nil, 200, ""},
		{fmt.Errorf("x: %w", ErrExpired), 400, "ExpiredToken"},
		{fmt.Errorf("x: %w", ErrNotYetValid), 400, "InvalidArgument"},
		{fmt.Errorf("x: %w", ErrMalformedSignature), 400, "InvalidArgument"},
		{fmt.Errorf("x: %w", ErrSignatureMismatch), 403, "SignatureDoesNotMatch"},
		{fmt.Errorf("x: %w", ErrUnknownKey), 403, "AccessDenied"},
		{fmt.Errorf("other"), 500, "InternalError"},
	}
	for _, tt := range tests {
		if s, c := ErrorCode(tt.err); s != tt.status || c != tt.code {
			t.Errorf("ErrorCode(%v) = %d %s, want %d %s", tt.err, s, c, tt.status, tt.code)
		}
	}
	rec := httptest.NewRecorder()
	WriteXMLError(rec, http.StatusForbidden, "SignatureDoesNotMatch", "a<b")
	want := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<Error><Code>SignatureDoesNotMatch</Code><Message>a&lt;b</Message></Error>`
	if rec.Code != 403 || rec.Body.String() != want || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/xml") {
		t.Fatalf("got %d %q %q", rec.Code, rec.Body.String(), rec.Header())
	}
}
