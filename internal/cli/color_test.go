package cli

import (
	"strings"
	"testing"
	"time"
)

// TestColour: states and errors in colour on a terminal only; never on a
// pipe, with --no-color or with NO_COLOR; tables stay aligned.
func TestColour(t *testing.T) {
	t.Parallel()
	e := newRunsEnv(t)
	ok := e.create("ok", 1)
	bad := e.create("slide-fail-user", 1)
	e.clock.Advance(10 * time.Minute)
	green, red := "\x1b[32mSUCCEEDED\x1b[0m", "\x1b[31mUSER_ERROR\x1b[0m"

	e.tty, e.color = true, true
	r := e.ok("runs", "items", ok)
	if !strings.Contains(r.stdout, green) {
		t.Errorf("items on a terminal: %q", r.stdout)
	}
	lines := strings.Split(r.stdout, "\n")
	if strings.Index(lines[0], "OUTPUT") != strings.Index(stripANSI(lines[1]), "FULL") {
		t.Errorf("colour broke the alignment:\n%s", r.stdout)
	}
	r = e.ok("runs", "describe", ok)
	if !strings.Contains(r.stdout, "state:                    \x1b[33m") && !strings.Contains(r.stdout, "\x1b[32mALL_ITEMS_PROCESSED\x1b[0m") {
		t.Errorf("describe on a terminal: %q", r.stdout)
	}
	r = e.ok("runs", "items", bad)
	if !strings.Contains(r.stdout, red) {
		t.Errorf("failed item on a terminal: %q", r.stdout)
	}
	r = e.run("", "runs", "describe", "ffffffff")
	if !strings.HasPrefix(r.stderr, "\x1b[31maignostics:\x1b[0m ") {
		t.Errorf("error on a terminal: %q", r.stderr)
	}

	for name, setup := range map[string]func() []string{
		"--no-color": func() []string { return []string{"--no-color"} },
		"NO_COLOR":   func() []string { e.extraEnv = map[string]string{"NO_COLOR": "1"}; return nil },
		"a pipe":     func() []string { e.tty = false; return []string{"-o", "text"} },
	} {
		e.tty, e.extraEnv = true, nil
		pre := setup()
		r := e.ok(append(pre, "runs", "items", ok)...)
		er := e.run("", append(pre, "runs", "describe", "ffffffff")...)
		if strings.Contains(r.stdout+er.stderr, "\x1b[") {
			t.Errorf("%s: colour in %q / %q", name, r.stdout, er.stderr)
		}
	}
}

func stripANSI(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b {
			for i < len(s) && s[i] != 'm' {
				i++
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
