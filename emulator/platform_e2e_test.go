package emulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aignostics/aignostics/checksum"
	"github.com/aignostics/aignostics/internal/clock"
)

// TestPlatformThroughEmulator drives the platform through the real emulator:
// bearer token, run creation, clock-driven completion, the artifact 307 and
// the signed storage URL it points to, with the bytes matching the metadata.
func TestPlatformThroughEmulator(t *testing.T) {
	clock := clock.NewFake(time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC))
	e := startTest(t, Options{Clock: clock.Clock(), ArtifactSize: 300 << 10, Seed: 3})
	token, _, err := e.IssueToken("")
	if err != nil {
		t.Fatal(err)
	}
	call := func(method, path string, body any) (*http.Response, map[string]any, []any) {
		t.Helper()
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, e.URL()+path, rd)
		req.Header.Set("Authorization", "Bearer "+token)
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		var obj map[string]any
		var list []any
		if json.Unmarshal(raw, &obj) != nil {
			_ = json.Unmarshal(raw, &list)
		}
		return res, obj, list
	}
	res, created, _ := call("POST", "/api/v1/runs", runBody("test-app", "", "slide-1"))
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %v", res.StatusCode, created)
	}
	id := created["run_id"].(string)
	if got := e.Count("create_run"); got != 1 {
		t.Errorf("Count(create_run) = %d", got)
	}
	me, body, _ := call("GET", "/api/v1/me", nil)
	org := body["organization"].(map[string]any)
	if me.StatusCode != 200 || !strings.HasPrefix(org["aignostics_bucket_name"].(string), "aignostics-org-") {
		t.Errorf("/v1/me: %d %v", me.StatusCode, body)
	}
	clock.Advance(time.Minute)
	_, _, items := call("GET", "/api/v1/runs/"+id+"/items", nil)
	if len(items) != 1 {
		t.Fatalf("items: %v", items)
	}
	art := items[0].(map[string]any)["output_artifacts"].([]any)[0].(map[string]any)
	want := art["metadata"].(map[string]any)["checksum_base64_crc32c"].(string)
	res, _, _ = call("GET", "/api/v1/runs/"+id+"/artifacts/"+art["output_artifact_id"].(string)+"/file", nil)
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusTemporaryRedirect || !strings.HasPrefix(loc, e.StorageURL()+"/aignostics-results/runs/") {
		t.Fatalf("file: %d Location %q", res.StatusCode, loc)
	}
	got, err := http.Get(loc) // no token: the signed URL is the credential
	if err != nil {
		t.Fatal(err)
	}
	defer got.Body.Close()
	h := checksum.New()
	n, err := io.Copy(h, got.Body)
	if err != nil || got.StatusCode != http.StatusOK || n != 300<<10 {
		t.Fatalf("storage: %d, %d bytes, %v", got.StatusCode, n, err)
	}
	if sum := checksum.Encode(h.Sum32()); sum != want {
		t.Errorf("downloaded CRC32C %s, metadata %s", sum, want)
	}
	if gh, ok := checksum.GoogHash(got.Header); ok && gh != want {
		t.Errorf("x-goog-hash %s, metadata %s", gh, want)
	}
	// Without a token the API refuses (emu-core's middleware in front of the platform).
	anon, err := http.Get(e.URL() + "/api/v1/runs")
	if err != nil {
		t.Fatal(err)
	}
	anon.Body.Close()
	if anon.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous list: %d", anon.StatusCode)
	}
}
