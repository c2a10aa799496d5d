package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aignostics/aignostics/checksum"
	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/emulator/emulatortest"
)

// TestDownloadManifestAndSelection: runs download writes manifest.json (every
// item's outcome and files, relative paths, sizes, checksums that match the
// bytes), counts items without results, --fail-on-missing exits 1, and
// --external-id / --artifact select.
func TestDownloadManifestAndSelection(t *testing.T) {
	t.Parallel()
	emu := emulatortest.StartTest(t, emulator.Options{Speed: 1000, ArtifactSize: 512})
	c := newBinaryCLI(t, binary, emu)
	var b strings.Builder
	for _, ext := range []string{"ok-1", "ok-2", "x-fail-user", "x-fail-system"} {
		fmt.Fprintf(&b, `{"external_id":%q,"input_artifacts":[{"name":"whole_slide_image","download_url":"https://storage.example.com/%s.tiff","metadata":{"checksum_base64_crc32c":"AAAAAA==","width_px":1000,"height_px":800,"resolution_mpp":0.25,"media_type":"image/tiff"}}]}`+"\n", ext, ext)
	}
	items := filepath.Join(t.TempDir(), "items.jsonl")
	if err := os.WriteFile(items, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	r := c.run("runs", "create", "test-app", "--items", items)
	id := strings.TrimSpace(r.stdout)
	if r.code != 0 {
		t.Fatalf("create: %d %s", r.code, r.stderr)
	}
	c.run("runs", "watch", id, "--interval", "20ms")

	dir := t.TempDir()
	r = c.run("runs", "download", id, dir, "-o", "text")
	if r.code != 0 || !strings.Contains(r.stderr, "items without results: 2 (USER_ERROR 1, SYSTEM_ERROR 1)") || !strings.Contains(r.stdout, "manifest.json") {
		t.Fatalf("download: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	var m struct {
		RunID string `json:"run_id"`
		Items []struct {
			ExternalID        string  `json:"external_id"`
			State             string  `json:"state"`
			TerminationReason string  `json:"termination_reason"`
			ErrorMessage      *string `json:"error_message"`
			Files             []struct {
				Name, Path, Status string
				Size               int64
				CRC32C             string `json:"checksum_base64_crc32c"`
			} `json:"files"`
		} `json:"items"`
		Without map[string]int `json:"items_without_results"`
	}
	raw, err := os.ReadFile(filepath.Join(dir, id, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if m.RunID != id || len(m.Items) != 4 || m.Without["USER_ERROR"] != 1 || m.Without["SYSTEM_ERROR"] != 1 {
		t.Fatalf("manifest:\n%s", raw)
	}
	nfiles := 0
	for _, it := range m.Items {
		switch {
		case strings.HasPrefix(it.ExternalID, "ok-"):
			if it.TerminationReason != "SUCCEEDED" || len(it.Files) != 3 {
				t.Errorf("item %s: %+v", it.ExternalID, it)
			}
		default:
			if it.TerminationReason == "SUCCEEDED" || it.ErrorMessage == nil || len(it.Files) != 0 {
				t.Errorf("failed item %s: %+v", it.ExternalID, it)
			}
		}
		for _, f := range it.Files {
			nfiles++
			if filepath.IsAbs(f.Path) || strings.Contains(f.Path, "..") {
				t.Errorf("path not relative: %s", f.Path)
			}
			data, err := os.ReadFile(filepath.Join(dir, id, filepath.FromSlash(f.Path)))
			if err != nil || int64(len(data)) != f.Size || checksum.Encode(checksum.Sum(data)) != f.CRC32C {
				t.Errorf("%s: size %d crc %s, manifest says %d %s (%v)", f.Path, len(data), checksum.Encode(checksum.Sum(data)), f.Size, f.CRC32C, err)
			}
		}
	}
	if nfiles != 6 {
		t.Errorf("%d files in the manifest, want 6", nfiles)
	}

	// --fail-on-missing: the same download (all present) exits 1, in json too.
	r = c.run("runs", "download", id, dir, "--fail-on-missing", "-o", "json")
	if r.code != 1 || !strings.Contains(r.stderr, "items without results: 2 (USER_ERROR 1, SYSTEM_ERROR 1)") || !strings.Contains(r.stdout, `"items_without_results"`) {
		t.Errorf("--fail-on-missing: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}

	// Selection: one item, one artifact; the manifest says what was selected.
	sel := t.TempDir()
	r = c.run("runs", "download", id, sel, "--external-id", "ok-2", "--artifact", "readout:csv", "-o", "jsonl", "--fail-on-missing")
	if r.code != 0 {
		t.Fatalf("selective download: exit %d %s", r.code, r.stderr)
	}
	got := countFiles(t, filepath.Join(sel, id))
	if got != 1 || !strings.Contains(r.stdout, `"name":"readout:csv"`) {
		t.Errorf("selective download: %d files\n%s", got, r.stdout)
	}
	raw, _ = os.ReadFile(filepath.Join(sel, id, "manifest.json"))
	if !strings.Contains(string(raw), `"selected_external_ids": [`) || strings.Contains(string(raw), "ok-1") {
		t.Errorf("selective manifest:\n%s", raw)
	}
	r = c.run("runs", "download", id, sel, "--external-id", "nope")
	if r.code != 2 || !strings.Contains(r.stderr, "nope") {
		t.Errorf("unknown external id: exit %d %s", r.code, r.stderr)
	}
	r = c.run("runs", "download", id, sel, "--artifact", "readout")
	if r.code != 2 || !strings.Contains(r.stderr, "no output artifact of this name") || !strings.Contains(r.stderr, "readout:csv") {
		t.Errorf("unknown artifact: exit %d %s", r.code, r.stderr)
	}
}
