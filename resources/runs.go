package resources

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"regexp"
)

// Runs creates and lists runs.
type Runs struct{ c *Client }

// DefaultRunSort is the sort of run lists when none is given.
const DefaultRunSort = "-submitted_at"

// RunListOptions filter, sort and page a run list. Zero values are unset.
type RunListOptions struct {
	ApplicationID      string
	ApplicationVersion string
	ExternalID         string // runs having an item with this external id
	CustomMetadata     string // PostgreSQL JSONPath over custom_metadata
	SubmittedBy        string // "me" or a user id
	OrganizationID     string // "my_org" or an organization id
	ForOrganization    string // admins: all runs of this organization
	// Tags selects runs whose custom_metadata.sdk.tags (as the Python SDK
	// writes them) hold every one of these tags. The API is asked for runs
	// with any of them (the SDK's like_regex filter, unless CustomMetadata
	// is set); each run is then checked here for all of them.
	Tags []string
	// NoteRegex selects runs whose custom_metadata.sdk.note matches this
	// regular expression, case-insensitively (the Python SDK's --note-regex).
	// It is sent as `$.sdk.note ? (@ like_regex "RE" flag "i")` when neither
	// CustomMetadata nor Tags take the one JSONPath the API allows, and each
	// run is checked here with Go's regexp either way; an invalid expression
	// is an error before any request.
	NoteRegex string
	Sort      []string // default ["-submitted_at"]; "+" is sent percent-encoded
	PageSize  int      // 5..100; 0: the client's runs page size (100)
}

func (o RunListOptions) query() url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("application_id", o.ApplicationID)
	set("application_version", o.ApplicationVersion)
	set("external_id", o.ExternalID)
	if o.CustomMetadata != "" {
		q.Set("custom_metadata", o.CustomMetadata)
	} else if len(o.Tags) > 0 {
		q.Set("custom_metadata", TagsFilter(o.Tags))
	} else if o.NoteRegex != "" {
		q.Set("custom_metadata", NoteFilter(o.NoteRegex))
	}
	set("submitted_by", o.SubmittedBy)
	set("organization_id", o.OrganizationID)
	set("for_organization", o.ForOrganization)
	sorts := o.Sort
	if len(sorts) == 0 {
		sorts = []string{DefaultRunSort}
	}
	for _, s := range sorts {
		q.Add("sort", s)
	}
	return q
}

// ListData yields runs page by page (GET /v1/runs). A page size outside
// 5..100 is an error before any request.
func (r *Runs) ListData(ctx context.Context, o RunListOptions) iter.Seq2[RunReadResponse, error] {
	size := o.PageSize
	if size == 0 {
		size = r.c.o.RunsPageSize
	}
	if err := checkPageSize(size); err != nil {
		return failSeq[RunReadResponse](err)
	}
	var note *regexp.Regexp
	if o.NoteRegex != "" {
		var err error
		if note, err = regexp.Compile("(?i)" + o.NoteRegex); err != nil {
			return failSeq[RunReadResponse](fmt.Errorf("list runs: note regex: %w", err))
		}
	}
	all := pages[RunReadResponse](ctx, r.c, pageQuery{
		path: "/runs", query: o.query(), sizeParam: "page_size", size: size, what: "list runs",
	})
	if len(o.Tags) == 0 && note == nil {
		return all
	}
	return func(yield func(RunReadResponse, error) bool) {
		for d, err := range all {
			if err == nil && len(o.Tags) > 0 && !HasTags(d.CustomMetadata, o.Tags) {
				continue
			}
			if err == nil && note != nil {
				if n, ok := SDKNote(d.CustomMetadata); !ok || !note.MatchString(n) {
					continue // a run without a note matches no note filter
				}
			}
			if !yield(d, err) || err != nil {
				return
			}
		}
	}
}

// List yields handles on the listed runs (see ListData).
func (r *Runs) List(ctx context.Context, o RunListOptions) iter.Seq2[*Run, error] {
	return func(yield func(*Run, error) bool) {
		for d, err := range r.ListData(ctx, o) {
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(r.c.Run(d.RunID), nil) {
				return
			}
		}
	}
}
