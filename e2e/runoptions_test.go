package e2e

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/emulator/emulatortest"
)

// TestRunOptionsAndSDKMetadata: runs create writes the Python SDK's
// custom_metadata.sdk and scheduling, bad options are refused with every
// problem before any request, --no-sdk-metadata leaves the block out.
func TestRunOptionsAndSDKMetadata(t *testing.T) {
	t.Parallel()
	emu := emulatortest.StartTest(t, emulator.Options{Speed: 50, ArtifactSize: 256})
	c := newBinaryCLI(t, binary, emu)
	items := writeE2EItems(t, "opt", 2)

	r := c.run("runs", "create", "test-app", "--items", items, "--tags", "a,b", "--note", "x",
		"--due-date", "2099-01-01T00:00:00Z", "--deadline", "2099-01-02T00:00:00+01:00",
		"--gpu-type", "L4", "--gpu-provisioning-mode", "FLEX_START", "--onboard-to-aignostics-portal")
	id := strings.TrimSpace(r.stdout)
	if r.code != 0 || !uuidRE.MatchString(id) {
		t.Fatalf("runs create with options: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = c.run("runs", "describe", id, "--with-items", "-o", "json")
	if r.code != 0 {
		t.Fatalf("describe: exit %d %s", r.code, r.stderr)
	}
	var run struct {
		CustomMetadata struct {
			SDK map[string]any `json:"sdk"`
		} `json:"custom_metadata"`
		Scheduling map[string]any `json:"scheduling"`
		Items      []struct {
			CustomMetadata map[string]any `json:"custom_metadata"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &run); err != nil {
		t.Fatalf("describe json: %v\n%s", err, r.stdout)
	}
	sdk := run.CustomMetadata.SDK
	if sdk["schema_version"] != "0.0.6" || sdk["note"] != "x" || jsonText(t, sdk["tags"]) != `["a","b"]` {
		t.Errorf("run sdk: %v", sdk)
	}
	if got := jsonText(t, sdk["pipeline"]); got != `{"cpu":{"provisioning_mode":"SPOT"},"gpu":{"flex_start_max_run_duration_minutes":720,"gpu_type":"L4","max_gpus_per_slide":1,"provisioning_mode":"FLEX_START"},"node_acquisition_timeout_minutes":30}` {
		t.Errorf("pipeline: %s", got)
	}
	sub, _ := sdk["submission"].(map[string]any)
	if sub["interface"] != "cli" || sub["initiator"] != "user" || !strings.HasSuffix(sub["date"].(string), "+00:00") {
		t.Errorf("submission: %v", sub)
	}
	if u, _ := sdk["user"].(map[string]any); u["user_id"] == nil || u["organization_id"] == nil {
		t.Errorf("user: %v", sdk["user"])
	}
	if s := jsonText(t, sdk["scheduling"]); s != `{"deadline":"2099-01-02T00:00:00+01:00","due_date":"2099-01-01T00:00:00Z"}` || run.Scheduling["deadline"] != "2099-01-02T00:00:00+01:00" {
		t.Errorf("scheduling: sdk %s, request %v", s, run.Scheduling)
	}
	if w := jsonText(t, sdk["workflow"]); w != `{"onboard_to_aignostics_portal":true}` {
		t.Errorf("workflow: %s", w)
	}
	if !strings.HasPrefix(sdk["user_agent"].(string), "aignostics-go/") {
		t.Errorf("user_agent: %v", sdk["user_agent"])
	}
	if len(run.Items) != 2 {
		t.Fatalf("items: %d", len(run.Items))
	}
	for _, it := range run.Items {
		isdk, _ := it.CustomMetadata["sdk"].(map[string]any)
		if isdk["schema_version"] != "0.0.3" || isdk["created_at"] == nil {
			t.Errorf("item sdk: %v", it.CustomMetadata)
		}
	}

	// runs list finds it by tag and note, in every format; not by another tag.
	for _, format := range []string{"text", "json", "jsonl"} {
		r = c.run("runs", "list", "--tags", "a", "--note-regex", "^x$", "--state", "PENDING,PROCESSING,TERMINATED", "--since", "1h", "-o", format)
		if r.code != 0 || strings.Count(r.stdout, id) != 1 {
			t.Errorf("runs list --tags a --note-regex x -o %s: exit %d\n%s\n%s", format, r.code, r.stdout, r.stderr)
		}
	}
	if r = c.run("runs", "list", "--tags", "a,zzz", "-o", "jsonl"); r.code != 0 || strings.Contains(r.stdout, id) {
		t.Errorf("runs list --tags a,zzz: exit %d %s", r.code, r.stdout)
	}

	// Bad values: every problem, exit 2, before any request (the API root
	// is a closed port, and no token is needed).
	bad := newBinaryCLI(t, binary, emu)
	bad.env = append(bad.env, "AIGNOSTICS_API_ROOT=http://127.0.0.1:1", "AIGNOSTICS_TOKEN_PROVIDER=false")
	for _, format := range []string{"text", "json"} {
		r = bad.run("runs", "create", "test-app", "--items", items, "-o", format, "--deadline", "2020-01-01T00:00:00Z",
			"--max-gpus-per-slide", "9", "--gpu-type", "H100")
		if r.code != 2 || !strings.Contains(r.stderr, "3 problem(s) with the run options") ||
			!strings.Contains(r.stderr, "--deadline: 2020-01-01T00:00:00Z is not in the future") ||
			!strings.Contains(r.stderr, "--max-gpus-per-slide: 9: must be between 1 and 8") ||
			!strings.Contains(r.stderr, `H100`) || !strings.Contains(r.stderr, "must be one of L4, A100") {
			t.Errorf("bad options (%s): exit %d\n%s", format, r.code, r.stderr)
		}
	}
	r = bad.run("runs", "create", "test-app", "--items", items, "--no-sdk-metadata", "--note", "x")
	if r.code != 2 || !strings.Contains(r.stderr, "--note: is written into custom_metadata.sdk") {
		t.Errorf("--note with --no-sdk-metadata: exit %d %s", r.code, r.stderr)
	}

	// --no-sdk-metadata: the run carries only what was given.
	r = c.run("runs", "create", "test-app", "--items", items, "--no-sdk-metadata", "--custom-metadata", `{"sdk":{"mine":1}}`, "--due-date", "2099-01-01T00:00:00Z")
	id2 := strings.TrimSpace(r.stdout)
	if r.code != 0 {
		t.Fatalf("create --no-sdk-metadata: exit %d %s", r.code, r.stderr)
	}
	r = c.run("runs", "describe", id2, "-o", "json")
	if !strings.Contains(r.stdout, `"sdk":{"mine":1}`) || strings.Contains(r.stdout, "schema_version") || !strings.Contains(r.stdout, "2099-01-01T00:00:00Z") {
		t.Errorf("describe --no-sdk-metadata run:\n%s", r.stdout)
	}
	// dry run: the request with the sdk block, nothing sent
	r = c.run("runs", "create", "test-app", "--items", items, "--dry-run", "--tags", "dry")
	if r.code != 0 || !strings.Contains(r.stdout, `"schema_version":"0.0.6"`) || !strings.Contains(r.stdout, `"dry"`) {
		t.Errorf("dry run: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

func jsonText(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
