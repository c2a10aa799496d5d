package resources

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"time"

	"github.com/aignostics/aignostics/httpx"
)

// CreatedRetryWindow is how long Details retries a 404 for a run this client
// just created (the platform's read replicas lag behind).
const CreatedRetryWindow = 5 * time.Second

// Run is a handle on one run. Methods fetch fresh data on every call.
type Run struct {
	// ID is the run id.
	ID string
	// Recovered is set by Runs.Create when the create request got no answer
	// and this run was found by looking it up afterwards.
	Recovered bool

	c       *Client
	created time.Time // zero unless created through Runs.Create
}

// Client returns the client this handle uses.
func (r *Run) Client() *Client { return r.c }

func (r *Run) path(suffix string) string { return "/runs/" + url.PathEscape(r.ID) + suffix }

// Details returns the run (GET /v1/runs/{id}). For a run created through
// this client's Runs.Create it retries a 404 for up to 5 seconds.
func (r *Run) Details(ctx context.Context) (RunReadResponse, error) {
	var out RunReadResponse
	wait := 250 * time.Millisecond
	for {
		err := r.c.get(ctx, r.path(""), r.c.shareQuery(nil), &out)
		if err == nil {
			return out, nil
		}
		if r.created.IsZero() || !errors.Is(err, httpx.ErrNotFound) ||
			r.c.o.Clock.Now().Add(wait).Sub(r.created) > CreatedRetryWindow {
			return out, fmt.Errorf("get run %s: %w", r.ID, err)
		}
		r.c.debugf("get run %s: 404 right after create, retrying in %s", r.ID, wait)
		if serr := r.c.o.Clock.Sleep(ctx, wait); serr != nil {
			return out, fmt.Errorf("get run %s: %w", r.ID, serr)
		}
		wait = min(wait*2, time.Second)
	}
}

// ItemListOptions filter, sort and page the items of a run.
type ItemListOptions struct {
	ItemIDs           []string
	ExternalIDs       []string
	State             ItemState
	TerminationReason ItemTerminationReason
	CustomMetadata    string // PostgreSQL JSONPath
	Sort              []string
	PageSize          int // 5..100; 0: the client's default (20)
}

// Items yields the run's items with their artifacts, page by page.
func (r *Run) Items(ctx context.Context, o ItemListOptions) iter.Seq2[ItemResultReadResponse, error] {
	size := o.PageSize
	if size == 0 {
		size = r.c.o.PageSize
	}
	if err := checkPageSize(size); err != nil {
		return failSeq[ItemResultReadResponse](err)
	}
	q := url.Values{}
	for _, id := range o.ItemIDs {
		q.Add("item_id__in", id)
	}
	for _, id := range o.ExternalIDs {
		q.Add("external_id__in", id)
	}
	if o.State != "" {
		q.Set("state", string(o.State))
	}
	if o.TerminationReason != "" {
		q.Set("termination_reason", string(o.TerminationReason))
	}
	if o.CustomMetadata != "" {
		q.Set("custom_metadata", o.CustomMetadata)
	}
	for _, s := range o.Sort {
		q.Add("sort", s)
	}
	return pages[ItemResultReadResponse](ctx, r.c, pageQuery{
		path: r.path("/items"), query: r.c.shareQuery(q), sizeParam: "page_size", size: size,
		what: "list items of run " + r.ID,
	})
}

// Results yields the items whose ids or external ids are given (all items
// when both are empty), with their output artifacts.
func (r *Run) Results(ctx context.Context, itemIDs, externalIDs []string) iter.Seq2[ItemResultReadResponse, error] {
	return r.Items(ctx, ItemListOptions{ItemIDs: itemIDs, ExternalIDs: externalIDs})
}

