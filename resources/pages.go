package resources

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"strconv"

	"github.com/aignostics/aignostics/httpx"
)

// pageQuery names a list endpoint and how it pages.
type pageQuery struct {
	path      string
	query     url.Values // filters; copied, never modified
	sizeParam string     // "page_size" or "page-size"
	size      int
	what      string // for errors: "list runs"
}

// pages yields the elements of a paged list, fetching one page at a time as
// the caller ranges. It stops on a short or empty page, and treats a 404 on a
// later page as the end (as the Python SDK does). An error is yielded once,
// with the zero T, and ends the sequence.
func pages[T any](ctx context.Context, c *Client, p pageQuery) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		q := url.Values{}
		for k, v := range p.query {
			q[k] = append([]string(nil), v...)
		}
		q.Set(p.sizeParam, strconv.Itoa(p.size))
		for page := 1; ; page++ {
			q.Set("page", strconv.Itoa(page))
			var items []T
			err := c.get(ctx, p.path, q, &items)
			if err != nil {
				if page > 1 && errors.Is(err, httpx.ErrNotFound) {
					c.debugf("%s: page %d answered 404, end of list", p.what, page)
					return
				}
				var zero T
				yield(zero, fmt.Errorf("%s (page %d): %w", p.what, page, err))
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if len(items) < p.size {
				return
			}
		}
	}
}
