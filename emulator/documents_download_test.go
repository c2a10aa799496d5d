package emulator

import (
	"net/http"
	"strings"
	"testing"
)

// TestDocumentDownloads: /file redirects to a signed URL answered with
// Content-Disposition: attachment (the spec's description), /content to one
// answered with the stored Content-Type only; both serve the document.
func TestDocumentDownloads(t *testing.T) {
	e := startTest(t, Options{})
	access, _, err := e.IssueToken(DefaultSubject)
	if err != nil {
		t.Fatal(err)
	}
	base := e.URL() + "/api/v1/applications/test-app/versions/1.0.0/documents/README.md/"
	for _, tc := range []struct{ path, disposition string }{
		{"file", `attachment; filename="README.md"`},
		{"content", ""},
	} {
		code, h, _ := get(t, base+tc.path, "Authorization", "Bearer "+access)
		if code != http.StatusTemporaryRedirect || h.Get("Cache-Control") != "no-store" {
			t.Fatalf("%s: %d %v", tc.path, code, h)
		}
		code, h, body := get(t, h.Get("Location"))
		if code != http.StatusOK || !strings.HasPrefix(string(body), "# Test Application 1.0.0") {
			t.Fatalf("%s: storage answered %d %q", tc.path, code, body)
		}
		if got := h.Get("Content-Disposition"); got != tc.disposition {
			t.Errorf("%s: Content-Disposition %q, want %q", tc.path, got, tc.disposition)
		}
		if got := h.Get("Content-Type"); got != "text/markdown" {
			t.Errorf("%s: Content-Type %q", tc.path, got)
		}
	}
}
