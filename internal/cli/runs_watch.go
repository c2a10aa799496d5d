package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aignostics/aignostics/internal/clock"
	"github.com/aignostics/aignostics/resources"
)

// RunsWatchCmd follows a run until it ends.
//
// Its --timeout is the global --timeout flag (kong allows one flag per name
// on a command path): given on the command line, it also bounds the whole
// watch. AIGNOSTICS_REQUEST_TIMEOUT_SECONDS does not.
type RunsWatchCmd struct {
	RunID    string        `arg:"" name:"RUN" help:"Run id."`
	Interval time.Duration `name:"interval" help:"Time between polls." default:"5s"`
}

// errWatchTimeout ends a watch whose --timeout passed.
var errWatchTimeout = errors.New("watch timed out")

// Run polls the run, showing each change, and exits 0 when every item
// succeeded, 1 when the run ended otherwise or --timeout passed.
func (c *RunsWatchCmd) Run(ctx context.Context, f *Factory) error {
	if c.Interval <= 0 {
		return cliErrorf(KindUsage, "--interval %s: must be positive", c.Interval)
	}
	cl, err := f.Client()
	if err != nil {
		return err
	}
	run := cl.Run(c.RunID)
	w := watcher{
		run: run, interval: c.Interval, timeout: f.Flags.Timeout, clock: f.Clock,
		show: newRunDisplay(f),
	}
	d, err := w.watch(ctx)
	if errors.Is(err, errWatchTimeout) {
		return cliError(KindTimeout, fmt.Errorf("run %s is still %s after %s: %w", c.RunID, d.State, f.Flags.Timeout, err))
	}
	if err != nil {
		return err
	}
	return outcome(ctx, f, run, d)
}

// watcher polls one run until it terminates or the timeout passes.
type watcher struct {
	run      *resources.Run
	interval time.Duration
	timeout  time.Duration // 0: none
	clock    clock.Clock
	show     func(d resources.RunReadResponse, final bool) error
}

type runSnapshot struct {
	state  resources.RunState
	reason string
	stats  resources.RunItemStatistics
}

// watch returns the last run details seen; errWatchTimeout when the timeout
// passed before the run terminated.
func (w *watcher) watch(ctx context.Context) (resources.RunReadResponse, error) {
	deadline := w.clock.Now().Add(w.timeout)
	var last *runSnapshot
	for {
		d, err := w.run.Details(ctx)
		if err != nil {
			return d, err
		}
		snap := runSnapshot{state: d.State, reason: enumStr(d.TerminationReason), stats: d.Statistics}
		done := d.State == resources.RunTerminated
		if last == nil || *last != snap || done {
			if err := w.show(d, done); err != nil {
				return d, err
			}
			last = &snap
		}
		if done {
			return d, nil
		}
		wait := w.interval
		if w.timeout > 0 {
			left := deadline.Sub(w.clock.Now())
			if left <= 0 {
				return d, errWatchTimeout
			}
			wait = min(wait, left)
		}
		if err := w.clock.Sleep(ctx, wait); err != nil {
			return d, err
		}
	}
}

// newRunDisplay shows each change: a live line on a terminal, a line per
// change in text otherwise, one JSON object per line in json/jsonl.
func newRunDisplay(f *Factory) func(resources.RunReadResponse, bool) error {
	o := f.Output()
	w := f.IO.Out
	switch {
	case o.Format() != FormatText:
		return func(d resources.RunReadResponse, _ bool) error { return o.writeJSON(d, false) }
	case f.IO.IsStdoutTTY():
		return func(d resources.RunReadResponse, final bool) error {
			end := ""
			if final {
				end = "\n"
			}
			_, err := fmt.Fprintf(w, "\r\x1b[K%s%s", statusLine(d), end)
			return err
		}
	}
	return func(d resources.RunReadResponse, _ bool) error {
		_, err := fmt.Fprintf(w, "%s %s\n", f.Now().UTC().Format(time.RFC3339), statusLine(d))
		return err
	}
}

// statusLine is one line describing a run: state and item counts by state.
func statusLine(d resources.RunReadResponse) string {
	st := d.Statistics
	state := string(d.State)
	if r := enumStr(d.TerminationReason); r != "" {
		state += " (" + r + ")"
	}
	return fmt.Sprintf("run %s %s: %d items: %d pending, %d processing, %d succeeded, %d user error, %d system error, %d skipped",
		d.RunID, state, st.ItemCount, st.ItemPendingCount, st.ItemProcessingCount, st.ItemSucceededCount,
		st.ItemUserErrorCount, st.ItemSystemErrorCount, st.ItemSkippedCount)
}

// succeeded reports whether a terminated run processed every item successfully.
func succeeded(d resources.RunReadResponse) bool {
	r := d.TerminationReason
	return d.State == resources.RunTerminated && r != nil && *r == resources.RunAllItemsProcessed &&
		d.Statistics.ItemSucceededCount == d.Statistics.ItemCount
}

// outcome turns a terminated run into the exit status, naming each item that
// did not succeed with its error code and message.
func outcome(ctx context.Context, f *Factory, run *resources.Run, d resources.RunReadResponse) error {
	if succeeded(d) {
		return nil
	}
	failed := 0
	for it, err := range run.Items(ctx, resources.ItemListOptions{}) {
		if err != nil {
			return err
		}
		if it.TerminationReason != nil && *it.TerminationReason == resources.ItemSucceeded {
			continue
		}
		failed++
		f.Output().Notef("item %s (%s): %s %s %s", it.ExternalID, it.ItemID, describeItemEnd(it), str(it.ErrorCode), str(it.ErrorMessage))
	}
	msg := fmt.Sprintf("run %s ended %s with %d of %d item(s) not succeeded", d.RunID, enumStr(d.TerminationReason), failed, d.Statistics.ItemCount)
	if code, m := str(d.ErrorCode), str(d.ErrorMessage); code != "" || m != "" {
		msg += fmt.Sprintf(" (%s)", joinNonEmpty(": ", code, m))
	}
	return cliError(KindFailed, errors.New(msg))
}

func describeItemEnd(it resources.ItemResultReadResponse) string {
	if it.TerminationReason != nil {
		return string(*it.TerminationReason)
	}
	return string(it.State)
}
