package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aignostics/aignostics/checksum"
	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/emulator/emulatortest"
)

// TestCreateSignsGSInputs shows that `runs create` turns gs:// input URLs
// into V4 signed URLs that the storage accepts, and that the dry run masks
// their signatures.
func TestCreateSignsGSInputs(t *testing.T) {
	t.Parallel()
	emu := emulatortest.StartTest(t, emulator.Options{Speed: 1000, ArtifactSize: 4 << 10})
	c := newCLI(t, emu)
	c.login()
	dir := t.TempDir()
	creds := filepath.Join(dir, "sa.json")
	if err := emu.WriteCredentials(creds); err != nil {
		t.Fatal(err)
	}
	items := filepath.Join(dir, "gs.jsonl")
	line := `{"external_id":"gs-1","input_artifacts":[{"name":"whole_slide_image","download_url":"gs://aignostics-results/slides/gs-1.tiff","metadata":{"checksum_base64_crc32c":"AAAAAA==","width_px":10,"height_px":10,"resolution_mpp":0.25,"media_type":"image/tiff"}}]}` + "\n"
	if err := os.WriteFile(items, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"GOOGLE_APPLICATION_CREDENTIALS": creds, "STORAGE_EMULATOR_HOST": emu.StorageURL()}

	if r := c.run(map[string]string{"GOOGLE_APPLICATION_CREDENTIALS": ""}, "", "runs", "create", "test-app", "--items", items); r.code != 2 {
		t.Fatalf("gs:// input without credentials: exit %d, want 2: %s", r.code, r.stderr)
	}
	dry := c.run(env, "", "runs", "create", "test-app", "--items", items, "--dry-run")
	if dry.code != 0 || !strings.Contains(dry.stdout, "X-Goog-Signature=REDACTED") || !strings.Contains(dry.stderr, "signed") {
		t.Fatalf("dry run: exit %d\nstdout: %s\nstderr: %s", dry.code, dry.stdout, dry.stderr)
	}
	r := c.run(env, "", "runs", "create", "test-app", "--items", items)
	if r.code != 0 {
		t.Fatalf("create: exit %d: %s", r.code, r.stderr)
	}
	runID := strings.TrimSpace(r.stdout)
	var item struct {
		InputArtifacts []struct {
			DownloadURL string `json:"download_url"`
		} `json:"input_artifacts"`
	}
	// The command line masks the signature (a credential): read the URL
	// from the API itself.
	if out := c.must("runs", "items", runID, "-o", "jsonl"); !strings.Contains(out, "X-Goog-Signature=REDACTED") {
		t.Fatalf("runs items shows the input URL's signature: %s", out)
	}
	req, _ := http.NewRequest("GET", emu.URL()+"/api/v1/runs/"+runID+"/items", nil)
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(c.must("platform", "token")))
	resp0, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var page []json.RawMessage
	err = json.NewDecoder(resp0.Body).Decode(&page)
	resp0.Body.Close()
	if err != nil || len(page) != 1 || json.Unmarshal(page[0], &item) != nil || len(item.InputArtifacts) != 1 {
		t.Fatalf("items from the API: %v %d", err, len(page))
	}
	u := item.InputArtifacts[0].DownloadURL
	if !strings.HasPrefix(u, emu.StorageURL()+"/aignostics-results/slides/gs-1.tiff?") || !strings.Contains(u, "X-Goog-Signature=") {
		t.Fatalf("download_url was not signed for the emulator's storage: %.120s", u)
	}
	// The signature verifies: the storage answers "no such object", not "access denied".
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("GET signed input URL: %d, want 404 (signature accepted, object absent)", resp.StatusCode)
	}
}

// TestCreateSignsOrgBucketInputs: with only AIGNOSTICS_API_ROOT set and no
// service-account key, `storage sign --hmac` gives a PUT URL that uploads a
// slide, and `runs create` signs gs:// inputs in the organization's bucket
// with its HMAC keys; the emulated platform reads them: the uploaded slide
// succeeds, a missing one and one with another checksum end USER_ERROR.
func TestCreateSignsOrgBucketInputs(t *testing.T) {
	t.Parallel()
	emu := emulatortest.StartTest(t, emulator.Options{Speed: 1000, ArtifactSize: 4 << 10})
	c := newCLI(t, emu)
	c.login()
	bucket := emu.OrgBucket()
	content := []byte(strings.Repeat("slide bytes ", 1000))
	put := strings.TrimSpace(c.must("storage", "sign", "gs://"+bucket+"/e2e/slide.tiff", "--hmac", "--method", "PUT"))
	req, _ := http.NewRequest("PUT", put, bytes.NewReader(content))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("PUT: %s", resp.Status)
	}
	crc := checksum.Encode(checksum.Sum(content))
	dir := t.TempDir()
	items := filepath.Join(dir, "items.jsonl")
	var b strings.Builder
	for _, it := range [][2]string{{"good", "e2e/slide.tiff"}, {"missing", "e2e/none.tiff"}} {
		fmt.Fprintf(&b, `{"external_id":%q,"input_artifacts":[{"name":"whole_slide_image","download_url":"gs://%s/%s","metadata":{"checksum_base64_crc32c":%q,"width_px":10,"height_px":10,"resolution_mpp":0.25,"media_type":"image/tiff"}}]}`+"\n",
			it[0], bucket, it[1], crc)
	}
	fmt.Fprintf(&b, `{"external_id":"changed","input_artifacts":[{"name":"whole_slide_image","download_url":"gs://%s/e2e/slide.tiff","metadata":{"checksum_base64_crc32c":"AAAAAA==","width_px":10,"height_px":10,"resolution_mpp":0.25,"media_type":"image/tiff"}}]}`+"\n", bucket)
	if err := os.WriteFile(items, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	// The dry run shows each item's sdk.platform_bucket with its signature masked.
	dry := c.must("runs", "create", "test-app:1.0.0", "--items", items, "--dry-run")
	if !strings.Contains(dry, `"platform_bucket":{"bucket_name":"`+bucket+`","object_key":"e2e/slide.tiff","signed_download_url":"`) ||
		regexp.MustCompile(`Signature=[0-9a-f]{64}`).MatchString(dry) || !strings.Contains(dry, "REDACTED") {
		t.Fatalf("dry run with org bucket inputs:\n%s", dry)
	}
	runID := strings.TrimSpace(c.must("runs", "create", "test-app:1.0.0", "--items", items))
	c.run(nil, "", "runs", "watch", runID, "--interval", "100ms")
	if d := c.must("runs", "describe", runID, "--with-items", "-o", "json"); strings.Count(d, `"platform_bucket":{"bucket_name":"`+bucket+`"`) != 3 {
		t.Fatalf("items' sdk.platform_bucket:\n%s", d)
	}
	out := c.must("runs", "items", runID, "-o", "jsonl")
	got := map[string]string{}
	for line := range strings.SplitSeq(strings.TrimSpace(out), "\n") {
		var it struct {
			ExternalID        string `json:"external_id"`
			TerminationReason string `json:"termination_reason"`
			ErrorMessage      string `json:"error_message"`
		}
		if err := json.Unmarshal([]byte(line), &it); err != nil {
			t.Fatal(err)
		}
		got[it.ExternalID] = it.TerminationReason + " " + it.ErrorMessage
	}
	if !strings.HasPrefix(got["good"], "SUCCEEDED") || !strings.Contains(got["missing"], "USER_ERROR") ||
		!strings.Contains(got["missing"], "does not exist") || !strings.Contains(got["changed"], "has CRC32C "+crc) {
		t.Fatalf("items: %v", got)
	}
}
