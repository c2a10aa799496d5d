package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aignostics/aignostics/checksum"
	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/emulator/emulatortest"
)

// sent counts what reaches the emulator that a dry run must not send.
func sent(emu *emulator.Emulator) int {
	n := emu.Count("create_run")
	for _, k := range []string{"put", "initiate", "part", "complete"} {
		n += emu.Count("bucket:" + k)
	}
	return n
}

// TestSubmitAndExecute: a folder of the fixture slides goes through runs
// submit --dry-run (nothing uploaded, nothing sent), runs submit (the run's
// inputs in the organization's bucket, its sdk metadata as the Python SDK's),
// and runs execute to verified results and a manifest, in each format.
func TestSubmitAndExecute(t *testing.T) {
	t.Parallel()
	emu := emulatortest.StartTest(t, emulator.Options{Speed: 1000, ArtifactSize: 1024})
	c := newCLI(t, emu)
	c.login()
	dir := slideFolder(t)

	// Dry run: the request with masked signatures; no object, no run.
	for _, format := range []string{"text", "json", "jsonl"} {
		r := c.run(nil, "", "runs", "submit", "test-app", dir, "--dry-run", "--tags", "dry", "-o", format)
		if r.code != 0 || !strings.Contains(r.stdout, `"application_id":"test-app"`) || !strings.Contains(r.stdout, "REDACTED") ||
			!strings.Contains(r.stderr, "nothing was uploaded or sent") || strings.Contains(r.stdout, "X-Amz-Signature=0") {
			t.Fatalf("dry run -o %s: exit %d\n%s\n%s", format, r.code, r.stdout, r.stderr)
		}
	}
	if n := sent(emu); n != 0 {
		t.Fatalf("dry runs sent %d upload or create requests", n)
	}

	// A platform whose health check says DOWN: nothing is sent.
	if err := emu.SetFaults("api:503"); err != nil {
		t.Fatal(err)
	}
	r0 := c.run(nil, "", "runs", "submit", "test-app", dir, "-o", "json")
	if err := emu.SetFaults(""); err != nil {
		t.Fatal(err)
	}
	if r0.code != 1 || !strings.Contains(r0.stderr, "the platform is DOWN") || !strings.Contains(r0.stderr, "--force") || sent(emu) != 0 {
		t.Fatalf("submit while DOWN: exit %d\n%s", r0.code, r0.stderr)
	}

	// Bad slides for he-tme (no tissue, disease or staining): every slide
	// named with its file, exit 2, nothing uploaded.
	r := c.run(nil, "", "runs", "submit", "he-tme", dir)
	if r.code != 2 || !strings.Contains(r.stderr, filepath.Join(dir, "aperio.svs")) || !strings.Contains(r.stderr, "problem(s) with the slides for he-tme") || sent(emu) != 0 {
		t.Fatalf("he-tme without metadata: exit %d\n%s", r.code, r.stderr)
	}

	// Submit: prints the run id; -o json prints the run.
	r = c.run(nil, "", "runs", "submit", "test-app", dir, "--tags", "a,b", "--note", "x", "-o", "json")
	var run struct {
		RunID          string `json:"run_id"`
		CustomMetadata struct {
			SDK map[string]any `json:"sdk"`
		} `json:"custom_metadata"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &run); r.code != 0 || err != nil || !uuidRE.MatchString(run.RunID) {
		t.Fatalf("submit -o json: exit %d %v\n%s\n%s", r.code, err, r.stdout, r.stderr)
	}
	if run.CustomMetadata.SDK["note"] != "x" || run.CustomMetadata.SDK["schema_version"] != "0.0.6" {
		t.Errorf("submitted run's sdk: %v", run.CustomMetadata.SDK)
	}
	if out := c.must("runs", "list", "--tags", "a", "--note-regex", "x", "-o", "jsonl"); !strings.Contains(out, run.RunID) {
		t.Errorf("runs list --tags a --note-regex x misses %s:\n%s", run.RunID, out)
	}
	items := c.must("runs", "items", run.RunID, "-o", "jsonl")
	for _, out := range []string{items, c.must("runs", "describe", run.RunID, "--with-items", "-o", "json"), c.must("runs", "results", run.RunID, "-o", "json")} {
		if regexp.MustCompile(`X-Amz-Signature=[0-9a-f]{64}`).MatchString(out) {
			t.Fatalf("a signature of an input URL is printed:\n%s", out)
		}
	}
	for _, l := range jsonLines(t, items) {
		sdk, _ := l["custom_metadata"].(map[string]any)["sdk"].(map[string]any)
		pb, _ := sdk["platform_bucket"].(map[string]any)
		if sdk["schema_version"] != "0.0.3" || pb["bucket_name"] != emu.OrgBucket() || !strings.Contains(pb["object_key"].(string), "/slides/") ||
			!strings.Contains(pb["signed_download_url"].(string), "X-Amz-Signature=REDACTED") {
			t.Errorf("item sdk: %v", sdk)
		}
	}
	puts := sent(emu)
	// A second submit of the same slides uploads nothing (content-addressed keys).
	r = c.run(nil, "", "runs", "submit", "test-app", dir)
	if r.code != 0 || !uuidRE.MatchString(strings.TrimSpace(r.stdout)) || !strings.Contains(r.stderr, "0 uploaded, 6 already in") {
		t.Fatalf("second submit: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if n := sent(emu) - puts; n != 1 {
		t.Errorf("second submit sent %d requests, want only the create", n)
	}

	// A CSV: scanned (slides scan --csv), then uploaded by slides upload,
	// which fills platform_bucket_url; submit takes the slides from there.
	csv := filepath.Join(t.TempDir(), "slides.csv")
	c.must("slides", "scan", dir, "--csv", csv, "--no-checksum") // submit computes them
	r = c.run(nil, "", "runs", "submit", "test-app", "--csv", csv)
	if r.code != 0 || !uuidRE.MatchString(strings.TrimSpace(r.stdout)) {
		t.Fatalf("submit --csv: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	c.must("slides", "upload", "--csv", csv)
	puts = sent(emu)
	r = c.run(nil, "", "runs", "submit", "test-app", "--csv", csv, "--note", "from csv")
	if r.code != 0 || strings.Contains(r.stderr, "uploaded") || sent(emu)-puts != 1 {
		t.Fatalf("submit --csv with bucket URLs: exit %d, %d requests\n%s", r.code, sent(emu)-puts, r.stderr)
	}
	csvRun := strings.TrimSpace(r.stdout)
	c.run(nil, "", "runs", "watch", csvRun, "--interval", "20ms")
	if out := c.must("runs", "items", csvRun, "--termination-reason", "SUCCEEDED", "-o", "jsonl"); len(jsonLines(t, out)) != 6 {
		t.Errorf("the run from the uploaded CSV: not 6 items succeeded:\n%s", out)
	}

	// Execute: one command from the fixture folder as it is (with its
	// files that are no slides and its cut TIFF, left out with a warning)
	// to verified results and a manifest.
	fixtures := t.TempDir()
	copyTree(t, slideFixtures, fixtures)
	for _, format := range []string{"text", "json", "jsonl"} {
		out := filepath.Join(t.TempDir(), "results")
		r = c.run(nil, "", "runs", "execute", "test-app", fixtures, "--output-dir", out, "--interval", "20ms", "-o", format)
		if r.code != 0 || !strings.Contains(r.stderr, "truncated.tiff") || !strings.Contains(r.stderr, "1 file(s) that look like slides could not be read and are left out; 5 slide(s) go on") {
			t.Fatalf("execute -o %s: exit %d\n%s\n%s", format, r.code, r.stdout, r.stderr)
		}
		runs, _ := os.ReadDir(out)
		if len(runs) != 1 {
			t.Fatalf("execute -o %s: %d run folders in %s", format, len(runs), out)
		}
		root := filepath.Join(out, runs[0].Name())
		raw, err := os.ReadFile(filepath.Join(root, "manifest.json"))
		if err != nil {
			t.Fatal(err)
		}
		var m struct {
			Items []struct {
				ExternalID        string `json:"external_id"`
				TerminationReason string `json:"termination_reason"`
				Files             []struct {
					Path   string
					Size   int64
					CRC32C string `json:"checksum_base64_crc32c"`
				} `json:"files"`
			} `json:"items"`
		}
		if err := json.Unmarshal(raw, &m); err != nil || len(m.Items) != 5 {
			t.Fatalf("manifest (%v):\n%s", err, raw)
		}
		for _, it := range m.Items {
			if it.TerminationReason != "SUCCEEDED" || len(it.Files) != 3 {
				t.Errorf("item %s: %+v", it.ExternalID, it)
			}
			for _, f := range it.Files {
				b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(f.Path)))
				if err != nil || checksum.Encode(checksum.Sum(b)) != f.CRC32C || int64(len(b)) != f.Size {
					t.Errorf("%s: not the verified file (%v)", f.Path, err)
				}
			}
		}
		switch format {
		case "text":
			if !strings.Contains(r.stdout, "downloaded: 15") || !strings.Contains(r.stderr, "submitted run") || !strings.Contains(r.stderr, "TERMINATED") {
				t.Errorf("execute text:\n%s\n%s", r.stdout, r.stderr)
			}
		case "json":
			var sum struct {
				RunID      string `json:"run_id"`
				Downloaded int    `json:"downloaded"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &sum); err != nil || sum.Downloaded != 15 || sum.RunID != runs[0].Name() {
				t.Errorf("execute json: %v\n%s", err, r.stdout)
			}
		case "jsonl":
			lines := jsonLines(t, r.stdout)
			if len(lines) < 17 || lines[0]["run_id"] != runs[0].Name() {
				t.Errorf("execute jsonl: %d lines\n%s", len(lines), r.stdout)
			}
		}
	}
}

