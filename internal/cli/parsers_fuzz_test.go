package cli

import (
	"strings"
	"testing"
)

// FuzzSplitLine: any command line a shell hands to __complete splits
// without panicking, and words never hold an unquoted space.
func FuzzSplitLine(f *testing.F) {
	for _, s := range []string{"aignostics runs ", `aignostics --template '{{.a}} b' runs l`, `a "b\" c`, "a\\", "'", "é \x00 \t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		words, cur := splitLine(line)
		if !strings.ContainsAny(line, `'"\`) {
			for _, w := range append(words, cur) {
				if strings.ContainsAny(w, " \t") {
					t.Fatalf("word %q of %q holds a blank", w, line)
				}
			}
		}
	})
}

// FuzzDurations: --timeout and --expires values parse or fail, never
// panic, and never give a negative duration.
func FuzzDurations(f *testing.F) {
	for _, s := range []string{"30", "2.5", "7d", "1d12h", "-1d", "99999999999d", "1e308", "NaN", "Inf", "d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d, err := parseSeconds(s); err == nil && d < 0 {
			t.Fatalf("parseSeconds(%q) = %s", s, d)
		}
		if d, err := parseDays(s); err == nil && d < 0 && !strings.HasPrefix(strings.TrimSpace(s), "-") {
			t.Fatalf("parseDays(%q) = %s", s, d)
		}
	})
}
