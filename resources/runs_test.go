package resources_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/resources"
)

func listIDs(t *testing.T, c *resources.Client, o resources.RunListOptions) []string {
	t.Helper()
	var ids []string
	for r, err := range c.Runs().ListData(context.Background(), o) {
		if err != nil {
			t.Fatalf("list runs %+v: %v", o, err)
		}
		ids = append(ids, r.RunID)
	}
	return ids
}

func TestRunLifecycle(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	run := e.submit(t, "life", 3, map[string]any{"study": "s1"})
	d, err := run.Details(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d.RunID != run.ID || d.ApplicationID != "test-app" || d.VersionNumber != "1.1.0" || d.Statistics.ItemCount != 3 {
		t.Fatalf("details: %+v", d)
	}
	if d.State == resources.RunTerminated {
		t.Fatalf("run terminated at once: %+v", d)
	}
	e.clock.Advance(time.Hour)
	d, err = run.Details(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d.State != resources.RunTerminated || d.TerminationReason == nil || *d.TerminationReason != resources.RunAllItemsProcessed ||
		d.Statistics.ItemSucceededCount != 3 {
		t.Fatalf("after an hour: %+v", d)
	}
	// Items, one page at a time (page size 5 > 3 items: one request).
	var ext []string
	for it, err := range run.Items(ctx, resources.ItemListOptions{PageSize: 5}) {
		if err != nil {
			t.Fatal(err)
		}
		ext = append(ext, it.ExternalID)
		if len(it.OutputArtifacts) != 3 {
			t.Errorf("%s: %d output artifacts, want 3", it.ExternalID, len(it.OutputArtifacts))
		}
	}
	slices.Sort(ext)
	if !slices.Equal(ext, []string{"life-000", "life-001", "life-002"}) {
		t.Fatalf("items: %v", ext)
	}
	it, err := run.Item(ctx, "life-001")
	if err != nil || it.ExternalID != "life-001" || it.State != resources.ItemTerminated {
		t.Fatalf("item life-001: %+v, %v", it, err)
	}
	if _, err := run.Item(ctx, "nope"); !errors.Is(err, httpx.ErrNotFound) {
		t.Fatalf("unknown item: %v", err)
	}
	count := func(itemIDs, externalIDs []string) int {
		n := 0
		for r, err := range run.Results(ctx, itemIDs, externalIDs) {
			if err != nil {
				t.Fatal(err)
			}
			if len(externalIDs) > 0 && !slices.Contains(externalIDs, r.ExternalID) {
				t.Errorf("results filter let %s through", r.ExternalID)
			}
			n++
		}
		return n
	}
	if n := count([]string{it.ItemID}, nil); n != 1 {
		t.Fatalf("results by item id: %d items, want 1", n)
	}
	if n := count(nil, []string{"life-000", "life-002"}); n != 2 {
		t.Fatalf("results by external ids: %d items, want 2", n)
	}
	if n := count(nil, nil); n != 3 {
		t.Fatalf("all results: %d items, want 3", n)
	}
	m, err := run.ItemStatusMap(ctx)
	if err != nil || len(m) != 3 || m["life-000"].State != resources.ItemTerminated {
		t.Fatalf("status map: %+v, %v", m, err)
	}
	var succeeded int
	for range run.Items(ctx, resources.ItemListOptions{State: resources.ItemTerminated, TerminationReason: resources.ItemSucceeded}) {
		succeeded++
	}
	if succeeded != 3 {
		t.Fatalf("items TERMINATED/SUCCEEDED: %d, want 3", succeeded)
	}
	// Terminated: cancel conflicts, artifacts can be deleted.
	if err := run.Cancel(ctx); !errors.Is(err, httpx.ErrConflict) {
		t.Fatalf("cancel a terminated run: %v, want ErrConflict", err)
	}
	if err := run.DeleteArtifacts(ctx); err != nil {
		t.Fatalf("delete artifacts: %v", err)
	}
	it, err = run.Item(ctx, "life-000")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range it.OutputArtifacts {
		if a.Output != resources.ArtifactOutputDeletedByUser {
			t.Errorf("%s after delete: output %s", a.Name, a.Output)
		}
	}
}

func TestRunItemErrors(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	its := items("x", 3)
	its[1].ExternalID = "slide-fail-user"
	its[2].ExternalID = "slide-fail-system"
	run, err := e.c.Runs().Submit(ctx, resources.RunCreationRequest{ApplicationID: "test-app", Items: its})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Hour)
	m, err := run.ItemStatusMap(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]resources.ItemTerminationReason{"x-000": resources.ItemSucceeded, "slide-fail-user": resources.ItemUserError, "slide-fail-system": resources.ItemSystemError} {
		if got := m[id].TerminationReason; got == nil || *got != want {
			t.Errorf("%s: termination %v, want %s", id, got, want)
		}
	}
	var errs int
	for it, err := range run.Items(ctx, resources.ItemListOptions{TerminationReason: resources.ItemUserError}) {
		if err != nil {
			t.Fatal(err)
		}
		if it.ExternalID != "slide-fail-user" || it.ErrorCode == nil {
			t.Errorf("USER_ERROR filter: %+v", it)
		}
		errs++
	}
	if errs != 1 {
		t.Fatalf("USER_ERROR items: %d", errs)
	}
}

func TestCancelRunningRun(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	run := e.submit(t, "cancel", 2, nil)
	if err := run.Cancel(ctx); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	e.clock.Advance(time.Minute)
	d, err := run.Details(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d.State != resources.RunTerminated || d.TerminationReason == nil || *d.TerminationReason != resources.RunCanceledByUser {
		t.Fatalf("after cancel: %+v", d)
	}
	if err := run.Cancel(ctx); !errors.Is(err, httpx.ErrConflict) {
		t.Fatalf("second cancel: %v, want ErrConflict", err)
	}
}

func TestDeleteArtifactsRefusedBeforeSending(t *testing.T) {
	e := newEnv(t)
	run := e.submit(t, "del", 1, nil)
	before := e.emu.Count("request")
	err := run.DeleteArtifacts(context.Background())
	if !errors.Is(err, resources.ErrNotTerminated) {
		t.Fatalf("delete artifacts of a running run: %v, want ErrNotTerminated", err)
	}
	if got := e.emu.Count("request") - before; got != 1 {
		t.Fatalf("%d requests, want 1 (the details only)", got)
	}
}

func TestUnknownRunIsNotFound(t *testing.T) {
	e := newEnv(t)
	run := e.c.Run("00000000-0000-4000-8000-000000000000")
	_, err := run.Details(context.Background())
	if !errors.Is(err, httpx.ErrNotFound) {
		t.Fatalf("details: %v", err)
	}
	for _, err := range run.Items(context.Background(), resources.ItemListOptions{}) {
		if !errors.Is(err, httpx.ErrNotFound) {
			t.Fatalf("items of an unknown run: %v, want ErrNotFound (a 404 on the first page is an error)", err)
		}
		return
	}
	t.Fatal("items of an unknown run: no error")
}

func TestCustomMetadataConflict(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	run := e.submit(t, "md", 1, map[string]any{"v": 1})
	d, err := run.Details(ctx)
	if err != nil {
		t.Fatal(err)
	}
	old := d.CustomMetadataChecksum
	if old == nil {
		t.Fatal("no custom_metadata_checksum on a run with custom metadata")
	}
	sum, err := run.UpdateCustomMetadata(ctx, map[string]any{"v": 2}, old)
	if err != nil {
		t.Fatalf("update with the current checksum: %v", err)
	}
	if sum == nil || *sum == *old {
		t.Fatalf("new checksum %v, old %s", sum, *old)
	}
	_, err = run.UpdateCustomMetadata(ctx, map[string]any{"v": 3}, old)
	if !errors.Is(err, resources.ErrStaleChecksum) || !errors.Is(err, httpx.ErrConflict) {
		t.Fatalf("update with a stale checksum: %v, want ErrStaleChecksum and ErrConflict", err)
	}
	d, err = run.Details(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(d.CustomMetadata["v"]) != "2" {
		t.Fatalf("custom metadata after the refused update: %v", d.CustomMetadata)
	}
	// Items too.
	it, err := run.Item(ctx, "md-000")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := run.UpdateItemCustomMetadata(ctx, "md-000", map[string]any{"a": 1}, it.CustomMetadataChecksum); err != nil {
		t.Fatalf("update item metadata: %v", err)
	}
	if _, err := run.UpdateItemCustomMetadata(ctx, "md-000", map[string]any{"a": 2}, ptr("stale")); !errors.Is(err, resources.ErrStaleChecksum) {
		t.Fatalf("update item metadata with a stale checksum: %v", err)
	}
}

func TestSubmitValidatesBeforeSending(t *testing.T) {
	e := newEnv(t)
	its := items("v", 2)
	its[1].ExternalID = its[0].ExternalID
	delete(its[0].InputArtifacts[0].Metadata, "width_px")
	_, err := e.c.Runs().Submit(context.Background(), resources.RunCreationRequest{ApplicationID: "test-app", Items: its})
	var ps resources.Problems
	if !errors.As(err, &ps) || len(ps) < 2 {
		t.Fatalf("submit invalid items: %v, want Problems", err)
	}
	if n := e.emu.Count("create_run"); n != 0 {
		t.Fatalf("%d create requests reached the emulator, want 0", n)
	}
}

func TestRunsListYieldsHandles(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.submit(t, "h1", 1, nil)
	e.clock.Advance(time.Second)
	b := e.submit(t, "h2", 1, nil)
	var ids []string
	for run, err := range e.c.Runs().List(ctx, resources.RunListOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		d, err := run.Details(ctx)
		if err != nil || d.RunID != run.ID || run.Client() != e.c {
			t.Fatalf("handle %s: %+v, %v", run.ID, d, err)
		}
		ids = append(ids, run.ID)
	}
	if !slices.Equal(ids, []string{b.ID, a.ID}) {
		t.Fatalf("handles %v, want newest first [%s %s]", ids, b.ID, a.ID)
	}
	for run, err := range e.c.Runs().List(ctx, resources.RunListOptions{PageSize: 1}) {
		if run != nil || !errors.Is(err, resources.ErrInvalidPageSize) {
			t.Fatalf("bad page size: %v, %v", run, err)
		}
	}
	want := e.emu.URL() + "/api/v1/runs/" + a.ID + "/artifacts/x%2Fy/file"
	if got := a.ArtifactFileURL("x/y"); got != want {
		t.Fatalf("artifact file URL %s, want %s", got, want)
	}
}
