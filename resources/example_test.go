package resources_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/resources"
	"github.com/aignostics/aignostics/settings"
)

// Submit a run from an items file with a caller's own token function, then
// list the newest runs of the application.
func Example() {
	ctx := context.Background()
	s, err := settings.Load(settings.LoadOptions{})
	if err != nil {
		log.Fatal(err)
	}
	c, err := resources.New(s, httpx.TokenFunc(func(context.Context) (string, error) {
		return os.Getenv("MY_ACCESS_TOKEN"), nil
	}), resources.Options{})
	if err != nil {
		log.Fatal(err)
	}
	f, err := os.Open("items.jsonl")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	items, err := resources.ParseItems(f)
	if err != nil {
		log.Fatal(err)
	}
	// Submit resolves the latest version, validates every item against it
	// (a resources.Problems error lists each problem) and creates the run.
	run, err := c.Runs().Submit(ctx, resources.RunCreationRequest{ApplicationID: "he-tme", Items: items})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("submitted", run.ID)
	n := 0
	for r, err := range c.Runs().ListData(ctx, resources.RunListOptions{ApplicationID: "he-tme"}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(r.RunID, r.State, r.Statistics.ItemSucceededCount, "/", r.Statistics.ItemCount)
		if n++; n == 10 {
			break // no further page is fetched
		}
	}
}

// Share a run: with another organization, and by a token that its holder
// uses to read the run without logging in.
func ExampleRun_CreateShareToken() {
	ctx := context.Background()
	s, err := settings.Load(settings.LoadOptions{})
	if err != nil {
		log.Fatal(err)
	}
	c, err := resources.New(s, httpx.TokenFunc(func(context.Context) (string, error) {
		return os.Getenv("MY_ACCESS_TOKEN"), nil
	}), resources.Options{})
	if err != nil {
		log.Fatal(err)
	}
	run := c.Run("4f0c2b8e-1d2a-4c7e-9b1a-2f3d4e5f6a7b")
	if _, err := run.ShareWithOrganization(ctx, "org_partner"); err != nil {
		log.Fatal(err)
	}
	expires := time.Now().Add(7 * 24 * time.Hour)
	tok, _, err := run.CreateShareToken(ctx, &expires)
	if err != nil {
		log.Fatal(err)
	}
	// tok.ShareToken prints as "**********"; Reveal it only to hand it over.
	fmt.Println("share token id", tok.ShareTokenID)
	for g, err := range run.Grants(ctx) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(g.GrantID, g.SubjectType, g.SubjectID, g.Revoked)
	}

	// The recipient: no login token, only the share token.
	reader, err := resources.New(s, nil, resources.Options{ShareToken: tok.ShareToken})
	if err != nil {
		log.Fatal(err)
	}
	d, err := reader.Run(run.ID).Details(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.State)
}

// List a version's documents and save one (streamed, written atomically).
func ExampleVersions_DownloadDocument() {
	ctx := context.Background()
	s, err := settings.Load(settings.LoadOptions{})
	if err != nil {
		log.Fatal(err)
	}
	c, err := resources.New(s, httpx.TokenFunc(func(context.Context) (string, error) {
		return os.Getenv("MY_ACCESS_TOKEN"), nil
	}), resources.Options{})
	if err != nil {
		log.Fatal(err)
	}
	for d, err := range c.Versions().Documents(ctx, "he-tme", "1.0.0") {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(d.Name, d.MimeType)
	}
	n, err := c.Versions().DownloadDocument(ctx, "he-tme", "1.0.0", "README.md", "README.md")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n, "bytes")
}

// Update an item's custom metadata only if nobody changed it since it was
// read: a stale checksum fails with resources.ErrStaleChecksum (HTTP 412).
func ExampleRun_UpdateItemCustomMetadata() {
	ctx := context.Background()
	s, err := settings.Load(settings.LoadOptions{})
	if err != nil {
		log.Fatal(err)
	}
	c, err := resources.New(s, httpx.TokenFunc(func(context.Context) (string, error) {
		return os.Getenv("MY_ACCESS_TOKEN"), nil
	}), resources.Options{})
	if err != nil {
		log.Fatal(err)
	}
	run := c.Run("4f0c2b8e-1d2a-4c7e-9b1a-2f3d4e5f6a7b")
	it, err := run.Item(ctx, "slide-1.svs")
	if err != nil {
		log.Fatal(err)
	}
	md := it.CustomMetadata
	if md == nil {
		md = map[string]any{}
	}
	md["reviewed"] = true
	sum, err := run.UpdateItemCustomMetadata(ctx, "slide-1.svs", md, it.CustomMetadataChecksum)
	if errors.Is(err, resources.ErrStaleChecksum) {
		log.Fatal("changed meanwhile; read it again")
	} else if err != nil {
		log.Fatal(err)
	}
	fmt.Println("new checksum", *sum)
}

// Upload slides to the organization's bucket; each result names its gs://
// URL, to be signed for a run with Bucket.SignURL.
func ExampleBucket_Upload() {
	ctx := context.Background()
	s, err := settings.Load(settings.LoadOptions{})
	if err != nil {
		log.Fatal(err)
	}
	c, err := resources.New(s, httpx.TokenFunc(func(context.Context) (string, error) {
		return os.Getenv("MY_ACCESS_TOKEN"), nil
	}), resources.Options{})
	if err != nil {
		log.Fatal(err)
	}
	bucket, err := c.OrgBucket(ctx)
	if err != nil {
		log.Fatal(err) // matches resources.ErrNoBucketKeys when the organization has none
	}
	files := []resources.UploadFile{{Path: "slides/a.svs"}, {Path: "slides/b.tiff"}}
	opts := resources.UploadOptions{Parallel: 8, JournalDir: os.TempDir() + "/my-upload-journal"}
	for r, err := range bucket.Upload(ctx, files, opts) {
		if err != nil {
			log.Printf("%s: %v", r.Path, err) // errors.Is(err, resources.ErrIntegrity) on a mismatch
			continue
		}
		fmt.Println(r.Status, r.URL)
	}
}
