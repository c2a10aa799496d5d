package emulator

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func appIDs(r resp) []string {
	var ids []string
	for _, a := range r.list() {
		ids = append(ids, a.(map[string]any)["application_id"].(string))
	}
	return ids
}

func TestApplicationsList(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", []string{"he-tme", "test-app"}},
		{"?sort=-application_id", []string{"test-app", "he-tme"}},
		{"?sort=%2Bapplication_id", []string{"he-tme", "test-app"}},
		{"?sort=name", []string{"he-tme", "test-app"}},
		{"?sort=-name", []string{"test-app", "he-tme"}},
		{"?sort=description", []string{"test-app", "he-tme"}},
		{"?sort=-description", []string{"he-tme", "test-app"}},
		{"?sort=regulatory_classes&sort=-application_id", []string{"test-app", "he-tme"}},
		{"?page-size=5&page=1", []string{"he-tme", "test-app"}},
		{"?page-size=5&page=2", nil},
	} {
		r := h.want(h.do("GET", "/api/v1/applications"+tc.query, nil), http.StatusOK)
		if diff := cmp.Diff(tc.want, appIDs(r)); diff != "" {
			t.Errorf("%s: ids (-want +got):\n%s", tc.query, diff)
		}
		if tc.want == nil && string(r.Body) != "[]\n" {
			t.Errorf("%s: past the last page want [], got %s", tc.query, r.Body)
		}
	}
	r := h.want(h.do("GET", "/api/v1/applications", nil), http.StatusOK)
	if got := r.str("1/latest_version/number"); got != "1.1.0" {
		t.Errorf("test-app latest = %q, want 1.1.0 (semver, not the rc)", got)
	}
}

func TestApplicationsListInvalid(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct {
		query, loc, typ string
	}{
		{"?page-size=4", "page-size", "greater_than_equal"},
		{"?page-size=101", "page-size", "less_than_equal"},
		{"?page=0", "page", "greater_than_equal"},
		{"?page=x", "page", "int_parsing"},
		{"?sort=version", "sort", "value_error"},
		{"?sort=-state", "sort", "value_error"},
	} {
		r := h.want(h.do("GET", "/api/v1/applications"+tc.query, nil), http.StatusUnprocessableEntity)
		if got := r.str("detail/0/loc/1"); got != tc.loc {
			t.Errorf("%s: loc %q, want %q", tc.query, got, tc.loc)
		}
		if got := r.str("detail/0/type"); got != tc.typ {
			t.Errorf("%s: type %q, want %q", tc.query, got, tc.typ)
		}
	}
	// page_size (underscore) is not this operation's parameter and is ignored.
	h.want(h.do("GET", "/api/v1/applications?page_size=1", nil), http.StatusOK)
	// A page far past the end is empty, even where (page-1)*size overflows.
	if r := h.want(h.do("GET", "/api/v1/applications?page=288230376151711745&page-size=64", nil), http.StatusOK); len(r.list()) != 0 {
		t.Errorf("page 2^58+1: %d applications, want none", len(r.list()))
	}
}

func TestPageBounds(t *testing.T) {
	for _, tc := range []struct{ n, page, size, lo, hi int }{
		{10, 1, 5, 0, 5}, {10, 2, 5, 5, 10}, {10, 3, 5, 10, 10}, {11, 3, 5, 10, 11}, {0, 1, 50, 0, 0},
		{10, 1<<58 + 1, 64, 10, 10}, {10, 1 << 62, 100, 10, 10},
	} {
		if lo, hi := pageBounds(tc.n, tc.page, tc.size); lo != tc.lo || hi != tc.hi {
			t.Errorf("pageBounds(%d, %d, %d) = %d, %d; want %d, %d", tc.n, tc.page, tc.size, lo, hi, tc.lo, tc.hi)
		}
	}
}

