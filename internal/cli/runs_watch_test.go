package cli

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/internal/iostreams"
	"github.com/aignostics/aignostics/resources"
)

func TestRunsWatchExitCodes(t *testing.T) {
	t.Parallel()
	e := newRunsEnv(t)
	good := e.create("good", 2)
	bad := e.create("slide-fail-user", 1)
	e.clock.Advance(time.Hour)

	r := e.ok("runs", "watch", good, "-o", "jsonl")
	lines := jsonLines(t, r.stdout)
	if len(lines) != 1 || lines[0]["state"] != "TERMINATED" {
		t.Fatalf("watch of a finished run: %s", r.stdout)
	}
	r = e.ok("-o", "text", "runs", "watch", good)
	if !strings.Contains(r.stdout, "TERMINATED (ALL_ITEMS_PROCESSED)") || !strings.Contains(r.stdout, "2 succeeded") {
		t.Fatalf("watch text: %q", r.stdout)
	}
	// On a terminal: a live line, rewritten in place, ended by a newline.
	e.tty = true
	r = e.ok("runs", "watch", good)
	if !strings.HasPrefix(r.stdout, "\r") || !strings.HasSuffix(r.stdout, "2 succeeded, 0 user error, 0 system error, 0 skipped\x1b[K\n") {
		t.Fatalf("watch on a terminal: %q", r.stdout)
	}
	e.tty = false
	e.fails(1, []string{"slide-fail-user", "USER_ERROR", "1 of 1 item(s) not succeeded"}, "runs", "watch", bad, "-o", "text")
	e.fails(1, []string{`"error":"failed"`}, "runs", "watch", bad, "-o", "json")

	// A run that does not move, on a command-line clock that does: --max-wait.
	// The global --timeout bounds requests only, not the watch.
	stuck := e.create("stuck", 1)
	e.cli = newRunsClock()
	start := e.cli.Now()
	e.fails(1, []string{`"error":"timeout"`, stuck}, "runs", "watch", stuck, "--max-wait", "90s", "--timeout", "30", "-o", "json")
	if waited := e.cli.Now().Sub(start); waited != 90*time.Second {
		t.Errorf("watch timed out after %s on its clock, want 90s", waited)
	}
	e.cli = nil
	e.fails(2, []string{"00000000-0000-4000-8000-000000000000"}, "runs", "watch", "00000000-0000-4000-8000-000000000000")
	e.fails(2, []string{"--interval"}, "runs", "watch", stuck, "--interval", "0s")
}

func TestWatcherFollowsTheRun(t *testing.T) {
	t.Parallel()
	e := newRunsEnv(t)
	id := e.create("w", 6)
	c := resourcesClient(t, e)
	var seen []resources.RunReadResponse
	w := watcher{
		run: c.Run(id), interval: 3 * time.Second, clock: e.clock.Clock(),
		show: func(d resources.RunReadResponse, final bool) error {
			seen = append(seen, d)
			if final != (d.State == resources.RunTerminated) {
				t.Errorf("final=%v for state %s", final, d.State)
			}
			return nil
		},
	}
	d, err := w.watch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !succeeded(d) {
		t.Fatalf("run ended as %+v", d)
	}
	if len(seen) < 3 || seen[0].State != resources.RunPending || seen[len(seen)-1].State != resources.RunTerminated {
		t.Fatalf("changes seen: %d, first %s", len(seen), seen[0].State)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i].State == seen[i-1].State && seen[i].Statistics == seen[i-1].Statistics {
			t.Fatalf("change %d repeats the one before", i)
		}
	}

	// Timeout: a clock that does not move the run.
	stuck := e.create("stuck", 1)
	other := newRunsClock()
	w = watcher{run: c.Run(stuck), interval: 5 * time.Second, timeout: 12 * time.Second, clock: other.Clock(),
		show: func(resources.RunReadResponse, bool) error { return nil }}
	start := other.Now()
	if _, err := w.watch(context.Background()); err != errWatchTimeout {
		t.Fatalf("watch of a stuck run: %v, want errWatchTimeout", err)
	}
	if waited := other.Now().Sub(start); waited != 12*time.Second {
		t.Fatalf("timed out after %s, want exactly 12s", waited)
	}
}

func resourcesClient(t *testing.T, e *runsEnv) *resources.Client {
	t.Helper()
	hc := authedHTTPForTest(t, e)
	return resources.NewFromHTTP(e.root, hc, resources.Options{Clock: e.clock.Clock()})
}

func authedHTTPForTest(t *testing.T, e *runsEnv) *httpx.Client {
	t.Helper()
	hc, err := httpx.New(httpx.Options{AuthOrigin: resources.Origin(e.root), Token: httpx.StaticToken(e.token)})
	if err != nil {
		t.Fatal(err)
	}
	return hc
}

// TestRunsWatchInterrupted: Ctrl-C stops the watch, not the run, and says
// so (exit 130).
func TestRunsWatchInterrupted(t *testing.T) {
	t.Parallel()
	e := newRunsEnv(t)
	id := e.create("ctrlc", 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb strings.Builder
	ios := iostreamsFor(&out, &errb)
	code := Main(ctx, []string{"-o", "text", "runs", "watch", id}, Env{
		IO: ios, Getenv: func(k string) (string, bool) {
			v, ok := map[string]string{"AIGNOSTICS_API_ROOT": e.root, "AIGNOSTICS_ENV_FILE": "/dev/null", "HOME": e.dir}[k]
			return v, ok
		},
		Environ: []string{}, TokenSource: httpx.StaticToken(e.token), Clock: e.clock.Clock(),
	})
	if code != 130 || !strings.Contains(errb.String(), "watch stopped; run "+id+" goes on on the platform") || !strings.Contains(errb.String(), "aignostics runs cancel "+id) {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
}

func iostreamsFor(out, errb io.Writer) *iostreams.IOStreams { return iostreams.New(nil, out, errb) }
