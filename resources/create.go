package resources

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aignostics/aignostics/httpx"
)

// LookupWindow is how far back Create looks for a run it may have created
// when the create request was sent but no answer came.
const LookupWindow = 10 * time.Minute

// Create submits a run (POST /v1/runs) as given, without validation (see
// Submit). When the request was sent but no answer came (httpx.ErrMaybeSent),
// it looks for the run among the caller's runs submitted in the last 10
// minutes having the first item's external id; a run found is returned with
// Recovered set, otherwise the error matches ErrMaybeCreated and
// httpx.ErrMaybeSent.
func (r *Runs) Create(ctx context.Context, req RunCreationRequest) (*Run, error) {
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
	r.c.debugf("create run: sent without an answer (%v); looking the run up by external id", err)
	found, lerr := r.lookup(ctx, req)
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

// lookup finds the newest run submitted within LookupWindow for the same
// application (and version, when given) holding the first item's external id.
func (r *Runs) lookup(ctx context.Context, req RunCreationRequest) (string, error) {
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
	for run, err := range r.ListData(ctx, o) {
		if err != nil {
			return "", err
		}
		if run.SubmittedAt.Before(since) {
			return "", nil
		}
		return run.RunID, nil
	}
	return "", nil
}
