package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPluginsList(t *testing.T) {
	t.Parallel()
	w := newPluginWorld(t)
	w.plugin("zeta", `exit 0`)
	w.plugin("alpha", `exit 0`)
	shadowing := w.plugin("version", `echo "shadowing plugin ran"`)
	// A later PATH entry with the same name loses to the first.
	later := t.TempDir()
	if err := os.WriteFile(filepath.Join(later, "aignostics-alpha"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	w.vars["PATH"] = w.bin + ":" + later

	code, stdout, stderr := w.run("", "-o", "json", "plugins", "list")
	if code != 0 {
		t.Fatalf("plugins list: exit %d, stderr %q", code, stderr)
	}
	var got []map[string]any
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("stdout is not a JSON list: %v\n%s", err, stdout)
	}
	want := []map[string]any{
		{"name": "alpha", "path": filepath.Join(w.bin, "aignostics-alpha"), "shadowed": false},
		{"name": "version", "path": shadowing, "shadowed": true},
		{"name": "zeta", "path": filepath.Join(w.bin, "aignostics-zeta"), "shadowed": false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("plugins list (-want +got):\n%s", diff)
	}
	if !strings.Contains(stderr, "warning: plugin version") || !strings.Contains(stderr, "never run") {
		t.Errorf("stderr %q does not warn about the shadowing plugin", stderr)
	}

	code, stdout, _ = w.run("", "-o", "text", "plugins", "list")
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if code != 0 || len(lines) != 4 || !strings.HasPrefix(lines[0], "NAME") || !strings.Contains(lines[2], shadowedNote) || strings.Contains(lines[3], shadowedNote) {
		t.Errorf("text table: exit %d:\n%s", code, stdout)
	}

	// The shadowing plugin is never run: the built-in command answers.
	code, stdout, _ = w.run("", "version")
	if code != 0 || strings.Contains(stdout, "shadowing plugin ran") {
		t.Errorf("version ran the shadowing plugin (exit %d)", code)
	}
}

func TestPluginsListEmpty(t *testing.T) {
	t.Parallel()
	w := newPluginWorld(t)
	code, stdout, stderr := w.run("", "-o", "text", "plugins", "list")
	if code != 0 || !strings.Contains(stderr, "no plugins found") {
		t.Errorf("exit %d, stdout %q, stderr %q; want a note on stderr", code, stdout, stderr)
	}
	code, stdout, _ = w.run("", "-o", "json", "plugins", "list")
	if code != 0 || strings.TrimSpace(stdout) != "[]" {
		t.Errorf("json: exit %d, stdout %q; want []", code, stdout)
	}
}