// TestExecuteWithFailedItem: a slide the platform refuses (the emulator
// fails an item whose external id says fail-user) makes execute exit 1 as
// watch does, after the others' results are downloaded and the manifest
// records the failure; the summary counts it.
func TestExecuteWithFailedItem(t *testing.T) {
	t.Parallel()
	emu := emulatortest.StartTest(t, emulator.Options{Speed: 1000, ArtifactSize: 512})
	c := newCLI(t, emu)
	c.login()
	dir := t.TempDir()
	for _, name := range []string{"generic-pyramid.tiff", "aperio.svs"} {
		b, err := os.ReadFile(filepath.Join(slideFixtures, name))
		if err != nil {
			t.Fatal(err)
		}
		if name == "aperio.svs" {
			name = "x-fail-user.svs"
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "results")
	r := c.run(nil, "", "runs", "execute", "test-app", dir, "--output-dir", out, "--interval", "20ms", "-o", "text")
	if r.code != 1 || !strings.Contains(r.stderr, "items without results: 1 (USER_ERROR 1)") || !strings.Contains(r.stderr, "x-fail-user.svs") ||
		!strings.Contains(r.stdout, "downloaded: 3") {
		t.Fatalf("execute with a failing item: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	runs := mustReadDir(t, out)
	raw, err := os.ReadFile(filepath.Join(out, runs[0].Name(), "manifest.json"))
	if err != nil || !strings.Contains(string(raw), `"termination_reason": "USER_ERROR"`) || !strings.Contains(string(raw), `"USER_ERROR": 1`) {
		t.Fatalf("manifest (%v):\n%s", err, raw)
	}
}
