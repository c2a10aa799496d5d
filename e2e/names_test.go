package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/emulator/emulatortest"
)

// External ids that differ only by Unicode normalization or case (one
// folder on macOS and Windows) map to distinct folders, and the output of
// runs download records which id went where.
func TestDownloadNamesDistinctAcrossNormalizationAndCase(t *testing.T) {
	t.Parallel()
	emu := emulatortest.StartTest(t, emulator.Options{Speed: 1000, ArtifactSize: 1 << 10})
	c := newCLI(t, emu)
	c.login()
	ids := []string{"caf\u00e9", "cafe\u0301", "CAF\u00c9"}
	var b strings.Builder
	for _, id := range ids {
		fmt.Fprintf(&b, `{"external_id":%q,"input_artifacts":[{"name":"whole_slide_image","download_url":"https://example.org/x.tiff","metadata":{"checksum_base64_crc32c":"AAAAAA==","width_px":1000,"height_px":800,"resolution_mpp":0.25,"media_type":"image/tiff"}}]}`+"\n", id)
	}
	items := filepath.Join(t.TempDir(), "items.jsonl")
	if err := os.WriteFile(items, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	runID := strings.TrimSpace(c.must("runs", "create", "test-app:1.0.0", "--items", items))
	c.must("runs", "watch", runID, "--interval", "50ms", "--timeout", "1m")
	out := c.must("runs", "download", runID, t.TempDir(), "-o", "jsonl")
	folders := map[string]string{} // external id -> folder
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var f struct {
			ExternalID string `json:"external_id"`
			Path       string `json:"path"`
		}
		if json.Unmarshal([]byte(line), &f) != nil || f.Path == "" || f.ExternalID == "" {
			continue
		}
		folders[f.ExternalID] = filepath.Base(filepath.Dir(f.Path))
	}
	if len(folders) != 3 {
		t.Fatalf("download output names %d external ids, want 3:\n%s", len(folders), out)
	}
	seen := map[string]string{}
	for id, folder := range folders {
		key := strings.ToLower(strings.NewReplacer("\u00e9", "e", "\u00c9", "e", "\u0301", "").Replace(folder))
		if other, dup := seen[key]; dup {
			t.Errorf("%q and %q share the folder %q on a case- and normalization-insensitive file system", id, other, folder)
		}
		seen[key] = id
	}
}
