package resources_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/resources"
)

func TestRunsListPagesThroughEverything(t *testing.T) {
	e := newEnv(t)
	var want []string
	for i := range 23 {
		want = append(want, e.submit(t, fmt.Sprintf("p%02d", i), 1, nil).ID)
		e.clock.Advance(time.Second) // distinct submitted_at
	}
	for _, size := range []int{5, 23, 100} {
		before := e.emu.Count("request")
		got := listIDs(t, e.c, resources.RunListOptions{PageSize: size, Sort: []string{"+submitted_at"}})
		if !slices.Equal(got, want) {
			t.Fatalf("page size %d: %d runs %v, want %d in submission order", size, len(got), got, len(want))
		}
		// Full pages, then one short or empty page ends the list.
		wantReq := 23/size + 1
		if got := e.emu.Count("request") - before; got != wantReq {
			t.Errorf("page size %d: %d requests, want %d", size, got, wantReq)
		}
	}
	// The default sort is newest first.
	got := listIDs(t, e.c, resources.RunListOptions{PageSize: 5})
	slices.Reverse(got)
	if !slices.Equal(got, want) {
		t.Fatalf("default sort is not -submitted_at: %v", got)
	}
}

func TestRunsListStopsWhenTheCallerStops(t *testing.T) {
	e := newEnv(t)
	for i := range 12 {
		e.submit(t, fmt.Sprintf("s%02d", i), 1, nil)
	}
	before := e.emu.Count("request")
	n := 0
	for _, err := range e.c.Runs().ListData(context.Background(), resources.RunListOptions{PageSize: 5}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if n == 7 {
			break
		}
	}
	if got := e.emu.Count("request") - before; got != 2 {
		t.Fatalf("7 of 12 runs at 5 a page took %d requests, want 2", got)
	}
}

