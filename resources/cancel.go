package resources

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/aignostics/aignostics/httpx"
)

// ErrAlreadyTerminated: a run to cancel had already ended (HTTP 409). It
// also matches httpx.ErrConflict.
var ErrAlreadyTerminated = errors.New("the run has already terminated")

// ErrNotConfirmed: CancelOptions.Confirm declined; nothing was cancelled.
var ErrNotConfirmed = errors.New("not confirmed: nothing was cancelled")

// CancelOutcome says what CancelMatching did with one run.
type CancelOutcome string

// Cancel outcomes.
const (
	CancelRequested   CancelOutcome = "cancel_requested"   // the platform accepted the cancellation (202)
	AlreadyTerminated CancelOutcome = "already_terminated" // the run had ended: nothing to cancel
	WouldCancel       CancelOutcome = "would_cancel"       // dry run: the run would be cancelled
	CancelFailed      CancelOutcome = "failed"             // the request failed (Err says why)
)

// CancelResult is the outcome for one run of CancelMatching.
type CancelResult struct {
	Run     RunReadResponse `json:"run"`
	Outcome CancelOutcome   `json:"outcome"`
	Err     error           `json:"-"`
}

// CancelOptions tune CancelMatching.
type CancelOptions struct {
	// DryRun sends no cancellation: runs that would be cancelled are
	// reported as WouldCancel.
	DryRun bool
	// Confirm, when set, is called once with the runs that are not
	// terminated, after the whole list is read and before any cancellation
	// is sent; false (the sequence ends with ErrNotConfirmed) or an error
	// sends none.
	Confirm func(ctx context.Context, pending []RunReadResponse) (bool, error)
}

// Cancel asks the platform to cancel the run (POST .../cancel, 202). A run
// already terminated answers 409: the error matches ErrAlreadyTerminated
// (and httpx.ErrConflict).
func (r *Run) Cancel(ctx context.Context) error {
	if err := r.c.hc.JSON(ctx, "POST", r.c.URL(r.path("/cancel"), nil), nil, nil); err != nil {
		if errors.Is(err, httpx.ErrConflict) {
			err = fmt.Errorf("%w: %w", ErrAlreadyTerminated, err)
		}
		return fmt.Errorf("cancel run %s: %w", r.ID, err)
	}
	return nil
}

// CancelMatching cancels every run the filters of o select (see ListData),
// one request per run, and yields the outcome for each: runs already
// terminated are reported (AlreadyTerminated), never errors, and a failed
// cancellation is reported with its Err while the others go on. The yielded
// error (with a zero CancelResult) is reserved for a failed list, which ends
// the sequence; so is a failed Confirm. With a Confirm function, the list
// is read in full before anything is sent.
func (r *Runs) CancelMatching(ctx context.Context, o RunListOptions, co CancelOptions) iter.Seq2[CancelResult, error] {
	return func(yield func(CancelResult, error) bool) {
		var pending []RunReadResponse
		for d, err := range r.ListData(ctx, o) {
			if err != nil {
				yield(CancelResult{}, err)
				return
			}
			if d.State == RunTerminated {
				if !yield(CancelResult{Run: d, Outcome: AlreadyTerminated}, nil) {
					return
				}
				continue
			}
			if co.Confirm == nil && !co.DryRun {
				if !yield(r.cancelOne(ctx, d), nil) {
					return
				}
				continue
			}
			pending = append(pending, d)
		}
		if co.DryRun {
			for _, d := range pending {
				if !yield(CancelResult{Run: d, Outcome: WouldCancel}, nil) {
					return
				}
			}
			return
		}
		if co.Confirm == nil || len(pending) == 0 {
			return
		}
		ok, err := co.Confirm(ctx, pending)
		if err == nil && !ok {
			err = ErrNotConfirmed
		}
		if err != nil {
			yield(CancelResult{}, err)
			return
		}
		for _, d := range pending {
			if !yield(r.cancelOne(ctx, d), nil) {
				return
			}
		}
	}
}

// cancelOne cancels one listed run, a 409 (it ended meanwhile) counting as
// already terminated.
func (r *Runs) cancelOne(ctx context.Context, d RunReadResponse) CancelResult {
	err := r.c.Run(d.RunID).Cancel(ctx)
	switch {
	case err == nil:
		return CancelResult{Run: d, Outcome: CancelRequested}
	case errors.Is(err, ErrAlreadyTerminated):
		return CancelResult{Run: d, Outcome: AlreadyTerminated}
	}
	return CancelResult{Run: d, Outcome: CancelFailed, Err: err}
}
