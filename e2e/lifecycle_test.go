package e2e

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/emulator/emulatortest"
)

// ok runs the binary and fails the test unless it exits 0.
func (c *binaryCLI) ok(args ...string) binaryResult {
	c.tb.Helper()
	r := c.run(args...)
	if r.code != 0 {
		c.tb.Fatalf("aignostics %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

// create submits a run of n items with extra flags and returns its id.
func (c *binaryCLI) create(t *testing.T, prefix string, n int, extra ...string) string {
	t.Helper()
	r := c.ok(append([]string{"runs", "create", "test-app", "--items", writeE2EItems(t, prefix, n)}, extra...)...)
	id := strings.TrimSpace(r.stdout)
	if !uuidRE.MatchString(id) {
		t.Fatalf("runs create: %q", r.stdout)
	}
	return id
}

func TestBulkCancelEndToEnd(t *testing.T) {
	t.Parallel()
	emu := emulatortest.StartTest(t, emulator.Options{ArtifactSize: 1024})
	c := newBinaryCLI(t, binary, emu)
	tags := func(t ...string) []string { return []string{"--tags", strings.Join(t, ",")} }
	done := c.create(t, "done", 1, tags("e2e")...)
	c.ok("runs", "cancel", done) // the single-run form: terminated at once
	a := c.create(t, "a", 2, tags("e2e", "x")...)
	b := c.create(t, "b", 1, tags("e2e")...)
	keep := c.create(t, "keep", 1, tags("other")...)

	r := c.run("runs", "cancel")
	if r.code != 2 || !strings.Contains(r.stderr, "at least one filter") {
		t.Fatalf("no filter: exit %d %s", r.code, r.stderr)
	}
	// Dry run in text, json and jsonl.
	r = c.ok("-o", "text", "runs", "cancel", "--tags", "e2e", "--dry-run")
	if strings.Count(r.stdout, "would_cancel") != 2 || strings.Count(r.stdout, "already_terminated") != 1 ||
		!strings.Contains(r.stderr, "2 run(s) would be cancelled, 1 already terminated") {
		t.Fatalf("text dry run:\n%s\n%s", r.stdout, r.stderr)
	}
	r = c.ok("-o", "json", "runs", "cancel", "--tags", "x,e2e", "--dry-run")
	var rows []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil || len(rows) != 1 || rows[0]["run_id"] != a || rows[0]["outcome"] != "would_cancel" {
		t.Fatalf("json dry run: %v %s", err, r.stdout)
	}
	// No terminal: no question; jsonl, one line per run.
	r = c.ok("-o", "jsonl", "runs", "cancel", "--tags", "e2e", "--application-id", "test-app")
	got := map[string]any{}
	for _, row := range jsonLines(t, r.stdout) {
		got[row["run_id"].(string)] = row["outcome"]
	}
	if got[a] != "cancel_requested" || got[b] != "cancel_requested" || got[done] != "already_terminated" || len(got) != 3 {
		t.Fatalf("jsonl cancel: %s", r.stdout)
	}
	r = c.ok("-o", "json", "runs", "describe", keep)
	if strings.Contains(r.stdout, "CANCELED_BY_USER") {
		t.Fatal("a run without the tag was cancelled")
	}
	r = c.ok("-o", "json", "runs", "describe", a)
	if !strings.Contains(r.stdout, "CANCELED_BY_USER") {
		t.Fatalf("run a not cancelled: %s", r.stdout)
	}
}
