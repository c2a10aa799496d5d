package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestApplicationsCommands(t *testing.T) {
	t.Parallel()
	e := newRunsEnv(t)
	r := e.ok("applications", "list")
	var apps []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &apps); err != nil || len(apps) != 2 {
		t.Fatalf("applications list (json when not a terminal): %v\n%s", err, r.stdout)
	}
	for _, a := range apps {
		if a["application_id"] == nil || a["latest_version"] == nil {
			t.Errorf("application without the API's fields: %v", a)
		}
	}
	r = e.ok("-o", "text", "applications", "list")
	if !strings.HasPrefix(r.stdout, "APPLICATION_ID") || !strings.Contains(r.stdout, "test-app") || !strings.Contains(r.stdout, "1.1.0") {
		t.Fatalf("text table:\n%s", r.stdout)
	}
	r = e.ok("applications", "describe", "test-app", "-o", "jsonl")
	if lines := jsonLines(t, r.stdout); len(lines) != 1 || len(lines[0]["versions"].([]any)) != 4 {
		t.Fatalf("describe -o jsonl: %s", r.stdout)
	}
	r = e.ok("-o", "text", "applications", "describe", "test-app")
	if !strings.Contains(r.stdout, "versions:") || !strings.Contains(r.stdout, "1.1.0, 1.1.0-rc.1, 1.0.0, 0.9.0") {
		t.Fatalf("describe text:\n%s", r.stdout)
	}
	e.fails(2, []string{"no-such-app"}, "applications", "describe", "no-such-app")
	r = e.fails(2, []string{`"error":"not_found"`}, "-o", "json", "applications", "describe", "no-such-app")
	if r.stdout != "" {
		t.Fatalf("stdout on error: %q", r.stdout)
	}
}

func TestVersionsCommands(t *testing.T) {
	t.Parallel()
	e := newRunsEnv(t)
	r := e.ok("versions", "list", "test-app", "-o", "jsonl")
	var numbers []string
	for _, l := range jsonLines(t, r.stdout) {
		numbers = append(numbers, l["number"].(string))
	}
	if strings.Join(numbers, " ") != "1.1.0 1.1.0-rc.1 1.0.0 0.9.0" {
		t.Fatalf("versions list: %v", numbers)
	}
	r = e.ok("versions", "latest", "test-app")
	var v map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil || v["version_number"] != "1.1.0" || v["input_artifacts"] == nil {
		t.Fatalf("versions latest: %v %s", err, r.stdout)
	}
	r = e.ok("versions", "describe", "he-tme", "1.0.0", "-o", "text")
	for _, w := range []string{"version_number:", "1.0.0", "whole_slide_image (image/tiff)", "run_summary:json (application/json, GLOBAL)"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("versions describe text lacks %q:\n%s", w, r.stdout)
		}
	}
	e.fails(2, []string{"9.9.9"}, "versions", "describe", "he-tme", "9.9.9")
	e.fails(2, []string{"nope"}, "versions", "latest", "nope")
	e.fails(2, nil, "versions", "list")
}
