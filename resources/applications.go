package resources

import (
	"context"
	"fmt"
	"iter"
	"net/url"
)

// Applications lists and describes applications.
type Applications struct{ c *Client }

// ListOptions page and sort a list. Zero values use the client's defaults.
type ListOptions struct {
	PageSize int      // 5..100; 0: the client's default
	Sort     []string // e.g. "name", "-application_id"; sent as repeated sort params
}

// List yields the applications page by page (GET /v1/applications; the API
// names its page size parameter "page-size").
func (a *Applications) List(ctx context.Context, o ListOptions) iter.Seq2[ApplicationReadShortResponse, error] {
	size := o.PageSize
	if size <= 0 {
		size = a.c.o.PageSize
	}
	q := url.Values{}
	for _, s := range o.Sort {
		q.Add("sort", s)
	}
	if err := checkPageSize(size); err != nil {
		return failSeq[ApplicationReadShortResponse](err)
	}
	return pages[ApplicationReadShortResponse](ctx, a.c, pageQuery{
		path: "/applications", query: q, sizeParam: "page-size", size: size, what: "list applications",
	})
}

// Details returns one application with its versions.
func (a *Applications) Details(ctx context.Context, applicationID string) (ApplicationReadResponse, error) {
	var app ApplicationReadResponse
	if err := a.c.get(ctx, "/applications/"+url.PathEscape(applicationID), nil, &app); err != nil {
		return app, fmt.Errorf("get application %q: %w", applicationID, err)
	}
	return app, nil
}

// failSeq is a sequence that yields one error.
func failSeq[T any](err error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		yield(zero, err)
	}
}
