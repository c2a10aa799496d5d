package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestRunsCancelByFilters(t *testing.T) {
	t.Parallel()
	e := newRunsEnv(t)
	done := e.create("done", 1, "--tags", "bulk")
	e.clock.Advance(time.Minute)
	a := e.create("a", 1, "--tags", "bulk,x")
	b := e.create("b", 1, "--tags", "bulk")
	keep := e.create("keep", 1, "--tags", "other")

	// Usage: a filter or a run, never both, never neither.
	e.fails(2, []string{"at least one filter"}, "runs", "cancel")
	e.fails(2, []string{"not both"}, "runs", "cancel", a, "--tags", "bulk")
	e.fails(2, []string{"a tag is empty"}, "runs", "cancel", "--tags", "bulk,,x")

	// Dry run, in each format: the runs that would be cancelled, and the count.
	r := e.ok("-o", "jsonl", "runs", "cancel", "--tags", "bulk", "--dry-run")
	rows := jsonLines(t, r.stdout)
	got := map[string]string{}
	for _, row := range rows {
		got[row["run_id"].(string)] = row["outcome"].(string)
	}
	if len(rows) != 3 || got[done] != "already_terminated" || got[a] != "would_cancel" || got[b] != "would_cancel" {
		t.Fatalf("dry run rows: %s", r.stdout)
	}
	if !strings.Contains(r.stderr, "2 run(s) would be cancelled, 1 already terminated; nothing was sent") {
		t.Errorf("dry run summary: %q", r.stderr)
	}
	r = e.ok("-o", "json", "runs", "cancel", "--tags", "bulk,x", "--dry-run")
	var arr []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &arr); err != nil || len(arr) != 1 || arr[0]["run_id"] != a {
		t.Fatalf("json dry run with two tags: %v %s", err, r.stdout)
	}
	r = e.ok("-o", "text", "runs", "cancel", "--application-id", "test-app", "--dry-run")
	if !strings.Contains(r.stdout, "OUTCOME") || strings.Count(r.stdout, "would_cancel") != 3 {
		t.Fatalf("text dry run: %s", r.stdout)
	}

	// On a terminal the person is asked; "n" cancels nothing (exit 1).
	e.tty, e.stdin = true, true
	r = e.run("n\n", "runs", "cancel", "--tags", "bulk")
	if r.code != 1 || !strings.Contains(r.stderr, "Cancel these 2 run(s)? [y/N]") || !strings.Contains(r.stderr, a) ||
		!strings.Contains(r.stderr, "not confirmed") {
		t.Fatalf("declined: exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	if d := e.ok("-o", "json", "runs", "describe", a); strings.Contains(d.stdout, "CANCELED_BY_USER") {
		t.Fatal("declined, yet cancelled")
	}
	r = e.run("y\n", "runs", "cancel", "--tags", "bulk")
	if r.code != 0 || strings.Count(r.stdout, "cancel_requested") != 2 ||
		!strings.Contains(r.stderr, "Cancellation requested for 2 run(s); 1 already terminated.") {
		t.Fatalf("confirmed: exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	e.tty, e.stdin = false, false

	// Once more, without a terminal and without asking: all counted as terminated, exit 0.
	e.clock.Advance(time.Minute)
	r = e.ok("-o", "jsonl", "runs", "cancel", "--tags", "bulk")
	for _, row := range jsonLines(t, r.stdout) {
		if row["outcome"] != "already_terminated" {
			t.Errorf("second pass: %v", row)
		}
	}
	if d := e.ok("-o", "json", "runs", "describe", keep); strings.Contains(d.stdout, "CANCELED_BY_USER") {
		t.Error("a run without the tag was cancelled")
	}
	// The single-run form still works, and a terminated run is a conflict.
	e.fails(2, []string{"has already terminated"}, "runs", "cancel", a)
}
