package resources_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/resources"
)

func TestApplicationsList(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var ids []string
	for a, err := range e.c.Applications().List(ctx, resources.ListOptions{PageSize: 5, Sort: []string{"+application_id"}}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ApplicationID)
	}
	if diff := cmp.Diff([]string{"he-tme", "test-app"}, ids); diff != "" {
		t.Fatalf("applications (-want +got):\n%s", diff)
	}
	ids = nil
	for a, err := range e.c.Applications().List(ctx, resources.ListOptions{Sort: []string{"-application_id"}}) {
		if err != nil {
			t.Fatal(err)
		}
		if a.LatestVersion == nil {
			t.Errorf("%s: no latest_version", a.ApplicationID)
		}
		ids = append(ids, a.ApplicationID)
	}
	if diff := cmp.Diff([]string{"test-app", "he-tme"}, ids); diff != "" {
		t.Fatalf("applications sorted descending (-want +got):\n%s", diff)
	}
}

func TestApplicationsDetails(t *testing.T) {
	e := newEnv(t)
	a, err := e.c.Applications().Details(context.Background(), "test-app")
	if err != nil {
		t.Fatal(err)
	}
	if a.ApplicationID != "test-app" || len(a.Versions) != 4 {
		t.Fatalf("test-app: %+v", a)
	}
	_, err = e.c.Applications().Details(context.Background(), "no-such-app")
	if !errors.Is(err, httpx.ErrNotFound) {
		t.Fatalf("unknown application: %v, want ErrNotFound", err)
	}
}

func TestVersions(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	vs, err := e.c.Versions().ListSorted(ctx, "test-app")
	if err != nil {
		t.Fatal(err)
	}
	var numbers []string
	for _, v := range vs {
		numbers = append(numbers, v.Number)
	}
	if diff := cmp.Diff([]string{"1.1.0", "1.1.0-rc.1", "1.0.0", "0.9.0"}, numbers); diff != "" {
		t.Fatalf("versions by precedence (-want +got):\n%s", diff)
	}
	latest, err := e.c.Versions().Latest(ctx, "test-app")
	if err != nil {
		t.Fatal(err)
	}
	if latest.VersionNumber != "1.1.0" || len(latest.InputArtifacts) != 1 || latest.InputArtifacts[0].Name != "whole_slide_image" {
		t.Fatalf("latest: %+v", latest)
	}
	if len(latest.InputArtifacts[0].MetadataSchema) == 0 || len(latest.OutputArtifacts) != 3 {
		t.Fatalf("latest lacks schemas or outputs: %+v", latest)
	}
	d, err := e.c.Versions().Resolve(ctx, "test-app", "0.9.0")
	if err != nil || d.VersionNumber != "0.9.0" || len(d.OutputArtifacts) != 2 {
		t.Fatalf("resolve 0.9.0: %+v, %v", d, err)
	}
	if _, err := e.c.Versions().Details(ctx, "test-app", "7.7.7"); !errors.Is(err, httpx.ErrNotFound) {
		t.Fatalf("unknown version: %v, want ErrNotFound", err)
	}
	if _, err := e.c.Versions().Latest(ctx, "nope"); !errors.Is(err, httpx.ErrNotFound) {
		t.Fatalf("latest of unknown application: %v, want ErrNotFound", err)
	}
}

func TestSortVersionsPutsNonSemverLast(t *testing.T) {
	vs := []resources.ApplicationVersion{{Number: "latest"}, {Number: "1.0.0-alpha"}, {Number: "1.0.0"}, {Number: "1.0.0-alpha.1"}, {Number: "v2"}, {Number: "0.1.0"}}
	resources.SortVersions(vs)
	var got []string
	for _, v := range vs {
		got = append(got, v.Number)
	}
	want := []string{"1.0.0", "1.0.0-alpha.1", "1.0.0-alpha", "0.1.0", "latest", "v2"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
}

func TestMe(t *testing.T) {
	e := newEnv(t)
	me, err := e.c.Me(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if me.User.ID == "" || me.Organization.ID == "" || me.Organization.AignosticsBucketHMACAccessKeyID == "" {
		t.Fatalf("me: %+v", me)
	}
}
