package plugins

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aignostics/aignostics/internal/clock"
)

// writeScript writes an executable /bin/sh script named name into dir.
func writeScript(t *testing.T, dir, name, body string) string {
	t.Helper()
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("these tests need /bin/sh")
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// countingPrelude makes a script count its runs in $COUNT_FILE and set $n
// to the number of this run.
const countingPrelude = `echo run >> "$COUNT_FILE"
n=$(wc -l < "$COUNT_FILE" | tr -d ' ')
`

// runs reads how often a counting script ran.
func runs(t *testing.T, countFile string) int {
	t.Helper()
	b, err := os.ReadFile(countFile)
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(b), "\n")
}

// countingProvider writes a counting script printing body's output and
// returns a Provider for it, the count file and the clock it uses.
func countingProvider(t *testing.T, body string) (*Provider, string, *clock.Fake) {
	t.Helper()
	dir := t.TempDir()
	script := writeScript(t, dir, "provider", countingPrelude+body)
	count := filepath.Join(dir, "count")
	clk := clock.NewFake(testNow)
	p, err := NewProvider(strconv.Quote(script), ProviderOptions{Env: []string{"COUNT_FILE=" + count}, Clock: clk.Clock()})
	if err != nil {
		t.Fatal(err)
	}
	return p, count, clk
}