func TestRunsListFiltersAndSorts(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.submit(t, "alpha", 1, map[string]any{"study": "s1", "n": 1})
	e.clock.Advance(time.Second)
	b := e.submit(t, "beta", 2, map[string]any{"study": "s2", "n": 2})
	e.clock.Advance(time.Second)
	v09 := ptr("0.9.0")
	c, err := e.c.Runs().Submit(ctx, resources.RunCreationRequest{ApplicationID: "test-app", VersionNumber: v09, Items: items("gamma", 1)})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		o    resources.RunListOptions
		want []string
	}{
		{"application", resources.RunListOptions{ApplicationID: "test-app"}, []string{c.ID, b.ID, a.ID}},
		{"other application", resources.RunListOptions{ApplicationID: "he-tme"}, nil},
		{"version", resources.RunListOptions{ApplicationVersion: "0.9.0"}, []string{c.ID}},
		{"external id", resources.RunListOptions{ExternalID: "beta-001"}, []string{b.ID}},
		{"custom metadata equality", resources.RunListOptions{CustomMetadata: `$.study ? (@ == "s1")`}, []string{a.ID}},
		{"custom metadata regex", resources.RunListOptions{CustomMetadata: `$.study like_regex "^s[12]$"`}, []string{b.ID, a.ID}},
		{"ascending with +", resources.RunListOptions{Sort: []string{"+submitted_at"}}, []string{a.ID, b.ID, c.ID}},
		{"two keys", resources.RunListOptions{Sort: []string{"version_number", "-submitted_at"}}, []string{c.ID, b.ID, a.ID}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := listIDs(t, e.c, tc.o)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
	// A sort key the API does not know is a 422.
	for _, err := range e.c.Runs().ListData(ctx, resources.RunListOptions{Sort: []string{"colour"}}) {
		if !errors.Is(err, httpx.ErrInvalid) {
			t.Fatalf("unknown sort key: %v, want ErrInvalid", err)
		}
	}
}

func TestPageSizeCheckedBeforeSending(t *testing.T) {
	e := newEnv(t)
	before := e.emu.Count("request")
	for _, size := range []int{4, 101, -1} {
		for _, err := range e.c.Runs().ListData(context.Background(), resources.RunListOptions{PageSize: size}) {
			if !errors.Is(err, resources.ErrInvalidPageSize) {
				t.Fatalf("page size %d: %v", size, err)
			}
		}
	}
	if got := e.emu.Count("request") - before; got != 0 {
		t.Fatalf("%d requests sent for bad page sizes", got)
	}
}

// pagedServer serves /api/v1/runs with full pages of fake runs and answers
// 404 from page notFoundFrom on; it records the queries it saw.
type pagedServer struct {
	mu           sync.Mutex
	queries      []string
	notFoundFrom int
}

func (p *pagedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.queries = append(p.queries, r.URL.RawQuery)
	p.mu.Unlock()
	page := 0
	fmt.Sscan(r.URL.Query().Get("page"), &page)
	size := 0
	fmt.Sscan(r.URL.Query().Get("page_size"), &size)
	if page >= p.notFoundFrom {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		io := `{"detail":"Not Found"}`
		w.Write([]byte(io))
		return
	}
	runs := make([]map[string]any, size)
	for i := range runs {
		runs[i] = map[string]any{"run_id": fmt.Sprintf("r-%d-%d", page, i), "state": "FUTURE_STATE", "submitted_at": "2026-01-01T00:00:00Z"}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(runs)
}

func TestLaterPage404EndsTheList(t *testing.T) {
	ps := &pagedServer{notFoundFrom: 3}
	srv := httptest.NewServer(ps)
	defer srv.Close()
	c := resources.NewFromHTTP(srv.URL, plainHTTP(t), resources.Options{})
	n := 0
	for r, err := range c.Runs().ListData(context.Background(), resources.RunListOptions{PageSize: 5, Sort: []string{"+run_id"}}) {
		if err != nil {
			t.Fatalf("a 404 on page 3 must end the list: %v", err)
		}
		if r.State != "FUTURE_STATE" {
			t.Fatalf("unknown enum value not kept: %q", r.State)
		}
		n++
	}
	if n != 10 {
		t.Fatalf("%d runs, want 10 (two full pages)", n)
	}
	if len(ps.queries) != 3 {
		t.Fatalf("queries: %v", ps.queries)
	}
	if q := ps.queries[0]; !strings.Contains(q, "sort=%2Brun_id") || !strings.Contains(q, "page_size=5") {
		t.Fatalf("query %q: the + of the sort key must be percent-encoded", q)
	}
	// A 404 on the first page is an error.
	ps.notFoundFrom = 1
	for _, err := range c.Runs().ListData(context.Background(), resources.RunListOptions{}) {
		if !errors.Is(err, httpx.ErrNotFound) {
			t.Fatalf("404 on page 1: %v", err)
		}
	}
}

func plainHTTP(t testing.TB) *httpx.Client {
	hc, err := httpx.New(httpx.Options{MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return hc
}

func TestRunsListManyPages(t *testing.T) {
	e := newEnv(t)
	const n = 1234
	if err := e.emu.CreateRuns(n, "test-app", "1.0.0"); err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{100, 37} {
		before := e.emu.Count("request")
		seen := map[string]bool{}
		for r, err := range e.c.Runs().ListData(context.Background(), resources.RunListOptions{PageSize: size, ApplicationVersion: "1.0.0"}) {
			if err != nil {
				t.Fatal(err)
			}
			if seen[r.RunID] {
				t.Fatalf("page size %d: run %s listed twice", size, r.RunID)
			}
			seen[r.RunID] = true
		}
		if len(seen) != n {
			t.Fatalf("page size %d: %d runs, want %d", size, len(seen), n)
		}
		if got, want := e.emu.Count("request")-before, n/size+1; got != want {
			t.Fatalf("page size %d: %d requests, want %d", size, got, want)
		}
	}
}
