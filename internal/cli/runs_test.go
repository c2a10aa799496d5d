package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aignostics/aignostics/resources"
)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func TestRunsCreate(t *testing.T) {
	t.Parallel()
	e := newRunsEnv(t)
	id := e.create("a", 2)
	if !uuidRE.MatchString(id) {
		t.Fatalf("runs create printed %q, want a bare run id", id)
	}
	// Explicit JSON: {"run_id": ...}; the version is resolved and sent.
	r := e.ok("runs", "create", "test-app:1.0.0", "--items", e.itemsFile("b", 1), "--custom-metadata", `{"study":"s9"}`, "-o", "json")
	var created map[string]string
	if err := json.Unmarshal([]byte(r.stdout), &created); err != nil || !uuidRE.MatchString(created["run_id"]) {
		t.Fatalf("runs create -o json: %v %q", err, r.stdout)
	}
	r = e.ok("runs", "describe", created["run_id"])
	var d map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
		t.Fatal(err)
	}
	if d["version_number"] != "1.0.0" || d["custom_metadata"].(map[string]any)["study"] != "s9" {
		t.Fatalf("created run: %v", d)
	}
	r = e.ok("runs", "describe", id)
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil || d["version_number"] != "1.1.0" {
		t.Fatalf("run created without a version: %v (want the highest, 1.1.0)", d["version_number"])
	}
	// Items from stdin.
	data, err := os.ReadFile(e.itemsFile("c", 1))
	if err != nil {
		t.Fatal(err)
	}
	r = e.run(string(data), "runs", "create", "test-app", "--items", "-")
	if r.code != 0 || !uuidRE.MatchString(strings.TrimSpace(r.stdout)) {
		t.Fatalf("items from stdin: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
	if n := e.emu.Count("create_run"); n != 3 {
		t.Fatalf("%d runs created, want 3", n)
	}
	if strings.Contains(r.stderr, "runs watch") {
		t.Errorf("a script was told the next step: %q", r.stderr)
	}
	// At a terminal: the id on stdout, the next command on stderr.
	e.tty = true
	r = e.ok("runs", "create", "test-app", "--items", e.itemsFile("d", 1))
	if id := strings.TrimSpace(r.stdout); !uuidRE.MatchString(id) || !strings.Contains(r.stderr, "aignostics runs watch "+id) {
		t.Errorf("at a terminal: stdout %q, stderr %q", r.stdout, r.stderr)
	}
}

func TestRunsCreateDryRun(t *testing.T) {
	t.Parallel()
	e := newRunsEnv(t)
	// he-tme needs a specimen: a dry run still validates.
	e.fails(2, []string{"specimen"}, "runs", "create", "he-tme:1.0.0", "--items", e.itemsFile("d", 2), "--dry-run")
	t.Run("valid", func(t *testing.T) {
		r := e.ok("runs", "create", "test-app", "--items", e.itemsFile("d", 2), "--dry-run", "-o", "jsonl")
		var req map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &req); err != nil {
			t.Fatalf("dry run output: %v %q", err, r.stdout)
		}
		if req["application_id"] != "test-app" || req["version_number"] != "1.1.0" || len(req["items"].([]any)) != 2 {
			t.Fatalf("dry run request: %v", req)
		}
	})
	if n := e.emu.Count("create_run"); n != 0 {
		t.Fatalf("dry run sent %d creates", n)
	}
}

