package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
)

// TestShareTokenReadsWithoutLogin: a share token alone (no Authorization
// header) reads the run it was granted on through the four operations that
// take the spec's share_token query parameter, and nothing else.
func TestShareTokenReadsWithoutLogin(t *testing.T) {
	e := startTest(t, Options{Speed: 1000, ArtifactSize: 64})
	access, _, err := e.IssueToken(DefaultSubject)
	if err != nil {
		t.Fatal(err)
	}
	api := e.URL() + "/api/v1"
	call := func(method, path string, body any, auth bool) (int, []byte) {
		t.Helper()
		var rd *bytes.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		} else {
			rd = bytes.NewReader(nil)
		}
		req, err := http.NewRequest(method, api+path, rd)
		if err != nil {
			t.Fatal(err)
		}
		if auth {
			req.Header.Set("Authorization", "Bearer "+access)
		}
		req.Header.Set("Content-Type", "application/json")
		code, _, b := do(t, req)
		return code, b
	}
	decode := func(b []byte) map[string]any {
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("decode %s: %v", b, err)
		}
		return m
	}
	code, b := call("POST", "/runs", map[string]any{"application_id": "test-app", "version_number": "1.0.0",
		"items": []any{map[string]any{"external_id": "a", "input_artifacts": []any{map[string]any{
			"name": "whole_slide_image", "download_url": "https://example.com/a.tiff",
			"metadata": map[string]any{"checksum_base64_crc32c": "64RKKA==", "width_px": 10, "height_px": 10,
				"resolution_mpp": 0.25, "media_type": "image/tiff"}}}}}}, true)
	if code != 201 {
		t.Fatalf("create run: %d %s", code, b)
	}
	runID := decode(b)["run_id"].(string)
	code, b = call("POST", "/access/share-tokens", map[string]any{}, true)
	if code != 201 {
		t.Fatalf("create share token: %d %s", code, b)
	}
	tok := decode(b)
	value, tokID := tok["share_token"].(string), tok["share_token_id"].(string)
	q := "?share_token=" + url.QueryEscape(value)

	// Without a grant the token opens nothing.
	if code, b = call("GET", "/runs/"+runID+q, nil, false); code != 403 {
		t.Fatalf("no grant: %d %s", code, b)
	}
	code, b = call("POST", "/access/grants", map[string]any{"resource_type": "run", "resource_id": runID,
		"subject_type": "share_token", "subject_id": tokID, "relation": "viewer"}, true)
	if code != 201 {
		t.Fatalf("grant: %d %s", code, b)
	}
	for _, path := range []string{"/runs/" + runID + q, "/runs/" + runID + "/items" + q, "/runs/" + runID + "/items/a" + q} {
		if code, b = call("GET", path, nil, false); code != 200 {
			t.Errorf("GET %s without login: %d %s", path, code, b)
		}
	}
	// Without the token, with a wrong one, or on another operation: 401 or 403.
	for _, tc := range []struct {
		method, path string
		want         int
	}{
		{"GET", "/runs/" + runID, 401},
		{"GET", "/runs/" + runID + "?share_token=", 401},
		{"GET", "/runs/" + runID + "?share_token=wrong", 403},
		{"GET", "/runs" + q, 401},
		{"POST", "/runs/" + runID + "/cancel" + q, 401},
		{"GET", "/access/share-tokens" + q, 401},
		{"PUT", "/runs/" + runID + "/custom-metadata" + q, 401},
	} {
		if code, b = call(tc.method, tc.path, nil, false); code != tc.want {
			t.Errorf("%s %s without login: %d, want %d: %s", tc.method, tc.path, code, tc.want, b)
		}
	}
	// A revoked token opens nothing any more.
	if code, b = call("DELETE", "/access/share-tokens/"+tokID, nil, true); code != 200 {
		t.Fatalf("revoke: %d %s", code, b)
	}
	if code, b = call("GET", "/runs/"+runID+q, nil, false); code != 403 {
		t.Errorf("revoked token: %d %s", code, b)
	}
}
