package resources_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aignostics/aignostics/resources"
)

func tagged(tags ...string) map[string]any {
	l := make([]any, len(tags))
	for i, t := range tags {
		l[i] = t
	}
	return map[string]any{"sdk": map[string]any{"tags": l}}
}

func TestTagsFilter(t *testing.T) {
	for _, tc := range []struct {
		tags []string
		want string
	}{
		{[]string{"a"}, `$.sdk.tags ? (@ like_regex "^(a)$")`},
		{[]string{"a", "b.c"}, `$.sdk.tags ? (@ like_regex "^(a|b\\.c)$")`},
		{[]string{`q"x`}, `$.sdk.tags ? (@ like_regex "^(q\"x)$")`},
		{[]string{`(x)|y`}, `$.sdk.tags ? (@ like_regex "^(\\(x\\)\\|y)$")`},
	} {
		if got := resources.TagsFilter(tc.tags); got != tc.want {
			t.Errorf("TagsFilter(%q) = %s, want %s", tc.tags, got, tc.want)
		}
	}
}

func TestListByTags(t *testing.T) {
	e := newEnv(t)
	ab := e.submit(t, "ab", 1, tagged("a", "b"))
	a := e.submit(t, "a", 1, tagged("a"))
	dot := e.submit(t, "dot", 1, tagged("a.b", "x(y)"))
	e.submit(t, "none", 1, map[string]any{"tags": []any{"a"}}) // not under sdk
	axb := e.submit(t, "axb", 1, tagged("axb"))
	for _, tc := range []struct {
		tags []string
		want []string
	}{
		{[]string{"a"}, []string{ab.ID, a.ID}},
		{[]string{"a", "b"}, []string{ab.ID}},
		{[]string{"b", "a"}, []string{ab.ID}},
		{[]string{"a.b"}, []string{dot.ID}}, // "." is not a wildcard: axb is not found
		{[]string{"x(y)", "a.b"}, []string{dot.ID}},
		{[]string{"axb"}, []string{axb.ID}},
		{[]string{"c"}, nil},
	} {
		got := listIDs(t, e.c, resources.RunListOptions{Tags: tc.tags, Sort: []string{"submitted_at"}})
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("tags %q (-want +got):\n%s", tc.tags, diff)
		}
	}
	// With a custom_metadata filter of its own the tags are checked here only.
	got := listIDs(t, e.c, resources.RunListOptions{Tags: []string{"b"}, CustomMetadata: `$.sdk.tags[*] ? (@ == "a")`})
	if diff := cmp.Diff([]string{ab.ID}, got); diff != "" {
		t.Errorf("tags with custom metadata (-want +got):\n%s", diff)
	}
}

func TestCancelMatching(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	done := e.submit(t, "done", 1, tagged("bulk"))
	e.clock.Advance(time.Minute) // done terminates
	r1 := e.submit(t, "r1", 2, tagged("bulk", "x"))
	r2 := e.submit(t, "r2", 1, tagged("bulk"))
	other := e.submit(t, "other", 1, tagged("keep"))
	o := resources.RunListOptions{Tags: []string{"bulk"}, Sort: []string{"submitted_at"}}

	outcomes := func(co resources.CancelOptions) (map[string]resources.CancelOutcome, error) {
		got := map[string]resources.CancelOutcome{}
		for res, err := range e.c.Runs().CancelMatching(ctx, o, co) {
			if err != nil {
				return got, err
			}
			if res.Err != nil {
				t.Errorf("%s: %v", res.Run.RunID, res.Err)
			}
			got[res.Run.RunID] = res.Outcome
		}
		return got, nil
	}
	before := e.emu.Count("request")
	got, err := outcomes(resources.CancelOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]resources.CancelOutcome{done.ID: resources.AlreadyTerminated, r1.ID: resources.WouldCancel, r2.ID: resources.WouldCancel}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("dry run (-want +got):\n%s", diff)
	}
	if n := e.emu.Count("request") - before; n != 1 {
		t.Errorf("dry run sent %d requests, want 1 (the list)", n)
	}

	// Declined: nothing is sent.
	var asked []string
	_, err = outcomes(resources.CancelOptions{Confirm: func(_ context.Context, p []resources.RunReadResponse) (bool, error) {
		for _, d := range p {
			asked = append(asked, d.RunID)
		}
		return false, nil
	}})
	if !errors.Is(err, resources.ErrNotConfirmed) {
		t.Fatalf("declined: %v, want ErrNotConfirmed", err)
	}
	if diff := cmp.Diff([]string{r1.ID, r2.ID}, asked); diff != "" {
		t.Errorf("asked about (-want +got):\n%s", diff)
	}
	for _, r := range []*resources.Run{r1, r2} {
		if d, _ := r.Details(ctx); d.State == resources.RunTerminated {
			t.Errorf("%s terminated although the cancellation was declined", r.ID)
		}
	}

	// Confirmed: both cancelled; a second pass counts all as terminated.
	got, err = outcomes(resources.CancelOptions{Confirm: func(context.Context, []resources.RunReadResponse) (bool, error) { return true, nil }})
	if err != nil {
		t.Fatal(err)
	}
	want = map[string]resources.CancelOutcome{done.ID: resources.AlreadyTerminated, r1.ID: resources.CancelRequested, r2.ID: resources.CancelRequested}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cancel (-want +got):\n%s", diff)
	}
	e.clock.Advance(time.Minute)
	got, err = outcomes(resources.CancelOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want = map[string]resources.CancelOutcome{done.ID: resources.AlreadyTerminated, r1.ID: resources.AlreadyTerminated, r2.ID: resources.AlreadyTerminated}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("again (-want +got):\n%s", diff)
	}
	if d, _ := other.Details(ctx); d.TerminationReason == nil || *d.TerminationReason != resources.RunAllItemsProcessed {
		t.Errorf("a run without the tag: %+v, want it processed, not cancelled", d)
	}
	// One run cancelled directly: a 409 is ErrAlreadyTerminated.
	if err := r1.Cancel(ctx); !errors.Is(err, resources.ErrAlreadyTerminated) {
		t.Errorf("cancel a terminated run: %v, want ErrAlreadyTerminated", err)
	}
}