func TestApplicationAndVersions(t *testing.T) {
	h := newHarness(t)
	r := h.want(h.do("GET", "/api/v1/applications/test-app", nil), http.StatusOK)
	var versions []string
	for _, v := range r.get("versions").([]any) {
		versions = append(versions, v.(map[string]any)["number"].(string))
	}
	if diff := cmp.Diff([]string{"0.9.0", "1.0.0", "1.1.0-rc.1", "1.1.0"}, versions); diff != "" {
		t.Errorf("versions (-want +got):\n%s", diff)
	}
	h.want(h.do("GET", "/api/v1/applications/nope", nil), http.StatusNotFound)

	v := h.want(h.do("GET", "/api/v1/applications/he-tme/versions/1.2.0", nil), http.StatusOK)
	if got := v.str("input_artifacts/0/name"); got != "whole_slide_image" {
		t.Errorf("input artifact %q", got)
	}
	req := v.get("input_artifacts/0/metadata_schema/required").([]any)
	for _, f := range []string{"checksum_base64_crc32c", "width_px", "height_px", "resolution_mpp", "media_type", "specimen", "staining_method"} {
		if !containsAny(req, f) {
			t.Errorf("he-tme schema does not require %s", f)
		}
	}
	scopes := map[string]bool{}
	mimes := map[string]bool{}
	for _, o := range v.get("output_artifacts").([]any) {
		scopes[o.(map[string]any)["scope"].(string)] = true
		mimes[o.(map[string]any)["mime_type"].(string)] = true
	}
	if !scopes["ITEM"] || !scopes["GLOBAL"] {
		t.Errorf("scopes %v, want ITEM and GLOBAL", scopes)
	}
	for _, m := range []string{"image/tiff", "application/geo+json", "text/csv", "application/vnd.apache.parquet"} {
		if !mimes[m] {
			t.Errorf("he-tme outputs lack %s", m)
		}
	}
	tv := h.want(h.do("GET", "/api/v1/applications/test-app/versions/1.1.0-rc.1", nil), http.StatusOK)
	if req := tv.get("input_artifacts/0/metadata_schema/required").([]any); containsAny(req, "specimen") {
		t.Errorf("test-app must not require specimen")
	}
	h.want(h.do("GET", "/api/v1/applications/test-app/versions/9.9.9", nil), http.StatusNotFound)
	h.want(h.do("GET", "/api/v1/applications/nope/versions/1.0.0", nil), http.StatusNotFound)
	bad := h.want(h.do("GET", "/api/v1/applications/test-app/versions/1.0", nil), http.StatusUnprocessableEntity)
	if bad.str("detail/0/type") != "string_pattern_mismatch" {
		t.Errorf("bad version: %s", bad.Body)
	}
}

func containsAny(l []any, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func TestVersionDocuments(t *testing.T) {
	h := newHarness(t)
	base := "/api/v1/applications/test-app/versions/1.0.0/documents"
	l := h.want(h.do("GET", base, nil), http.StatusOK)
	if n := len(l.list()); n != 2 {
		t.Fatalf("%d public documents, want 2: %s", n, l.Body)
	}
	d := h.want(h.do("GET", base+"/README.md", nil), http.StatusOK)
	if d.str("mime_type") != "text/markdown" || d.str("visibility") != "public" {
		t.Errorf("document %s", d.Body)
	}
	for _, suffix := range []string{"/file", "/content"} {
		r := h.want(h.do("GET", base+"/README.md"+suffix, nil), http.StatusTemporaryRedirect)
		loc := r.Header.Get("Location")
		if !strings.Contains(loc, "/aignostics-results/documents/test-app/1.0.0/README.md") {
			t.Errorf("%s Location %q", suffix, loc)
		}
		if r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s Cache-Control %q", suffix, r.Header.Get("Cache-Control"))
		}
	}
	obj, ok := h.p.object(resultsBucket, "documents/test-app/1.0.0/README.md")
	if !ok || obj.Size == 0 || obj.ContentType != "text/markdown" {
		t.Fatalf("document object %+v %v", obj, ok)
	}
	for _, path := range []string{base + "/validation-report.pdf", base + "/nope", base + "/validation-report.pdf/file",
		"/api/v1/applications/test-app/versions/7.0.0/documents", "/api/v1/applications/x/versions/1.0.0/documents/README.md/content"} {
		h.want(h.do("GET", path, nil), http.StatusNotFound)
	}
	if _, ok := h.p.object(resultsBucket, "documents/test-app/1.0.0/validation-report.pdf"); ok {
		t.Error("internal document served from storage")
	}
}
