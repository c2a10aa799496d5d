package cli

import (
	"strings"
	"testing"
)

// TestCompleteUsesTheLinesAPIRoot: run ids are completed from the platform
// the line names with --api-root, not from the one of the environment
// (there, a dead address): a TAB offered another environment's runs.
func TestCompleteUsesTheLinesAPIRoot(t *testing.T) {
	e := newRunsEnv(t)
	id := e.create("tab", 1)
	root := e.root
	e.extraEnv = map[string]string{"AIGNOSTICS_API_ROOT": "http://127.0.0.1:1"}
	for _, line := range []string{
		"aignostics --api-root " + root + " runs describe ",
		"aignostics runs describe --api-root=" + root + " ",
	} {
		r := e.ok("__complete", "--line", line)
		if !strings.Contains(r.stdout, id+"\t") {
			t.Errorf("%q: %q, want run %s", line, r.stdout, id)
		}
	}
}
