package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/resources"
)

// RunsCancelCmd cancels one run, or every run that the filters select.
type RunsCancelCmd struct {
	RunID          string `arg:"" optional:"" name:"RUN" help:"Run id, a unique prefix of 8+ characters, or latest. Without it, every run the filters select is cancelled."`
	RunFilterFlags `embed:""`
	DryRun         bool `name:"dry-run" help:"With filters: list the runs that would be cancelled and cancel nothing."`
	Yes            bool `name:"yes" short:"y" help:"With filters: do not ask for confirmation on a terminal."`
}

// Help says more than the one-line summary.
func (c *RunsCancelCmd) Help() string {
	return `With filters, only your own runs are cancelled unless --submitted-by names
another user; runs that already ended are counted, not errors.`
}

// Run cancels: one run (a terminated run is a conflict, exit 2), or many.
func (c *RunsCancelCmd) Run(ctx context.Context, f *Factory) error {
	if c.RunID == "" {
		return c.cancelMatching(ctx, f)
	}
	if c.RunFilterFlags.set() || c.DryRun {
		return cliErrorf(KindUsage, "give either a run id or filters (--tags, --application-id, --application-version, --submitted-by), not both")
	}
	cl, err := f.Client()
	if err != nil {
		return err
	}
	if err := cl.Run(c.RunID).Cancel(ctx); err != nil {
		if errors.Is(err, resources.ErrAlreadyTerminated) {
			cause := err
			if ae := (*httpx.APIError)(nil); errors.As(err, &ae) {
				cause = ae
			}
			return cliError(KindConflict, fmt.Errorf("run %s has already terminated; there is nothing to cancel (%w)", c.RunID, cause))
		}
		return err
	}
	return f.Output().Value(fmt.Sprintf("Cancellation of run %s requested; unfinished items end as CANCELED_BY_USER.", c.RunID),
		map[string]string{"run_id": c.RunID, "status": "cancel_requested"})
}

// cancelRow is one run of a bulk cancel, as json and jsonl print it.
type cancelRow struct {
	RunID         string                  `json:"run_id"`
	ApplicationID string                  `json:"application_id"`
	VersionNumber string                  `json:"version_number"`
	State         resources.RunState      `json:"state"`
	SubmittedAt   string                  `json:"submitted_at"`
	Outcome       resources.CancelOutcome `json:"outcome"`
	Error         string                  `json:"error,omitempty"`
}

// cancelMatching cancels every run the filters select, one row per run.
func (c *RunsCancelCmd) cancelMatching(ctx context.Context, f *Factory) error {
	if !c.RunFilterFlags.set() {
		return cliErrorf(KindUsage, "give a run id, or at least one filter (--tags, --application-id, --application-version, --submitted-by) to cancel many runs")
	}
	o, err := c.options()
	if err != nil {
		return err
	}
	if o.SubmittedBy == "" {
		o.SubmittedBy = "me" // never someone else's runs by accident
	}
	cl, err := f.Client()
	if err != nil {
		return err
	}
	out := f.Output()
	co := resources.CancelOptions{DryRun: c.DryRun}
	if !c.DryRun && !c.Yes && f.IO.CanPrompt() {
		co.Confirm = func(ctx context.Context, pending []resources.RunReadResponse) (bool, error) {
			return confirm(ctx, f, false, cancelQuestion(pending))
		}
	}
	l := out.List("RUN_ID", "APPLICATION", "VERSION", "STATE", "OUTCOME", "ERROR")
	counts := map[resources.CancelOutcome]int{}
	var firstErr error
	for res, err := range cl.Runs().CancelMatching(ctx, o, co) {
		if err != nil {
			l.Abort()
			if errors.Is(err, resources.ErrNotConfirmed) {
				return cliError(KindFailed, err)
			}
			return err
		}
		counts[res.Outcome]++
		row := cancelRow{RunID: res.Run.RunID, ApplicationID: res.Run.ApplicationID, VersionNumber: res.Run.VersionNumber,
			State: res.Run.State, SubmittedAt: ts(res.Run.SubmittedAt), Outcome: res.Outcome}
		if res.Err != nil {
			row.Error = res.Err.Error()
			if firstErr == nil {
				firstErr = res.Err
			}
		}
		if err := l.Add(row, row.RunID, row.ApplicationID, row.VersionNumber, string(row.State), string(row.Outcome), row.Error); err != nil {
			return err
		}
	}
	if err := l.Close(); err != nil {
		return err
	}
	out.Notef("%s", cancelSummary(counts, c.DryRun))
	if firstErr != nil {
		return fmt.Errorf("%d of %d cancellations failed, the first: %w", counts[resources.CancelFailed],
			counts[resources.CancelFailed]+counts[resources.CancelRequested], firstErr)
	}
	return nil
}

// cancelQuestion asks about the runs to cancel, naming the first few.
func cancelQuestion(pending []resources.RunReadResponse) string {
	var b strings.Builder
	for i, d := range pending {
		if i == 10 {
			fmt.Fprintf(&b, "  ... and %d more\n", len(pending)-i)
			break
		}
		fmt.Fprintf(&b, "  %s  %s:%s  %s\n", d.RunID, d.ApplicationID, d.VersionNumber, d.State)
	}
	return fmt.Sprintf("%sCancel these %d run(s)?", b.String(), len(pending))
}

// cancelSummary counts the outcomes of a bulk cancel in one line.
func cancelSummary(n map[resources.CancelOutcome]int, dryRun bool) string {
	if dryRun {
		return fmt.Sprintf("Dry run: %d run(s) would be cancelled, %d already terminated; nothing was sent.",
			n[resources.WouldCancel], n[resources.AlreadyTerminated])
	}
	s := fmt.Sprintf("Cancellation requested for %d run(s); %d already terminated", n[resources.CancelRequested], n[resources.AlreadyTerminated])
	if n[resources.CancelFailed] > 0 {
		s += fmt.Sprintf("; %d failed", n[resources.CancelFailed])
	}
	return s + "."
}