func TestRunsCreateRefusesBadInput(t *testing.T) {
	t.Parallel()
	e := newRunsEnv(t)
	bad := filepath.Join(e.dir, "bad.jsonl")
	lines := []string{
		`{"external_id":"x","input_artifacts":[{"name":"whole_slide_image","download_url":"https://s/x","metadata":{"checksum_base64_crc32c":"AAAAAA==","width_px":0,"height_px":8,"resolution_mpp":0.25,"media_type":"image/tiff"}}]}`,
		`{"external_id":"x","input_artifacts":[{"name":"wsi","download_url":"https://s/y","metadata":{}}]}`,
	}
	if err := os.WriteFile(bad, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(e.dir, "broken.jsonl")
	if err := os.WriteFile(broken, []byte(lines[0]+"\n{oops\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Every problem at once, with index and external id; nothing sent.
	e.fails(2, []string{
		`item 0 (external_id "x"): input artifact "whole_slide_image": metadata /width_px`,
		`item 1 (external_id "x"): duplicate external_id`,
		`item 1 (external_id "x"): input artifact "wsi": not an input artifact`,
		`item 1 (external_id "x"): input artifact "whole_slide_image": missing`,
		"nothing was sent",
	}, "-o", "text", "runs", "create", "test-app", "--items", bad)
	e.fails(2, []string{`"error":"invalid"`, "duplicate external_id"}, "-o", "json", "runs", "create", "test-app", "--items", bad)
	e.fails(2, []string{"line 2", "item 1"}, "runs", "create", "test-app", "--items", broken)
	e.fails(2, []string{"no-such-file"}, "runs", "create", "test-app", "--items", filepath.Join(e.dir, "no-such-file"))
	e.fails(2, []string{"test-app:"}, "runs", "create", "test-app:", "--items", bad)
	e.fails(2, []string{"9.9.9"}, "runs", "create", "test-app:9.9.9", "--items", e.itemsFile("ok", 1))
	e.fails(2, []string{"nope"}, "runs", "create", "nope", "--items", e.itemsFile("ok", 1))
	e.fails(2, []string{"--custom-metadata"}, "runs", "create", "test-app", "--items", e.itemsFile("ok", 1), "--custom-metadata", "[1]")
	e.fails(2, nil, "runs", "create", "test-app")
	if n := e.emu.Count("create_run"); n != 0 {
		t.Fatalf("%d creates reached the emulator", n)
	}
}

func TestRunsList(t *testing.T) {
	t.Parallel()
	e := newRunsEnv(t)
	var ids []string
	for i := range 7 {
		ids = append(ids, e.create("l"+string(rune('a'+i)), 1))
		e.clock.Advance(time.Second)
	}
	if old := e.create("old", 1, "-o", "text"); !uuidRE.MatchString(old) { // bare id in text too
		t.Fatalf("runs create -o text printed %q", old)
	}
	r := e.ok("runs", "list", "-o", "jsonl", "--page-size", "5")
	lines := jsonLines(t, r.stdout)
	if len(lines) != 8 {
		t.Fatalf("%d runs listed, want 8", len(lines))
	}
	for i, l := range lines[1:] { // newest first
		if l["run_id"] != ids[len(ids)-1-i] {
			t.Fatalf("line %d: %v, want run %s", i+1, l["run_id"], ids[len(ids)-1-i])
		}
	}
	r = e.ok("runs", "list", "-o", "jsonl", "--sort=+submitted_at", "--limit", "3")
	lines = jsonLines(t, r.stdout)
	if len(lines) != 3 || lines[0]["run_id"] != ids[0] {
		t.Fatalf("--sort=+submitted_at --limit 3: %v", lines)
	}
	r = e.ok("runs", "list", "--external-id", "ld-0")
	var arr []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &arr); err != nil || len(arr) != 1 || arr[0]["run_id"] != ids[3] {
		t.Fatalf("--external-id: %v %s", err, r.stdout)
	}
	r = e.ok("runs", "list", "--application-id", "he-tme")
	if strings.TrimSpace(r.stdout) != "[]" {
		t.Fatalf("no runs: %q", r.stdout)
	}
	r = e.ok("-o", "text", "runs", "list", "--application-version", "1.1.0", "--limit", "2")
	if n := strings.Count(r.stdout, "\n"); !strings.HasPrefix(r.stdout, "RUN_ID") || n != 3 {
		t.Fatalf("text with --limit 2:\n%s", r.stdout)
	}
	before := e.emu.Count("request")
	e.fails(2, []string{"--page-size 4"}, "runs", "list", "--page-size", "4")
	e.fails(2, []string{"--page-size 101"}, "runs", "list", "--page-size", "101")
	if n := e.emu.Count("request") - before; n != 0 {
		t.Fatalf("bad page sizes sent %d requests", n)
	}
	e.fails(2, []string{`"error":"invalid"`}, "-o", "json", "runs", "list", "--sort", "colour")
}

func TestRunsDescribeItemsResults(t *testing.T) {
	t.Parallel()
	e := newRunsEnv(t)
	id := e.create("it", 3)
	e.clock.Advance(time.Hour)
	r := e.ok("runs", "describe", id, "--with-items", "-o", "json")
	var d struct {
		RunID string           `json:"run_id"`
		State string           `json:"state"`
		Items []map[string]any `json:"items"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil || d.RunID != id || d.State != "TERMINATED" || len(d.Items) != 3 {
		t.Fatalf("describe --with-items: %v %s", err, r.stdout)
	}
	for _, tty := range []bool{false, true} {
		e.tty = tty
		for _, format := range []string{"json", "jsonl"} {
			r := e.ok("runs", "describe", id, "--with-items", "-o", format)
			d.Items = nil
			if err := json.Unmarshal([]byte(r.stdout), &d); err != nil || d.RunID != id || len(d.Items) != 3 {
				t.Fatalf("describe --with-items -o %s (terminal %v): %v %s", format, tty, err, r.stdout)
			}
			if lines := strings.Count(r.stdout, "\n"); (format == "jsonl" || !tty) && lines != 1 {
				t.Fatalf("describe --with-items -o %s (terminal %v): %d lines, want 1", format, tty, lines)
			}
		}
	}
	e.tty = false
	r = e.ok("-o", "text", "runs", "describe", id, "--with-items")
	for _, w := range []string{"run_id:", id, "state:", "TERMINATED", "ITEM_ID", "it-2", "SUCCEEDED"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("describe text lacks %q:\n%s", w, r.stdout)
		}
	}
	missing := "00000000-0000-4000-8000-000000000000"
	e.fails(2, []string{missing}, "runs", "describe", missing)
	e.fails(2, []string{missing}, "runs", "items", missing)

	r = e.ok("runs", "items", id, "-o", "jsonl", "--state", "TERMINATED", "--termination-reason", "SUCCEEDED")
	if n := len(jsonLines(t, r.stdout)); n != 3 {
		t.Fatalf("items: %d lines", n)
	}
	r = e.ok("runs", "items", id, "-o", "jsonl", "--termination-reason", "USER_ERROR")
	if r.stdout != "" {
		t.Fatalf("USER_ERROR items: %q", r.stdout)
	}
	r = e.ok("runs", "results", id, "-o", "jsonl", "--external-id", "it-0", "--external-id", "it-2")
	lines := jsonLines(t, r.stdout)
	if len(lines) != 2 || len(lines[0]["output_artifacts"].([]any)) != 3 {
		t.Fatalf("results -o jsonl: %s", r.stdout)
	}
	itemID := lines[0]["item_id"].(string)
	r = e.ok("-o", "text", "runs", "results", id, "--item-id", itemID)
	rows := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(rows) != 4 || !strings.HasPrefix(rows[0], "EXTERNAL_ID") || !strings.Contains(r.stdout, "tissue_qc:tiff_heatmap") || !strings.Contains(r.stdout, "AVAILABLE") {
		t.Fatalf("results text: one row per output artifact expected:\n%s", r.stdout)
	}
}

func TestRunsCancelAndDeleteArtifacts(t *testing.T) {
	t.Parallel()
	e := newRunsEnv(t)
	id := e.create("cx", 2)
	before := e.emu.Count("request")
	e.fails(2, []string{"not terminated"}, "runs", "delete-artifacts", id)
	if n := e.emu.Count("request") - before; n != 1 {
		t.Fatalf("delete-artifacts of a running run sent %d requests, want 1 (details)", n)
	}
	r := e.ok("runs", "cancel", id, "-o", "text")
	if !strings.Contains(r.stdout, id) {
		t.Fatalf("cancel output: %q", r.stdout)
	}
	e.clock.Advance(time.Minute)
	e.fails(2, []string{"already terminated", id}, "runs", "cancel", id)
	e.fails(2, []string{`"error":"conflict"`}, "runs", "cancel", id, "-o", "json")
	// On a terminal the command asks; anything but yes deletes nothing.
	e.tty, e.stdin = true, true
	before = e.emu.Count("request")
	r = e.run("n\n", "runs", "delete-artifacts", id)
	if r.code != 1 || !strings.Contains(r.stderr, "Delete every output artifact of run "+id+"? They cannot be downloaded again. [y/N]") || !strings.Contains(r.stderr, "nothing deleted") {
		t.Fatalf("declined: exit %d, stderr %q", r.code, r.stderr)
	}
	if n := e.emu.Count("request") - before; n != 0 {
		t.Fatalf("declined delete-artifacts sent %d requests", n)
	}
	r = e.run("yes\n", "runs", "delete-artifacts", id, "-o", "json")
	e.tty, e.stdin = false, false
	if r.code != 0 || !strings.Contains(r.stdout, `"artifacts_deleted"`) {
		t.Fatalf("delete-artifacts -o json after yes: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
	// --yes, or no terminal: nobody is asked.
	r = e.ok("runs", "delete-artifacts", id, "--yes")
	if strings.Contains(r.stderr, "[y/N]") {
		t.Fatalf("--yes asked: %q", r.stderr)
	}
	e.fails(2, []string{"00000000-0000-4000-8000-000000000001"}, "runs", "cancel", "00000000-0000-4000-8000-000000000001")
}

func TestRunsUpdateMetadata(t *testing.T) {
	t.Parallel()
	e := newRunsEnv(t)
	id := e.create("md", 1, "--custom-metadata", `{"v":1}`)
	r := e.ok("runs", "update-metadata", id, `{"v":2,"note":"x"}`, "-o", "json")
	if !strings.Contains(r.stdout, "custom_metadata_checksum") {
		t.Fatalf("update-metadata output: %q", r.stdout)
	}
	r = e.ok("runs", "describe", id)
	if !strings.Contains(r.stdout, `"note": "x"`) && !strings.Contains(r.stdout, `"note":"x"`) {
		t.Fatalf("metadata not updated: %s", r.stdout)
	}
	e.fails(2, []string{"JSON object"}, "runs", "update-metadata", id, `not json`)

	// Someone else changes the metadata between our read and our write: 412.
	target, err := url.Parse(e.emu.URL())
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	var edits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "PUT" {
			body := strings.NewReader(fmt.Sprintf(`{"custom_metadata":{"by":"someone else","edit":%d}}`, edits.Add(1)))
			req, _ := http.NewRequest("PUT", e.emu.URL()+r.URL.Path, body)
			req.Header.Set("Authorization", r.Header.Get("Authorization"))
			req.Header.Set("Content-Type", "application/json")
			if resp, err := http.DefaultClient.Do(req); err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}
		proxy.ServeHTTP(w, r)
	}))
	defer srv.Close()
	e.root = srv.URL
	e.fails(2, []string{"changed", id}, "runs", "update-metadata", id, `{"v":3}`)
	e.fails(2, []string{`"error":"conflict"`}, "-o", "jsonl", "runs", "update-metadata", id, `{"v":3}`)
}

func TestWriteRunWithItemsWithoutItems(t *testing.T) {
	t.Parallel()
	none := func(yield func(resources.ItemResultReadResponse, error) bool) {}
	for _, indent := range []bool{false, true} {
		var b strings.Builder
		o := &Output{w: &b, format: FormatJSON, indent: indent}
		if err := writeRunWithItems(o, resources.RunReadResponse{RunID: "r"}, none); err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(b.String()), &m); err != nil {
			t.Fatalf("indent %v: %v\n%s", indent, err, b.String())
		}
		if items, ok := m["items"].([]any); !ok || len(items) != 0 || m["run_id"] != "r" {
			t.Fatalf("indent %v: %v", indent, m)
		}
	}
}

func TestRunsCommandsNeedAToken(t *testing.T) {
	t.Parallel()
	e := newRunsEnv(t)
	good := e.token
	e.token = "" // no token source and an empty cache, not on a terminal
	before := e.emu.Count("request")
	e.fails(4, []string{"platform login"}, "runs", "list")
	e.fails(4, []string{`"error":"auth"`}, "applications", "list", "-o", "json")
	if n := e.emu.Count("request") - before; n != 0 {
		t.Fatalf("%d requests without a token", n)
	}
	e.token = "not-a-token"
	e.fails(4, []string{"401"}, "runs", "list")
	e.token = good
	e.ok("runs", "list")
}