// Item returns one item by its external id.
func (r *Run) Item(ctx context.Context, externalID string) (ItemResultReadResponse, error) {
	var out ItemResultReadResponse
	if err := r.c.get(ctx, r.path("/items/"+url.PathEscape(externalID)), r.c.shareQuery(nil), &out); err != nil {
		return out, fmt.Errorf("get item %q of run %s: %w", externalID, r.ID, err)
	}
	return out, nil
}

// ItemStatus is the state of one item, as ItemStatusMap reports it.
type ItemStatus struct {
	State             ItemState
	TerminationReason *ItemTerminationReason
	Output            ItemOutput
	ErrorCode         *string
	ErrorMessage      *string
}

// ItemStatusMap returns every item's status keyed by external id.
func (r *Run) ItemStatusMap(ctx context.Context) (map[string]ItemStatus, error) {
	m := map[string]ItemStatus{}
	for it, err := range r.Items(ctx, ItemListOptions{}) {
		if err != nil {
			return nil, err
		}
		m[it.ExternalID] = ItemStatus{
			State: it.State, TerminationReason: it.TerminationReason, Output: it.Output,
			ErrorCode: it.ErrorCode, ErrorMessage: it.ErrorMessage,
		}
	}
	return m, nil
}

// UpdateCustomMetadata replaces the run's custom metadata. A non-nil checksum
// (from RunReadResponse.CustomMetadataChecksum) makes it conditional: a stale
// one fails with an error matching ErrStaleChecksum and httpx.ErrConflict.
// It returns the new checksum.
func (r *Run) UpdateCustomMetadata(ctx context.Context, md map[string]any, checksum *string) (*string, error) {
	var out CustomMetadataUpdateResponse
	in := CustomMetadataUpdateRequest{CustomMetadata: md, CustomMetadataChecksum: checksum}
	if err := r.c.hc.JSON(ctx, "PUT", r.c.URL(r.path("/custom-metadata"), nil), in, &out); err != nil {
		return nil, fmt.Errorf("update custom metadata of run %s: %w", r.ID, staleChecksum(err))
	}
	return out.CustomMetadataChecksum, nil
}

// UpdateItemCustomMetadata replaces one item's custom metadata, like
// UpdateCustomMetadata.
func (r *Run) UpdateItemCustomMetadata(ctx context.Context, externalID string, md map[string]any, checksum *string) (*string, error) {
	var out CustomMetadataUpdateResponse
	in := CustomMetadataUpdateRequest{CustomMetadata: md, CustomMetadataChecksum: checksum}
	u := r.c.URL(r.path("/items/"+url.PathEscape(externalID)+"/custom-metadata"), nil)
	if err := r.c.hc.JSON(ctx, "PUT", u, in, &out); err != nil {
		return nil, fmt.Errorf("update custom metadata of item %q of run %s: %w", externalID, r.ID, staleChecksum(err))
	}
	return out.CustomMetadataChecksum, nil
}

// DeleteArtifacts deletes the run's output artifacts (DELETE .../artifacts).
// It first checks that the run is terminated and refuses otherwise
// (ErrNotTerminated) without sending the delete.
func (r *Run) DeleteArtifacts(ctx context.Context) error {
	d, err := r.Details(ctx)
	if err != nil {
		return fmt.Errorf("delete artifacts: %w", err)
	}
	if d.State != RunTerminated {
		return fmt.Errorf("delete artifacts of run %s (state %s): %w", r.ID, d.State, ErrNotTerminated)
	}
	if err := r.c.hc.JSON(ctx, "DELETE", r.c.URL(r.path("/artifacts"), nil), nil, nil); err != nil {
		return fmt.Errorf("delete artifacts of run %s: %w", r.ID, err)
	}
	return nil
}

// ArtifactFileURL is the URL of an output artifact's /file endpoint (a 307 to
// a signed storage URL).
func (r *Run) ArtifactFileURL(artifactID string) string {
	return r.c.URL(r.path("/artifacts/"+url.PathEscape(artifactID)+"/file"), r.c.shareQuery(nil))
}
