package cli

import (
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestRunsExecuteLiveLineFits: on a terminal of 80 columns every line
// execute draws in place (the run's state, then the download) fits in it.
// The run's state was written whole ("\r\x1b[K" and the long form), so at
// 80 columns it wrapped and each rewrite left a row behind.
func TestRunsExecuteLiveLineFits(t *testing.T) {
	e := newStEnv(t, 1000)
	e.terminal, e.width = true, 80
	out := filepath.Join(e.dir, "results")
	r := e.want(0, "-o", "text", "runs", "execute", "test-app", "../../testdata/slides/aperio.svs", "--output-dir", out, "--interval", "1s")
	n := 0
	for _, seg := range strings.Split(r.stderr, "\r")[1:] {
		text := strings.ReplaceAll(strings.SplitN(seg, "\n", 2)[0], "\x1b[K", "")
		if text == "" {
			continue
		}
		if strings.HasPrefix(text, "run ") || strings.Contains(text, "ok") {
			n++
		}
		if c := utf8.RuneCountInString(text); c > 79 {
			t.Errorf("a line of %d columns drawn in place on a terminal of 80: %q", c, text)
		}
	}
	if n == 0 || !strings.Contains(r.stderr, "TERMINATED") {
		t.Errorf("no status line of the run in %q", r.stderr)
	}
}
