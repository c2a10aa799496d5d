package cli

import (
	"testing"
	"time"
)

// A descending sort key is given as the next word, as DESIGN writes it
// (`--sort FIELD`, "-" for descending), not only as --sort=-FIELD.
func TestRunsListDescendingSortAsNextWord(t *testing.T) {
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
