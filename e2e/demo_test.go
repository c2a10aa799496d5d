package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDemo runs `aignostics demo` as the README's first command does: it
// must exit 0, print the results folder, leave the user's own token cache
// alone, and name the real-platform command of each step.
func TestDemo(t *testing.T) {
	t.Parallel()
	c := newCLI(t, nil)
	dir := filepath.Join(t.TempDir(), "results")
	r := c.run(nil, "", "demo", "--dir", dir)
	if r.code != 0 {
		t.Fatalf("demo: exit %d\n%s", r.code, r.stderr)
	}
	results := strings.TrimSpace(r.stdout)
	if !strings.HasPrefix(results, dir+string(filepath.Separator)) {
		t.Fatalf("demo printed %q, want a folder under %s", results, dir)
	}
	if n := countFiles(t, results); n != 9 {
		t.Fatalf("%d result files in %s, want 3 slides x 3 artifacts", n, results)
	}
	for _, want := range []string{"platform login --device", "applications list", "runs create", "runs watch", "runs download", "on the real platform: aignostics runs download RUN ./results", "each CRC32C-verified"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("demo narrative lacks %q", want)
		}
	}
	if _, err := os.Stat(filepath.Join(c.home, "cache")); !os.IsNotExist(err) {
		t.Errorf("the demo touched the user's token cache (%v)", err)
	}
	// The last hint names a command that works from here: this binary.
	if !strings.Contains(r.stderr, "To try the emulator yourself: "+binary+" emulator") {
		t.Errorf("last hint: %q", r.stderr[strings.LastIndex(r.stderr, "Items file"):])
	}
	// A second demo makes other run ids: its results do not mix with the first's.
	r2 := c.run(nil, "", "demo", "--dir", dir)
	if second := strings.TrimSpace(r2.stdout); r2.code != 0 || second == results {
		t.Errorf("second demo: exit %d, results %q (first %q)", r2.code, second, results)
	}
}
