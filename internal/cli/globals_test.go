package cli

import (
	"testing"
	"time"
)

func TestParseSecondsAndDays(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]time.Duration{"30": 30 * time.Second, "2.5": 2500 * time.Millisecond, "90s": 90 * time.Second, " 2m ": 2 * time.Minute} {
		if got, err := parseSeconds(in); err != nil || got != want {
			t.Errorf("parseSeconds(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	for _, in := range []string{"", "soon", "-1", "1e12", "30 s", "NaN", "Inf"} {
		if got, err := parseSeconds(in); err == nil {
			t.Errorf("parseSeconds(%q) = %s, want an error", in, got)
		}
	}
	for in, want := range map[string]time.Duration{"7d": 168 * time.Hour, "1d12h": 36 * time.Hour, "90m": 90 * time.Minute, "0d": 0} {
		if got, err := parseDays(in); err != nil || got != want {
			t.Errorf("parseDays(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	for _, in := range []string{"", "d", "7 days", "-1d", "1d-2h", "x7d", "99999999d"} {
		if got, err := parseDays(in); err == nil {
			t.Errorf("parseDays(%q) = %s, want an error", in, got)
		}
	}
	if s := Duration(7 * 24 * time.Hour).String(); s != "7d" {
		t.Errorf("7 days shown as %s", s)
	}
}
