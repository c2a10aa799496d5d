package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestRunsDownloadJSONL(t *testing.T) {
	t.Parallel()
	e := newStEnv(t, 40_000)
	run := e.submit(5)
	e.clk.Advance(time.Hour)
	dir := filepath.Join(e.dir, "out")
	r := e.want(0, "-o", "jsonl", "runs", "download", run.ID, dir, "--parallel", "2")
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	if len(lines) != 16 {
		t.Fatalf("%d lines, want 15 files + 1 summary:\n%s", len(lines), r.stdout)
	}
	for _, l := range lines[:15] {
		var f struct {
			Path, Status string
			Verified     bool
			Size         int64
		}
		if err := json.Unmarshal([]byte(l), &f); err != nil {
			t.Fatal(err)
		}
		if f.Status != "downloaded" || !f.Verified || f.Size != 40_000 {
			t.Errorf("file line %s", l)
		}
		if st, err := os.Stat(f.Path); err != nil || st.Size() != 40_000 || !strings.HasPrefix(f.Path, filepath.Join(dir, run.ID)) {
			t.Errorf("file %s: %v", f.Path, err)
		}
	}
	var sum map[string]any
	if err := json.Unmarshal([]byte(lines[15]), &sum); err != nil {
		t.Fatal(err)
	}
	if sum["downloaded"] != 15.0 || sum["bytes"] != 15*40_000.0 || sum["files"] != nil {
		t.Fatalf("summary line %s", lines[15])
	}

	// Again: everything present and verified, nothing fetched.
	r = e.want(0, "-o", "json", "runs", "download", run.ID, dir)
	var again struct {
		Skipped, Downloaded int
		Files               []map[string]any
	}
	if err := json.Unmarshal([]byte(r.stdout), &again); err != nil {
		t.Fatal(err)
	}
	if again.Skipped != 15 || again.Downloaded != 0 || len(again.Files) != 15 {
		t.Fatalf("second download %s", r.stdout)
	}
}

func TestRunsDownloadCorruptExit5(t *testing.T) {
	t.Parallel()
	e := newStEnv(t, 10_000)
	run := e.submit(2)
	e.clk.Advance(time.Hour)
	if err := e.emu.SetFaults("storage:corrupt"); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(e.dir, "out")
	r := e.want(5, "-o", "json", "runs", "download", run.ID, dir)
	if !strings.Contains(r.stderr, `"error":"integrity"`) || !strings.Contains(r.stderr, "mismatch") {
		t.Errorf("stderr %s", r.stderr)
	}
	var sum struct{ Failed int }
	if err := json.Unmarshal([]byte(r.stdout), &sum); err != nil || sum.Failed != 6 {
		t.Fatalf("summary %s (%v)", r.stdout, err)
	}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() != "manifest.json" { // the manifest records the failures
			t.Errorf("file left after integrity failures: %s", p)
		}
		return nil
	})
}

func TestRunsDownloadTextAndProgress(t *testing.T) {
	t.Parallel()
	e := newStEnv(t, 1000)
	run := e.submit(2)
	e.clk.Advance(time.Hour)
	e.terminal = true
	r := e.want(0, "-o", "text", "runs", "download", run.ID, filepath.Join(e.dir, "out"))
	for _, want := range []string{"downloaded: 6 (5.9 KiB received)", "skipped:    0", "run state:  TERMINATED"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "\rdownloading 6/6 files, 5.9 KiB of 5.9 KiB\x1b[K\n") {
		t.Errorf("no progress line on the terminal: %q", r.stderr)
	}
	// A narrow terminal: the line is rewritten in place and never wraps.
	e.width = 30
	r = e.want(0, "-o", "text", "runs", "download", run.ID, filepath.Join(e.dir, "out2"))
	checkLiveLines(t, r.stderr, 30)
	if !strings.Contains(r.stderr, "6/6 files, 5.9 KiB of 5.9 KiB") {
		t.Errorf("narrow progress line: %q", r.stderr)
	}
}

// checkLiveLines checks that every rewrite of a live line ("\r" text
// "\x1b[K") fits width-1 columns, so the terminal never wraps it.
func checkLiveLines(t *testing.T, s string, width int) {
	t.Helper()
	n := 0
	for _, seg := range strings.Split(s, "\r")[1:] {
		text, drawn := strings.CutSuffix(strings.SplitN(seg, "\n", 2)[0], "\x1b[K")
		if !drawn {
			continue // a clear ("\r\x1b[K") before a note
		}
		n++
		if c := utf8.RuneCountInString(text); c > width-1 {
			t.Errorf("live line of %d columns on a terminal of %d: %q", c, width, text)
		}
	}
	if n == 0 {
		t.Errorf("no live line in %q", s)
	}
}

func TestRunsDownloadPendingAndWait(t *testing.T) {
	t.Parallel()
	e := newStEnv(t, 1000)
	run := e.submit(8)
	e.clk.Advance(8 * time.Second) // the first four items are done
	dir := filepath.Join(e.dir, "out")
	r := e.want(0, "-o", "json", "runs", "download", run.ID, dir)
	if !strings.Contains(r.stderr, "4 item(s) still processing") || !strings.Contains(r.stderr, "--wait") {
		t.Errorf("stderr %q", r.stderr)
	}
	before := len(e.clk.Slept())
	r = e.want(0, "-o", "json", "runs", "download", run.ID, dir, "--wait", "--interval", "3s")
	var sum struct {
		Downloaded, Skipped int
		State               string
	}
	polls := len(e.clk.Slept()) - before
	if err := json.Unmarshal([]byte(r.stdout), &sum); err != nil || sum.Downloaded != 12 || sum.Skipped != 12 || sum.State != "TERMINATED" || polls == 0 {
		t.Fatalf("summary %s after %d polls (%v)", r.stdout, polls, err)
	}
	if !strings.Contains(r.stderr, "waiting for 4 item(s) to finish (--wait)") {
		t.Errorf("--wait does not say it waits: %q", r.stderr)
	}
}

func TestRunsDownloadErrors(t *testing.T) {
	t.Parallel()
	e := newStEnv(t, 1000)
	run := e.submit(1)
	e.clk.Advance(time.Hour)
	e.want(2, "runs", "download", run.ID, "--parallel", "0")
	e.want(2, "runs", "download", run.ID, "--interval", "0s")
	r := e.want(5, "runs", "download", run.ID, filepath.Join(e.dir, "a"), "--checksum-attribute-key", "nope")
	if !strings.Contains(r.stderr, `"nope"`) || !strings.Contains(r.stderr, "(use --no-verify to accept artifacts without one)") {
		t.Errorf("stderr %q does not name the key and the flag that accepts it", r.stderr)
	}
	e.want(0, "runs", "download", run.ID, filepath.Join(e.dir, "b"), "--checksum-attribute-key", "nope", "--no-verify")
	e.want(2, "runs", "download", "00000000-0000-4000-8000-000000000000", filepath.Join(e.dir, "c"))
	// A file where the folder should be: bad input, found before any request, exit 2.
	if err := os.WriteFile(filepath.Join(e.dir, "d"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if r := e.want(2, "runs", "download", run.ID, filepath.Join(e.dir, "d")); !strings.Contains(r.stderr, "download folder") {
		t.Errorf("stderr %q", r.stderr)
	}

	if err := run.DeleteArtifacts(context.Background()); err != nil {
		t.Fatal(err)
	}
	r = e.want(1, "runs", "download", run.ID, filepath.Join(e.dir, "e"))
	if !strings.Contains(r.stderr, "deleted") {
		t.Errorf("stderr %q", r.stderr)
	}
}
