package cli

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aignostics/aignostics/emulator"
)

// A descending sort key is given as the next word, as DESIGN writes it
// (`--sort FIELD`, "-" for descending), not only as --sort=-FIELD.
func TestRunsListDescendingSortAsNextWord(t *testing.T) {
	t.Parallel()
	e := newRunsEnv(t)
	var ids []string
	for _, p := range []string{"sa", "sb", "sc"} {
		ids = append(ids, e.create(p, 1))
		e.clock.Advance(time.Second)
	}
	for _, args := range [][]string{
		{"--sort", "-submitted_at"},
		{"--sort=-submitted_at"},
		{"--sort", "-submitted_at", "--sort", "run_id"},
	} {
		r := e.ok(append([]string{"runs", "list", "-o", "jsonl"}, args...)...)
		lines := jsonLines(t, r.stdout)
		if len(lines) != 3 || lines[0]["run_id"] != ids[2] || lines[2]["run_id"] != ids[0] {
			t.Fatalf("runs list %v: %v", args, lines)
		}
	}
	r := e.ok("runs", "list", "-o", "jsonl", "--sort", "+submitted_at", "--limit", "1")
	if lines := jsonLines(t, r.stdout); len(lines) != 1 || lines[0]["run_id"] != ids[0] {
		t.Fatalf("--sort +submitted_at: %v", lines)
	}
	// A flag where the key should be is still a usage error, before any request.
	before := e.emu.Count("request")
	e.fails(2, []string{"--sort", "sort key"}, "runs", "list", "--sort", "--limit", "2")
	if n := e.emu.Count("request") - before; n != 0 {
		t.Fatalf("%d requests for a bad --sort", n)
	}
}

// The SDK's filters: tags (all of them), a note regex, states, since,
// for-organization; on a terminal 50 runs unless --limit says otherwise.
func TestRunsListFilters(t *testing.T) {
	t.Parallel()
	e := newRunsEnv(t)
	old := e.create("old", 1, "--tags", "a,b", "--note", "Study X-1")
	e.clock.Advance(48 * time.Hour)
	var err error
	if e.token, _, err = e.emu.IssueToken(emulator.DefaultSubject); err != nil { // the first one expired
		t.Fatal(err)
	}
	ab := e.create("ab", 1, "--tags", "a,b", "--note", "study x-2")
	e.clock.Advance(time.Second)
	onlyA := e.create("onlya", 1, "--tags", "a", "--note", "study x-3")
	e.clock.Advance(time.Second)
	other := e.create("other", 1, "--note", "something else")
	ids := func(args ...string) []string {
		t.Helper()
		r := e.ok(append([]string{"runs", "list", "-o", "jsonl"}, args...)...)
		var out []string
		for _, l := range jsonLines(t, r.stdout) {
			out = append(out, l["run_id"].(string))
		}
		return out
	}
	same := func(what string, got []string, want ...string) {
		t.Helper()
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: got %v, want %v", what, got, want)
		}
	}
	same("--tags a,b", ids("--tags", "a,b"), ab, old)
	same("--tags a --note-regex x", ids("--tags", "a", "--note-regex", `X-\d`), onlyA, ab, old)
	same("--note-regex alone", ids("--note-regex", "^study x-[23]$"), onlyA, ab)
	same("--note-regex else", ids("--note-regex", "else"), other)
	same("--since 24h", ids("--since", "24h"), other, onlyA, ab)
	same("--since 3d --tags b", ids("--since", "3d", "--tags", "b"), ab, old)
	same("--since date", ids("--since", e.clock.Now().UTC().Format("2006-01-02")), other, onlyA, ab)
	same("--state TERMINATED", ids("--state", "terminated"), old)
	same("--state PENDING,PROCESSING", ids("--state", "PENDING,PROCESSING"), other, onlyA, ab)
	same("--for-organization", ids("--for-organization", "no-such-org"))

	e.fails(2, []string{"--state", "must be PENDING"}, "runs", "list", "--state", "DONE")
	e.fails(2, []string{"--since", "not a duration"}, "runs", "list", "--since", "yesterday")
	e.fails(2, []string{"--note-regex", "missing closing"}, "runs", "list", "--note-regex", "(")

	// On a terminal: 50 runs and a line saying how to see more; all with --limit 0.
	for i := range 52 {
		e.create(fmt.Sprintf("many%d", i), 1, "--no-sdk-metadata")
	}
	e.tty = true
	r := e.ok("runs", "list")
	if rows := strings.Count(r.stdout, "\n") - 1; rows != 50 || !strings.Contains(r.stderr, "showing the newest 50 runs; --limit 0 shows all") {
		t.Errorf("terminal list: %d rows, stderr %q", rows, r.stderr)
	}
	r = e.ok("runs", "list", "--limit", "0")
	if rows := strings.Count(r.stdout, "\n") - 1; rows != 56 || strings.Contains(r.stderr, "showing") {
		t.Errorf("--limit 0 on a terminal: %d rows, stderr %q", rows, r.stderr)
	}
	e.tty = false
	if n := len(ids()); n != 56 {
		t.Errorf("not a terminal: %d runs, want all 56", n)
	}
}
