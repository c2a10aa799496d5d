package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aignostics/aignostics/internal/clock"
	"github.com/aignostics/aignostics/internal/hooks"
	"github.com/aignostics/aignostics/resources"
)

// RunsWatchCmd follows a run until it ends. The global --timeout bounds
// each request only; --max-wait bounds the whole watch.
type RunsWatchCmd struct {
	RunID    string        `arg:"" name:"RUN" help:"Run id, a unique prefix of 8+ characters, or latest."`
	Interval time.Duration `name:"interval" help:"Time between polls." default:"5s" placeholder:"DURATION"`
	MaxWait  time.Duration `name:"max-wait" help:"Give up after this long (exit 1); 0: wait until the run ends." default:"0" placeholder:"DURATION"`
}

// errWatchTimeout ends a watch whose --max-wait passed.
var errWatchTimeout = errors.New("watch timed out")

// Run polls the run, showing each change, and exits 0 when every item
// succeeded, 1 when the run ended otherwise or --max-wait passed.
func (c *RunsWatchCmd) Run(ctx context.Context, f *Factory) error {
	if c.Interval <= 0 {
		return cliErrorf(KindUsage, "--interval %s: must be positive", c.Interval)
	}
	if c.MaxWait < 0 {
		return cliErrorf(KindUsage, "--max-wait %s: must not be negative", c.MaxWait)
	}
	cl, err := f.Client()
	if err != nil {
		return err
	}
	run := cl.Run(c.RunID)
	w := watcher{
		run: run, interval: c.Interval, timeout: c.MaxWait, clock: f.Clock,
		show: newRunDisplay(f),
	}
	d, err := w.watch(ctx)
	if errors.Is(err, errWatchTimeout) {
		return cliError(KindTimeout, fmt.Errorf("run %s is still %s after --max-wait %s: %w", c.RunID, d.State, c.MaxWait, err))
	}
	if err != nil && ctx.Err() != nil {
		if f.IO.IsStdoutTTY() {
			fmt.Fprintln(f.IO.Out) // end the live line
		}
		return cliErrorf(KindInterrupted, "watch stopped; run %s goes on on the platform (follow it again: aignostics runs watch %s; stop it: aignostics runs cancel %s)", c.RunID, c.RunID, c.RunID)
	}
	if err != nil {
		return err
	}
	f.Hooks().Fire(ctx, hooks.RunTerminated, runTerminatedEvent(d))
	return outcome(ctx, f, run, d)
}

// runTerminatedEvent is what the run-terminated hook gets.
func runTerminatedEvent(d resources.RunReadResponse) map[string]any {
	return map[string]any{
		"run_id": d.RunID, "application_id": d.ApplicationID, "version_number": d.VersionNumber,
		"state": d.State, "termination_reason": d.TerminationReason, "statistics": d.Statistics,
		"succeeded": succeeded(d),
	}
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

// newRunDisplay shows each change: a live line on a terminal (fitted to its
// width, rewritten in place, kept when the run ends), a line per change in
// text otherwise, one JSON object per line in json/jsonl.
func newRunDisplay(f *Factory) func(resources.RunReadResponse, bool) error {
	o := f.Output()
	w := f.IO.Out
	switch {
	case o.Format() != FormatText:
		return func(d resources.RunReadResponse, _ bool) error { return o.writeJSON(d, false) }
	case f.IO.IsStdoutTTY():
		line := newStdoutLiveLine(f)
		return func(d resources.RunReadResponse, final bool) error {
			line.Show(true, statusLines(d)...)
			if final {
				line.Keep()
			}
			return nil
		}
	}
	return func(d resources.RunReadResponse, _ bool) error {
		_, err := fmt.Fprintf(w, "%s %s\n", f.Now().UTC().Format(time.RFC3339), statusLine(d))
		return err
	}
}

// statusLine is one line describing a run: state and item counts by state.
func statusLine(d resources.RunReadResponse) string { return statusLines(d)[0] }

// statusLines describe a run from the longest form to the shortest, for a
// live line that must fit the terminal.
func statusLines(d resources.RunReadResponse) []string {
	st := d.Statistics
	state := string(d.State)
	if r := enumStr(d.TerminationReason); r != "" {
		state += " (" + r + ")"
	}
	failed := st.ItemUserErrorCount + st.ItemSystemErrorCount
	short := d.RunID
	if len(short) > 8 {
		short = short[:8]
	}
	return []string{
		fmt.Sprintf("run %s %s: %d items: %d pending, %d processing, %d succeeded, %d user error, %d system error, %d skipped",
			d.RunID, state, st.ItemCount, st.ItemPendingCount, st.ItemProcessingCount, st.ItemSucceededCount,
			st.ItemUserErrorCount, st.ItemSystemErrorCount, st.ItemSkippedCount),
		fmt.Sprintf("run %s %s: %d/%d succeeded, %d processing, %d pending, %d failed, %d skipped",
			d.RunID, state, st.ItemSucceededCount, st.ItemCount, st.ItemProcessingCount, st.ItemPendingCount, failed, st.ItemSkippedCount),
		fmt.Sprintf("run %s %s: %d/%d ok%s", short, state, st.ItemSucceededCount, st.ItemCount, nonZero(st.ItemProcessingCount, "running", st.ItemPendingCount, "pending", failed, "failed", st.ItemSkippedCount, "skipped")),
		fmt.Sprintf("%s %s %d/%d ok%s", short, d.State, st.ItemSucceededCount, st.ItemCount, nonZero(failed, "failed")),
	}
}

// nonZero lists ", N what" for each count that is not zero (pairs of count
// and word).
func nonZero(pairs ...any) string {
	var b strings.Builder
	for i := 0; i+1 < len(pairs); i += 2 {
		if n, _ := pairs[i].(int); n != 0 {
			fmt.Fprintf(&b, ", %d %v", n, pairs[i+1])
		}
	}
	return b.String()
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
