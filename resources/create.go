package resources

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aignostics/aignostics/httpx"
)

// LookupWindow is how far back Create looks for a run it may have created
// when the create request was sent but no answer came.
const LookupWindow = 10 * time.Minute

// lookupSkew is how much earlier than our request a run we sent may say it
// was submitted (the server's clock against ours).
const lookupSkew = time.Minute

// Create submits a run (POST /v1/runs) as given, without validation (see
// Submit). When the request was sent but no answer came (httpx.ErrMaybeSent),
// it looks for the run it sent: among the caller's runs of the same
// application (and version) submitted in the last 10 minutes with the first
// item's external id, the one run, submitted since the request (give or take
// a minute of clock skew), whose items are exactly the items sent and whose
// custom metadata is the one sent. Found, it is returned with Recovered set;
// otherwise (none, or more than one) the error matches ErrMaybeCreated and
// httpx.ErrMaybeSent.
func (r *Runs) Create(ctx context.Context, req RunCreationRequest) (*Run, error) {
	sentAt := r.c.o.Clock.Now()
	var out RunCreationResponse
	err := r.c.hc.JSON(ctx, "POST", r.c.URL("/runs", nil), req, &out)
	if err == nil {
		run := r.c.Run(out.RunID)
		run.created = r.c.o.Clock.Now()
		return run, nil
	}
	if !errors.Is(err, httpx.ErrMaybeSent) || len(req.Items) == 0 {
		return nil, fmt.Errorf("create run of %s: %w", req.ApplicationID, err)
	}
	r.c.debugf("create run: sent without an answer (%v); looking the run up by its items", err)
	found, lerr := r.lookup(ctx, req, sentAt)
	if lerr != nil {
		return nil, fmt.Errorf("create run of %s: %w (%w; lookup: %w)", req.ApplicationID, ErrMaybeCreated, err, lerr)
	}
	if found == "" {
		return nil, fmt.Errorf("create run of %s: %w (%w)", req.ApplicationID, ErrMaybeCreated, err)
	}
	run := r.c.Run(found)
	run.created = r.c.o.Clock.Now()
	run.Recovered = true
	return run, nil
}

// lookup finds the one run that is the request sent at sentAt (see
// Create); "" when there is none or more than one.
func (r *Runs) lookup(ctx context.Context, req RunCreationRequest, sentAt time.Time) (string, error) {
	since := r.c.o.Clock.Now().Add(-LookupWindow)
	o := RunListOptions{
		ApplicationID: req.ApplicationID,
		ExternalID:    req.Items[0].ExternalID,
		Sort:          []string{"-submitted_at"},
		PageSize:      20,
	}
	if req.VersionNumber != nil {
		o.ApplicationVersion = *req.VersionNumber
	}
	var matches []string
	for run, err := range r.ListData(ctx, o) {
		if err != nil {
			return "", err
		}
		if run.SubmittedAt.Before(since) {
			break
		}
		if run.SubmittedAt.Before(sentAt.Add(-lookupSkew)) {
			continue // submitted before we sent ours
		}
		ok, err := r.isRequest(ctx, run, req)
		if err != nil {
			return "", err
		}
		if ok {
			matches = append(matches, run.RunID)
		}
	}
	if len(matches) != 1 {
		if len(matches) > 1 {
			r.c.debugf("create run: %d runs match the request (%v); cannot tell which one is ours", len(matches), matches)
		}
		return "", nil
	}
	return matches[0], nil
}

// isRequest reports whether run holds exactly the items of req (by
// external id) and req's custom metadata.
func (r *Runs) isRequest(ctx context.Context, run RunReadResponse, req RunCreationRequest) (bool, error) {
	if run.Statistics.ItemCount != len(req.Items) || !sameMetadata(run.CustomMetadata, req.CustomMetadata) {
		return false, nil
	}
	want := make(map[string]bool, len(req.Items))
	for _, it := range req.Items {
		want[it.ExternalID] = true
	}
	n := 0
	for it, err := range r.c.Run(run.RunID).Items(ctx, ItemListOptions{PageSize: 100}) {
		if err != nil {
			return false, err
		}
		if !want[it.ExternalID] {
			return false, nil
		}
		delete(want, it.ExternalID)
		n++
	}
	return len(want) == 0 && n == len(req.Items), nil
}

// sameMetadata reports whether a and b encode to the same JSON (nil and empty
// maps alike).
func sameMetadata(a, b map[string]any) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(ja, jb)
}
