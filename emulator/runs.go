package emulator

import (
	"strings"
	"time"
)

// run is one submitted run. Only what the submitter chose and the events
// (cancel, artifact deletion) are stored; states are computed from the clock.
type run struct {
	ID          string
	seq         int // index in platformState.runs
	ver         *appVersion
	SubmittedAt time.Time
	SubmittedBy string
	OrgID       string
	Meta        any    // custom metadata (numbers as json.Number) or nil
	MetaSum     string // checksum of Meta; "" when Meta is nil
	Scheduling  *scheduling
	CanceledAt  time.Time // zero: not canceled
	DeletedAt   time.Time // zero: artifacts not deleted
	Items       []runItem
}

// runItem is one submitted item (slide).
type runItem struct {
	ExternalID string
	Meta       any
	MetaSum    string
	Inputs     []inputArtifact
	// InputError says why the platform could not read an input (checked
	// at submission): the item ends with USER_ERROR and this message.
	InputError string
}

// inputArtifact is one input artifact of an item, as submitted.
type inputArtifact struct {
	Name     string         `json:"name"`
	URL      string         `json:"download_url"`
	Metadata map[string]any `json:"metadata"`
}

// scheduling is the optional scheduling block of a run.
type scheduling struct {
	DueDate  *time.Time `json:"due_date"`
	Deadline *time.Time `json:"deadline"`
}

// Simulated processing: a run waits pendingTime, then its items are processed
// batchSize at a time, each taking processTime (both divided by the speed).
const (
	pendingTime = 2 * time.Second
	processTime = 5 * time.Second
	batchSize   = 4
)

// Item and run states and reasons (the spec's enums).
const (
	statePending    = "PENDING"
	stateProcessing = "PROCESSING"
	stateTerminated = "TERMINATED"

	reasonSucceeded   = "SUCCEEDED"
	reasonUserError   = "USER_ERROR"
	reasonSystemError = "SYSTEM_ERROR"
	reasonSkipped     = "SKIPPED"

	runAllProcessed  = "ALL_ITEMS_PROCESSED"
	runCanceledUser  = "CANCELED_BY_USER"
	outputNone       = "NONE"
	outputFull       = "FULL"
	outputPartial    = "PARTIAL"
	artifactAvail    = "AVAILABLE"
	artifactDeleted  = "DELETED_BY_USER"
	scopeGlobal      = "GLOBAL"
	failUserMarker   = "fail-user"
	failSystemMarker = "fail-system"
)

// timing is the simulation's clock arithmetic at one speed.
type timing struct{ pend, proc time.Duration }

func (p *platform) timing() timing {
	return timing{
		pend: time.Duration(float64(pendingTime) / p.speed),
		proc: max(1, time.Duration(float64(processTime)/p.speed)),
	}
}

// itemStatus is an item's state at one instant.
type itemStatus struct {
	State  string
	Reason string    // "" unless TERMINATED
	At     time.Time // when it terminated
}

// canceled reports whether the run had been canceled by time t.
func (r *run) canceled(t time.Time) bool {
	return !r.CanceledAt.IsZero() && !t.Before(r.CanceledAt)
}

// start is when processing of item i begins.
func (tm timing) start(r *run, i int) time.Time {
	return r.SubmittedAt.Add(tm.pend + time.Duration(i/batchSize)*tm.proc)
}

// naturalEnd is when the last item would finish without a cancel.
func (tm timing) naturalEnd(r *run) time.Time {
	batches := (len(r.Items) + batchSize - 1) / batchSize
	return r.SubmittedAt.Add(tm.pend + time.Duration(batches)*tm.proc)
}

// item computes the status of item i at t.
func (tm timing) item(r *run, i int, t time.Time) itemStatus {
	start := tm.start(r, i)
	end := start.Add(tm.proc)
	if r.canceled(t) && end.After(r.CanceledAt) {
		return itemStatus{State: stateTerminated, Reason: reasonSkipped, At: r.CanceledAt}
	}
	switch {
	case t.Before(start):
		return itemStatus{State: statePending}
	case t.Before(end):
		return itemStatus{State: stateProcessing}
	}
	ext := r.Items[i].ExternalID
	reason := reasonSucceeded
	switch {
	case r.Items[i].InputError != "" || strings.Contains(ext, failUserMarker):
		reason = reasonUserError
	case strings.Contains(ext, failSystemMarker):
		reason = reasonSystemError
	}
	return itemStatus{State: stateTerminated, Reason: reason, At: end}
}

// runStatus is a run's state at one instant (computed in O(1)).
type runStatus struct {
	State        string
	Reason       string    // "" unless TERMINATED
	TerminatedAt time.Time // zero unless TERMINATED
}

// run computes the state of r at t.
func (tm timing) run(r *run, t time.Time) runStatus {
	end := tm.naturalEnd(r)
	if r.canceled(t) && end.After(r.CanceledAt) {
		return runStatus{State: stateTerminated, Reason: runCanceledUser, TerminatedAt: r.CanceledAt}
	}
	switch {
	case !t.Before(end):
		return runStatus{State: stateTerminated, Reason: runAllProcessed, TerminatedAt: end}
	case t.Before(r.SubmittedAt.Add(tm.pend)):
		return runStatus{State: statePending}
	}
	return runStatus{State: stateProcessing}
}

// pending counts the items of r not yet started at t (in O(1)).
func (tm timing) pending(r *run, t time.Time) int {
	if tm.run(r, t).State == stateTerminated {
		return 0
	}
	begin := r.SubmittedAt.Add(tm.pend)
	if t.Before(begin) {
		return len(r.Items)
	}
	started := (int(t.Sub(begin)/tm.proc) + 1) * batchSize
	return max(0, len(r.Items)-started)
}

// runStats counts the items of r by state and outcome at t.
type runStats struct {
	ItemCount            int `json:"item_count"`
	ItemPendingCount     int `json:"item_pending_count"`
	ItemProcessingCount  int `json:"item_processing_count"`
	ItemUserErrorCount   int `json:"item_user_error_count"`
	ItemSystemErrorCount int `json:"item_system_error_count"`
	ItemSkippedCount     int `json:"item_skipped_count"`
	ItemSucceededCount   int `json:"item_succeeded_count"`
}

func (tm timing) stats(r *run, t time.Time) runStats {
	s := runStats{ItemCount: len(r.Items)}
	for i := range r.Items {
		st := tm.item(r, i, t)
		switch {
		case st.State == statePending:
			s.ItemPendingCount++
		case st.State == stateProcessing:
			s.ItemProcessingCount++
		case st.Reason == reasonSucceeded:
			s.ItemSucceededCount++
		case st.Reason == reasonUserError:
			s.ItemUserErrorCount++
		case st.Reason == reasonSystemError:
			s.ItemSystemErrorCount++
		default:
			s.ItemSkippedCount++
		}
	}
	return s
}
