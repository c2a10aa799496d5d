package cli

import (
	"context"
	"time"

	"github.com/aignostics/aignostics/internal/hooks"
	"github.com/aignostics/aignostics/resources"
)

// RunsExecuteCmd is `runs execute`: submit, watch, download.
//
// DESIGN names the results folder --output, which the global -o/--output
// (the format) already takes on every command path; it is --output-dir.
type RunsExecuteCmd struct {
	RunsSubmitCmd `embed:""`
	OutputDir     string        `name:"output-dir" default:"results" type:"path" placeholder:"DIR" help:"Folder for the results: DIR/RUN/EXTERNAL_ID/... and DIR/RUN/manifest.json."`
	Interval      time.Duration `name:"interval" default:"5s" placeholder:"DURATION" help:"Time between polls of the run."`
	FailOnMissing bool          `name:"fail-on-missing" help:"Exit 1 when an item ended without results (else the run's outcome decides)."`
}

// Help is shown below the flags.
func (c *RunsExecuteCmd) Help() string {
	return `Submits as runs submit does (health check, scan, validate, upload, sign,
create), follows the run until it ends, then downloads its results into
--output-dir, every file verified by CRC32C, with manifest.json. Ctrl-C stops
this command, not the run: it says how to resume the download or cancel the
run. Exit codes: those of runs submit until the run exists; then 1 when an
item did not succeed, else those of runs download (5 on a checksum mismatch).

Examples:
  aignostics runs execute test-app ./slides --output-dir results
  aignostics runs execute he-tme ./slides --mapping '.*:staining_method=H&E,tissue=LUNG,disease=LUNG_CANCER' -o json`
}

// Run submits, watches and downloads.
func (c *RunsExecuteCmd) Run(ctx context.Context, f *Factory) error {
	if c.Interval <= 0 {
		return cliErrorf(KindUsage, "--interval %s: must be positive", c.Interval)
	}
	if !c.DryRun {
		if err := checkWritableDir(c.OutputDir); err != nil {
			return cliError(KindInvalid, err)
		}
	}
	run, err := c.submit(ctx, f)
	if err != nil || run == nil {
		return err
	}
	show, endLine := newExecuteDisplay(f)
	interrupted := func(err error) error {
		if ctx.Err() == nil {
			return err
		}
		endLine()
		f.Output().Notef("interrupted: run %s goes on on the platform; download its results later with: aignostics runs download %s %s --wait; or cancel it with: aignostics runs cancel %s",
			run.ID, run.ID, c.OutputDir, run.ID)
		return err
	}
	w := watcher{run: run, interval: c.Interval, clock: f.Clock, show: show}
	d, err := w.watch(ctx)
	if err != nil {
		return interrupted(err)
	}
	f.Hooks().Fire(ctx, hooks.RunTerminated, runTerminatedEvent(d))
	runErr := outcome(ctx, f, run, d)
	if ctx.Err() != nil {
		return interrupted(ctx.Err())
	}
	sum, err := downloadRun(ctx, f, run, c.OutputDir, resources.DownloadOptions{Parallel: c.Parallel, PollInterval: c.Interval}, false)
	if err != nil {
		return interrupted(err)
	}
	if runErr != nil {
		return runErr
	}
	if c.FailOnMissing && sum.MissingResults() > 0 {
		return cliErrorf(KindFailed, "%s (--fail-on-missing)", withoutResults(sum))
	}
	return nil
}

// newExecuteDisplay shows the run's changes on the one display of execute:
// on stderr in text (a live line on a terminal, a line per change
// otherwise), as JSON lines on stdout with -o jsonl, not at all with -o json
// (whose stdout is the download summary alone). The live line fits the
// terminal's width; end ends it (when the command is interrupted), so that
// what follows starts on a line of its own.
func newExecuteDisplay(f *Factory) (show func(resources.RunReadResponse, bool) error, end func()) {
	o := f.Output()
	switch {
	case o.Format() == FormatJSONL:
		return func(d resources.RunReadResponse, _ bool) error { return o.writeJSON(d, false) }, func() {}
	case o.Format() == FormatJSON:
		return func(resources.RunReadResponse, bool) error { return nil }, func() {}
	case f.IO.IsStderrTTY():
		line := newLiveLine(f)
		return func(d resources.RunReadResponse, final bool) error {
			line.Show(true, statusLines(d)...)
			if final {
				line.Keep()
			}
			return nil
		}, line.End
	}
	return func(d resources.RunReadResponse, _ bool) error {
		o.Notef("%s %s", f.Now().UTC().Format(time.RFC3339), statusLine(d))
		return nil
	}, func() {}
}
