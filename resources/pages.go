package resources

import (
	"context"
	"crypto/sha256"
	"encoding/json"
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

// ErrNoProgress is wrapped by the error of a list whose server sent a page
// it had already sent (it ignores paging): the list would never end.
var ErrNoProgress = errors.New("the server sent a page it had already sent (it ignores paging)")

// pages yields the elements of a paged list, fetching one page at a time as
// the caller ranges. It stops on a short or empty page, and treats a 404 on a
// later page as the end (as the Python SDK does). A full page equal to one
// already seen ends the list with ErrNoProgress (only a hash per page is
// kept). An error is yielded once, with the zero T, and ends the sequence.
func pages[T any](ctx context.Context, c *Client, p pageQuery) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		q := url.Values{}
		for k, v := range p.query {
			q[k] = append([]string(nil), v...)
		}
		q.Set(p.sizeParam, strconv.Itoa(p.size))
		seen := map[[32]byte]int{}
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
			if len(items) > 0 && len(items) >= p.size {
				if b, err := json.Marshal(items); err == nil {
					sum := sha256.Sum256(b)
					if first, ok := seen[sum]; ok {
						var zero T
						yield(zero, fmt.Errorf("%s (page %d is page %d again): %w", p.what, page, first, ErrNoProgress))
						return
					}
					seen[sum] = page
				}
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
