package cli

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aignostics/aignostics/resources"
)

// TestTransferLines: done/total, bytes of total, rate and time left, from
// the longest form to the shortest.
func TestTransferLines(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	tr := transfer{verb: "downloading", unit: "files", start: start, done: 3, total: 9, bytes: 10 << 20, bytesTotal: 30 << 20, failed: 1}
	got := tr.lines(start.Add(10 * time.Second))
	want := []string{
		"downloading 3/9 files, 10.0 MiB of 30.0 MiB, 1.0 MiB/s, ETA 20s, 1 failed",
		"3/9 files, 10.0 MiB of 30.0 MiB, 1.0 MiB/s, ETA 20s, 1 failed",
		"3/9 files, ETA 20s, 1 failed",
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("lines\n%q\nwant\n%q", got, want)
	}
	tr.note = "waiting for 2 item(s) to finish"
	if got := tr.lines(start.Add(10 * time.Second)); !strings.HasSuffix(got[0], "; waiting for 2 item(s) to finish") || len(got) != 4 {
		t.Errorf("with a note: %q", got)
	}
	for d, want := range map[time.Duration]string{45 * time.Second: "45s", 190 * time.Second: "3m10s", 125 * time.Minute: "2h05m"} {
		if got := shortDuration(d); got != want {
			t.Errorf("shortDuration(%s) = %s, want %s", d, got, want)
		}
	}
}

func TestFitLine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		width int
		in    []string
		want  string
	}{
		{0, []string{"a long line", "short"}, "a long line"},
		{12, []string{"a long line", "short"}, "a long line"},
		{11, []string{"a long line", "short"}, "short"},
		{5, []string{"a long line", "shorter"}, "sho…"},
		{30, []string{"evil\x1b]0;title\x07"}, `evil\x1b]0;title\x07`},
	} {
		if got := fitLine(tc.width, tc.in...); got != tc.want {
			t.Errorf("fitLine(%d, %q) = %q, want %q", tc.width, tc.in, got, tc.want)
		}
	}
}

// TestRunsWatchLiveLineFits: at 80 columns (and at 40) every rewrite of
// the watch line fits the terminal, while the run moves through its states.
func TestRunsWatchLiveLineFits(t *testing.T) {
	t.Parallel()
	e := newRunsEnv(t)
	id := e.create("a-rather-long-external-id-for-a-slide", 6)
	e.tty = true
	for _, width := range []int{80, 40} {
		e.width = width
		r := e.ok("runs", "watch", id, "--interval", "1s")
		checkLiveLines(t, r.stdout, width)
		if strings.Count(r.stdout, "\n") != 1 || !strings.Contains(r.stdout, "TERMINATED") {
			t.Errorf("width %d: %q", width, r.stdout)
		}
	}
	// Every form of the status line is a shorter form of the first.
	ls := statusLines(resources.RunReadResponse{RunID: id, State: resources.RunProcessing})
	for i := 1; i < len(ls); i++ {
		if utf8.RuneCountInString(ls[i]) >= utf8.RuneCountInString(ls[i-1]) {
			t.Errorf("form %d %q is not shorter than %q", i, ls[i], ls[i-1])
		}
	}
}
