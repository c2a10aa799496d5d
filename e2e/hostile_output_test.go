package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// controlBytes are what a terminal acts on: ESC, CSI as a C1 rune, BEL,
// carriage return, and a bidirectional override.
var controlBytes = []string{"\x1b", "\u009b", "\x07", "\r", "\u202e"}

// hasControl reports the first terminal control sequence in s.
func hasControl(s string) string {
	for _, c := range controlBytes {
		if strings.Contains(s, c) {
			return c
		}
	}
	return ""
}

// Strings from the server never bring terminal control characters to the
// terminal: text output, error lines and the device-flow prompt escape
// them; JSON output stays exact.
func TestServerStringsReachNoTerminal(t *testing.T) {
	t.Parallel()
	h := newHostileServer(t)
	evilName := "evil\x1b]0;owned\x07\x1b[2J"
	evilDesc := "desc \u009b31m red\r overwritten \u202etxt.exe"
	h.handle("GET /api/v1/applications", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, []any{app("evil-app", evilName, evilDesc)})
	})
	h.handle("GET /api/v1/applications/evil-app", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 404, map[string]string{"detail": "no such \x1b[5mapplication\x1b[0m \u009b2J"})
	})
	c := newHostileCLI(t, h)

	r := c.run(nil, "", "applications", "list", "-o", "text")
	if r.code != 0 {
		t.Fatalf("applications list: exit %d: %s", r.code, r.stderr)
	}
	if s := hasControl(r.stdout); s != "" {
		t.Errorf("text output carries %q to the terminal:\n%q", s, r.stdout)
	}
	if !strings.Contains(r.stdout, `evil\x1b]0;owned\x07\x1b[2J`) {
		t.Errorf("text output does not show the escaped name:\n%s", r.stdout)
	}

	r = c.run(nil, "", "applications", "list", "-o", "json")
	var apps []struct{ Name, Description string }
	if err := json.Unmarshal([]byte(r.stdout), &apps); err != nil || len(apps) != 1 || apps[0].Name != evilName || apps[0].Description != evilDesc {
		t.Errorf("JSON output is not exact: %v %q", err, r.stdout)
	}

	r = c.run(nil, "", "applications", "describe", "evil-app", "-o", "text")
	if r.code != 2 || hasControl(r.stderr) != "" {
		t.Errorf("error line: exit %d, stderr %q", r.code, r.stderr)
	}

	// The device flow's user code and URL are the server's too.
	h.handle("POST /oauth/device/code", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"device_code": "dc", "user_code": "AB\x1b[8mCD", "verification_uri": h.URL + "/activate\x1b]8;;http://evil/\x07",
			"expires_in": 30, "interval": 1})
	})
	h.handle("POST /oauth/token", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 400, map[string]string{"error": "access_denied", "error_description": "denied \x1b[2J"})
	})
	delete(c.env, "AIGNOSTICS_TOKEN_PROVIDER")
	r = c.run(nil, "", "platform", "login", "--device")
	if r.code != 4 {
		t.Errorf("denied device login: exit %d: %s", r.code, r.stderr)
	}
	if s := hasControl(r.stderr); s != "" || !strings.Contains(r.stderr, `AB\x1b[8mCD`) {
		t.Errorf("device prompt carries %q to the terminal:\n%q", s, r.stderr)
	}
}

// A list cut short by an error prints what it has, exits non-zero, and its
// JSON is not a complete document.
func TestListCutShortIsIncomplete(t *testing.T) {
	t.Parallel()
	h := newHostileServer(t)
	h.handle("GET /api/v1/runs", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("page") != "1" {
			writeJSON(w, 500, map[string]string{"detail": "database on fire"})
			return
		}
		var page []any
		for i := range pageSize(r) {
			page = append(page, run("run-"+strings.Repeat("x", i+1)))
		}
		writeJSON(w, 200, page)
	})
	c := newHostileCLI(t, h)

	r := c.run(nil, "", "runs", "list", "-o", "json", "--page-size", "5")
	if r.code != 1 {
		t.Fatalf("runs list with a failing page 2: exit %d, want 1: %s", r.code, r.stderr)
	}
	var v any
	if err := json.Unmarshal([]byte(r.stdout), &v); err == nil {
		t.Errorf("the JSON of a cut list is a complete document:\n%s", r.stdout)
	}
	if n := strings.Count(r.stdout, `"run_id"`); n != 5 {
		t.Errorf("the cut list shows %d runs, want the 5 that arrived:\n%s", n, r.stdout)
	}

	r = c.run(nil, "", "runs", "list", "-o", "text", "--page-size", "5")
	if r.code != 1 || strings.Count(r.stdout, "run-x") != 5 {
		t.Errorf("text: exit %d, stdout:\n%s", r.code, r.stdout)
	}
}
