package emulator

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// FuzzPlatformRequest feeds arbitrary methods, paths, queries and bodies to
// the platform: it must never panic, must answer a status the API uses, and
// every answer with a body must be JSON.
func FuzzPlatformRequest(f *testing.F) {
	seeds := []struct{ method, target, body string }{
		{"POST", "/api/v1/runs", `{"application_id":"test-app","items":[{"external_id":"a","input_artifacts":[{"name":"whole_slide_image","download_url":"https://x/y","metadata":{"width_px":1}}]}]}`},
		{"POST", "/api/v1/runs", `{"application_id":"he-tme","version_number":"1.0.0","items":[]}`},
		{"GET", "/api/v1/runs?sort=-submitted_at&custom_metadata=%24.a%20%3D%3D%20%22x%22&page_size=5", ""},
		{"GET", "/api/v1/applications?page-size=5&sort=%2Bname", ""},
		{"GET", "/api/v1/applications/test-app/versions/1.0.0-rc.1+b", ""},
		{"PUT", "/api/v1/runs/00000000-0000-4000-8000-000000000000/custom-metadata", `{"custom_metadata":{"a":[1,2]},"custom_metadata_checksum":null}`},
		{"POST", "/api/v1/access/grants", `{"resource_type":"run","resource_id":"00000000-0000-4000-8000-000000000000","subject_type":"user","subject_id":"x","relation":"viewer"}`},
		{"POST", "/api/v1/access/share-tokens", `{"expires_at":"2030-01-01T00:00:00Z"}`},
		{"GET", "/api/v1/access/grants?relation=viewer&revoked=true&page=2", ""},
		{"DELETE", "/api/v1/runs/%ZZ/artifacts", ""},
	}
	for _, s := range seeds {
		f.Add(s.method, s.target, s.body)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	fresh := func(t *testing.T) *platform { // one per input, so failures reproduce
		p := newPlatform(platformConfig{orgID: testOrg, artifactSize: 64, now: func() time.Time { return now }})
		p.principal = func(*http.Request) (principal, bool) { return principal{Subject: "u", OrgID: testOrg}, true }
		if err := p.createRuns(3, "he-tme", ""); err != nil {
			t.Fatal(err)
		}
		return p
	}
	allowed := map[int]bool{200: true, 201: true, 202: true, 307: true, 400: true, 403: true, 404: true,
		405: true, 409: true, 410: true, 412: true, 422: true}
	f.Fuzz(func(t *testing.T, method, target, body string) {
		if !strings.HasPrefix(target, "/") {
			target = "/api/v1/" + target
		}
		req, err := http.NewRequest(method, "http://emulator"+target, strings.NewReader(body))
		if err != nil {
			return
		}
		w := httptest.NewRecorder()
		fresh(t).ServeHTTP(w, req)
		if !allowed[w.Code] {
			t.Fatalf("%s %s: status %d: %s", method, target, w.Code, w.Body)
		}
		if w.Body.Len() > 0 && !json.Valid(w.Body.Bytes()) {
			t.Fatalf("%s %s: body is not JSON: %s", method, target, w.Body)
		}
	})
}
