package resources_test

import (
	"context"
	"fmt"
	"log"
	"os"

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
