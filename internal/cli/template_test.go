package cli

import (
	"strings"
	"testing"
	"time"
)

// TestTemplate: --template renders each object a command prints (one
// object, every element of a list, every change of a watch) from the same
// JSON as -o json, with the helpers.
func TestTemplate(t *testing.T) {
	t.Parallel()
	e := newRunsEnv(t)
	id := e.create("tpl", 2, "--custom-metadata", `{"tags":["a","b"],"note":"a rather long note"}`)

	r := e.ok("runs", "list", "--template", `{{.run_id}} {{.application_id}}:{{.version_number}} {{.state}}`)
	if strings.TrimSpace(r.stdout) != id+" test-app:1.1.0 PENDING" {
		t.Errorf("list: %q", r.stdout)
	}
	r = e.ok("runs", "describe", id, "--template", `{{join "," .custom_metadata.tags}}|{{truncate 8 .custom_metadata.note}}|{{timeago .submitted_at}}|{{json .statistics.item_count}}`)
	if r.stdout != "a,b|a rathe…|just now|2\n" {
		t.Errorf("describe: %q", r.stdout)
	}
	e.clock.Advance(30 * time.Minute)
	r = e.ok("runs", "describe", id, "--template", "{{timeago .submitted_at}}\n")
	if r.stdout != "30m ago\n" {
		t.Errorf("timeago: %q", r.stdout)
	}
	// Items: one line per element, whatever -o says.
	r = e.ok("-o", "text", "runs", "items", id, "--template", `{{.external_id}}={{.state}}`)
	if r.stdout != "tpl-0=TERMINATED\ntpl-1=TERMINATED\n" {
		t.Errorf("items: %q", r.stdout)
	}
	// color: nothing on a pipe; on a terminal the state's colour.
	r = e.ok("runs", "describe", id, "--template", `{{color .state}} {{color "bold" "x"}}`)
	if r.stdout != "TERMINATED x\n" {
		t.Errorf("color on a pipe: %q", r.stdout)
	}
	e.tty, e.color = true, true
	r = e.ok("runs", "items", id, "--template", `{{color .termination_reason}}`)
	if !strings.Contains(r.stdout, "\x1b[32mSUCCEEDED\x1b[0m") {
		t.Errorf("color on a terminal: %q", r.stdout)
	}
	r = e.ok("--no-color", "runs", "items", id, "--template", `{{color .termination_reason}}`)
	if strings.Contains(r.stdout, "\x1b") {
		t.Errorf("color with --no-color: %q", r.stdout)
	}
	e.tty, e.color = false, false
	// A broken template is a usage error before anything is sent.
	before := e.emu.Count("request")
	e.fails(2, []string{"--template"}, "runs", "create", "test-app", "--items", e.itemsFile("x", 1), "--template", "{{.run_id")
	e.fails(2, []string{"color: unknown style"}, "runs", "describe", id, "--template", `{{color "mauve" .state}}`)
	if n := e.emu.Count("create_run"); n != 1 {
		t.Errorf("runs created: %d, want 1 (the broken template sent a run)", n)
	}
	_ = before
}

func TestTimeAgo(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	for d, want := range map[time.Duration]string{0: "just now", 30 * time.Second: "30s ago", 5 * time.Minute: "5m ago", 30 * time.Hour: "30h ago", 72 * time.Hour: "3d ago", -10 * time.Minute: "in 10m"} {
		if got := timeAgo(now, now.Add(-d)); got != want {
			t.Errorf("timeAgo(-%s) = %q, want %q", d, got, want)
		}
	}
}
