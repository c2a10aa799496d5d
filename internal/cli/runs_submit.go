package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/aignostics/aignostics/checksum"
	"github.com/aignostics/aignostics/gcs"
	"github.com/aignostics/aignostics/internal/hooks"
	"github.com/aignostics/aignostics/resources"
	"github.com/aignostics/aignostics/slides"
)

// RunsSubmitCmd is `runs submit`: slides on disk (or a metadata CSV) to a
// run, in one command.
type RunsSubmitCmd struct {
	App            string   `arg:"" name:"APP[:VERSION]" help:"Application id, optionally with a version; without one the highest semver version is used."`
	Paths          []string `arg:"" optional:"" name:"PATH" help:"Slide files, or folders walked recursively (as slides scan finds them)."`
	CSV            string   `name:"csv" placeholder:"FILE" help:"Submit the slides of this metadata CSV (ours or the Python SDK's) instead; a slide with a platform_bucket_url is taken from there, the others are uploaded."`
	Mapping        []string `name:"mapping" sep:"none" placeholder:"'REGEX:KEY=VALUE,...'" help:"Set metadata (staining_method, tissue, disease or any key of the version's schema) on the slides whose absolute path matches REGEX. Repeatable; a later one wins."`
	ExternalID     string   `name:"external-id" default:"relative" enum:"relative,absolute,name" help:"External id of a slide: its path relative to the PATH it was found under (relative), its absolute path (absolute, as the Python SDK), or its file name (name)."`
	CustomMetadata string   `name:"custom-metadata" help:"Custom metadata of the run, a JSON object." placeholder:"JSON"`
	Prefix         string   `name:"prefix" placeholder:"PREFIX" help:"Start of the object keys of uploaded slides (default: {os user}/slides)."`
	Parallel       int      `name:"parallel" default:"4" placeholder:"N" help:"Transfers in flight (1-64)."`
	DryRun         bool     `name:"dry-run" help:"Scan and validate, then print the request (signatures masked); upload nothing, send nothing."`
	Force          bool     `name:"force" help:"Submit even when the platform's health check says DOWN."`
	RunOptionFlags `embed:""`
}

// Help is shown below the flags.
func (c *RunsSubmitCmd) Help() string {
	return `Checks the platform's health (abort when DOWN unless --force), scans the
slides (a file that looks like a slide but cannot be read is left out, with a
warning), validates every one against the version's input schema (all problems
at once, with file names), uploads what the organization's bucket lacks
(content-addressed keys, verified by CRC32C), signs GET URLs valid for 7 days,
and creates the run with the same duplicate-safe create as runs create.
Prints the run id (-o json: the run). --dry-run prints the request instead,
signatures masked, and neither uploads nor sends anything.`
}

// Run submits and prints the run id, or the run with -o json|jsonl.
func (c *RunsSubmitCmd) Run(ctx context.Context, f *Factory) error {
	run, err := c.submit(ctx, f)
	if err != nil || run == nil {
		return err
	}
	if !f.Output().Explicit() {
		return f.Output().Value(run.ID, nil)
	}
	d, err := run.Details(ctx)
	if err != nil {
		return err
	}
	return f.Output().JSON(d)
}

// submitPlan is one slide on its way into a run.
type submitPlan struct {
	slide  slides.Slide
	bucket string // where it is (or will be) in the organization's bucket
	key    string
	upload bool // not there yet (or not known to be): upload it
}

// check reads the flags that need no network, before anything is sent.
func (c *RunsSubmitCmd) check(f *Factory) (app, version string, custom map[string]any, opts resources.RunOptions, scan slides.Options, err error) {
	if app, version, err = resources.ParseAppRef(c.App); err != nil {
		return "", "", nil, opts, scan, cliError(KindUsage, err)
	}
	if (len(c.Paths) == 0) == (c.CSV == "") {
		return "", "", nil, opts, scan, cliErrorf(KindUsage, "give PATHs or --csv FILE (one of the two)")
	}
	if c.Parallel < 1 || c.Parallel > 64 {
		return "", "", nil, opts, scan, cliErrorf(KindUsage, "--parallel %d: must be between 1 and 64", c.Parallel)
	}
	if c.CustomMetadata != "" {
		if custom, err = parseObject("--custom-metadata", c.CustomMetadata); err != nil {
			return "", "", nil, opts, scan, err
		}
	}
	if opts, err = c.options(f, custom); err != nil {
		return "", "", nil, opts, scan, err
	}
	scan = slides.Options{ExternalID: slides.ExternalID(c.ExternalID)}
	for _, s := range c.Mapping {
		m, err := slides.ParseMapping(s)
		if err != nil {
			return "", "", nil, opts, scan, cliErrorf(KindUsage, "--mapping: %v", err)
		}
		scan.Mappings = append(scan.Mappings, m)
	}
	if c.CSV != "" && len(c.Mapping) > 0 {
		return "", "", nil, opts, scan, cliErrorf(KindUsage, "--mapping applies to scanned PATHs; a CSV carries its metadata in its columns")
	}
	upload := resources.UploadOptions{Prefix: c.Prefix}
	upload.PartSize = resources.MinPartSize
	if err := (*resources.Bucket)(nil).CheckUploadOptions(upload); err != nil {
		return "", "", nil, opts, scan, cliErrorf(KindUsage, "--prefix %q: %s", c.Prefix, strings.TrimPrefix(err.Error(), resources.ErrBadUploadOptions.Error()+": "))
	}
	return app, version, custom, opts, scan, nil
}

// submit does the work of runs submit (and of runs execute before its
// watch): nil run and no error after a dry run.
func (c *RunsSubmitCmd) submit(ctx context.Context, f *Factory) (*resources.Run, error) {
	app, version, custom, opts, scanOpts, err := c.check(f)
	if err != nil {
		return nil, err
	}
	out := f.Output()
	h, err := platformHealth(ctx, f)
	if err == nil && h.Status == healthDown {
		// One answer can be a blip (a reset connection, one 503): DOWN
		// must be said twice before the submit gives up.
		f.Debugf("runs submit: health DOWN (%s); checking once more", h.Reason)
		h, err = platformHealth(ctx, f)
	}
	if err != nil {
		return nil, err
	}
	if pub := h.Components["api_public"]; h.Components["api_authenticated"].Reason == reasonNotLoggedIn {
		// Not the platform's state: the first API call below asks for a
		// login as every command does (exit 4 in a script).
		h.Status, h.Reason = pub.Status, "api_public: "+pub.Reason
	}
	if h.Status == healthDown {
		if !c.Force {
			return nil, cliErrorf(KindServer, "the platform is DOWN (%s); nothing was sent (--force submits anyway)", h.Reason)
		}
		out.Notef("warning: the platform is DOWN (%s); submitting anyway (--force)", h.Reason)
	}
	cl, err := f.Client()
	if err != nil {
		return nil, err
	}
	v, err := slideVersion(ctx, cl, app, version, "")
	if err != nil {
		return nil, err
	}
	artifact := v.InputArtifacts[0].Name
	bucket, err := cl.OrgBucket(ctx)
	if errors.Is(err, resources.ErrNoBucketKeys) {
		return nil, cliError(KindConfig, fmt.Errorf("slides are uploaded to and signed on the organization's bucket, but %w", err))
	}
	if err != nil {
		return nil, err
	}
	found, err := c.slides(ctx, f, scanOpts)
	if err != nil {
		return nil, err
	}
	// Every slide against the schema, all problems at once, with its file.
	ps := resources.ValidateRunWith(v, slideItems(found, artifact, nil), resources.ValidateOptions{Debugf: f.Debugf, NoDownloadURLs: true})
	if len(ps) > 0 {
		for i := range ps {
			if j := ps[i].Index; j >= 0 && j < len(found) && found[j].Path != "" {
				ps[i].Message = fmt.Sprintf("%s: %s", found[j].Path, ps[i].Message)
			}
		}
		return nil, reportProblems(f, fmt.Sprintf("%d problem(s) with the slides for %s:%s; nothing was uploaded or sent", len(ps), app, v.VersionNumber), ps)
	}
	plans, err := c.plan(bucket, found)
	if err != nil {
		return nil, err
	}
	if !c.DryRun {
		if err := c.upload(ctx, f, bucket, plans); err != nil {
			return nil, err
		}
	}
	// GET URLs for 7 days: the platform may queue the run for days.
	now := f.Now()
	buckets := make([]*resources.PlatformBucket, len(plans))
	items := slideItems(found, artifact, nil)
	for i, p := range plans {
		sig, err := bucket.SignURL(p.bucket, http.MethodGet, p.key, resources.InputURLExpiry, now)
		if err != nil {
			return nil, cliError(KindInvalid, fmt.Errorf("sign %s: %w", found[i].ExternalID, err))
		}
		items[i].InputArtifacts[0].DownloadURL = sig.URL
		buckets[i] = &resources.PlatformBucket{BucketName: p.bucket, ObjectKey: p.key, SignedDownloadURL: sig.URL}
	}
	vn := v.VersionNumber
	req := resources.RunCreationRequest{ApplicationID: app, VersionNumber: &vn, CustomMetadata: custom, Items: items}
	if ps := resources.ValidateRunDebug(v, items, f.Debugf); len(ps) > 0 {
		return nil, problemsError(f, app, vn, ps)
	}
	if err := c.apply(ctx, f, cl, opts, &req, buckets); err != nil {
		return nil, err
	}
	if c.DryRun {
		uploads := 0
		for _, p := range plans {
			if p.upload {
				uploads++
			}
		}
		out.Notef("dry run: %d slide(s) valid for %s:%s, %d to upload to gs://%s (skipped if there); nothing was uploaded or sent; signatures are shown as REDACTED", len(found), app, vn, uploads, bucket.Name)
		return nil, out.JSON(redactRequest(req))
	}
	run, err := cl.Runs().Create(ctx, req)
	if err != nil {
		return nil, err
	}
	if run.Recovered {
		out.Notef("note: the create request got no answer; run %s, submitted moments ago with external id %q, is taken to be the one just created", run.ID, items[0].ExternalID)
	}
	out.Notef("submitted run %s: %d slide(s) to %s:%s", run.ID, len(items), app, vn)
	f.Hooks().Fire(ctx, hooks.RunSubmitted, map[string]any{
		"run_id": run.ID, "application_id": app, "version_number": vn, "item_count": len(items),
	})
	return run, nil
}

// slides scans the PATHs (with checksums) or reads the CSV.
func (c *RunsSubmitCmd) slides(ctx context.Context, f *Factory, opts slides.Options) ([]slides.Slide, error) {
	if c.CSV != "" {
		list, err := slides.ReadCSVFile(c.CSV)
		if err != nil {
			return nil, cliError(KindInvalid, err)
		}
		if len(list) == 0 {
			return nil, cliErrorf(KindInvalid, "--csv %s: no slides in it", c.CSV)
		}
		// A CSV written without checksums (slides scan --no-checksum) gets
		// them from the files, as the upload would.
		for i := range list {
			if list[i].Checksum != "" || list[i].BucketURL != "" || list[i].Path == "" {
				continue
			}
			sum, size, err := fileChecksum(ctx, list[i].Path)
			if err != nil {
				return nil, cliErrorf(KindInvalid, "--csv %s: slide %q: %v", c.CSV, list[i].ExternalID, err)
			}
			list[i].Checksum, list[i].SizeBytes = sum, size
		}
		return list, nil
	}
	progress := newScanProgress(f)
	opts.Progress = progress.update
	var found []slides.Slide
	unreadable := 0
	for e, err := range slides.Scan(ctx, c.Paths, opts) {
		if err != nil {
			progress.finish()
			if errors.Is(err, slides.ErrBadPath) {
				return nil, cliError(KindInvalid, err)
			}
			return nil, err
		}
		switch {
		case e.Slide != nil:
			found = append(found, *e.Slide)
		case e.Err != nil:
			unreadable++
			progress.around(func() { f.Output().Notef("warning: left out of the run: %v", e.Err) })
		default:
			f.Debugf("runs submit: skipped %s: %s", e.Path, e.Skipped)
		}
	}
	progress.finish()
	// As the Python SDK's prepare, a file that cannot be read is left out
	// (said above, and once more here); without any slide there is no run.
	if len(found) == 0 {
		if unreadable > 0 {
			return nil, cliErrorf(KindInvalid, "%d file(s) that look like slides could not be read, and there is no other slide under %s", unreadable, strings.Join(c.Paths, ", "))
		}
		return nil, cliErrorf(KindInvalid, "no slides under %s", strings.Join(c.Paths, ", "))
	}
	if unreadable > 0 {
		f.Output().Notef("warning: %d file(s) that look like slides could not be read and are left out; %d slide(s) go on", unreadable, len(found))
	}
	return found, nil
}

// plan says where each slide is or will be: a CSV's platform_bucket_url as
// it is (it must be in the organization's bucket, whose keys sign it), else
// the content-addressed key the upload uses.
func (c *RunsSubmitCmd) plan(b *resources.Bucket, found []slides.Slide) ([]submitPlan, error) {
	prefix := c.Prefix
	if prefix == "" {
		prefix = resources.DefaultUploadPrefix()
	}
	plans := make([]submitPlan, len(found))
	for i, s := range found {
		if s.BucketURL != "" {
			u, err := gcs.ParseURL(s.BucketURL)
			if err != nil {
				return nil, cliErrorf(KindInvalid, "slide %q: platform_bucket_url: %v", s.ExternalID, err)
			}
			if u.Bucket != b.Name {
				return nil, cliErrorf(KindInvalid, "slide %q: %s is not in the organization's bucket gs://%s, whose keys sign the inputs", s.ExternalID, s.BucketURL, b.Name)
			}
			plans[i] = submitPlan{slide: s, bucket: u.Bucket, key: u.Object}
			continue
		}
		crc, err := checksum.Decode(s.Checksum)
		if err != nil || s.Path == "" {
			return nil, cliErrorf(KindInvalid, "slide %q: no local file with a checksum to upload (%v)", s.ExternalID, err)
		}
		if s.SizeBytes <= 0 { // from a CSV: the file says
			st, err := os.Stat(s.Path)
			if err != nil || !st.Mode().IsRegular() {
				return nil, cliErrorf(KindInvalid, "slide %q: %s is no file to upload (%v)", s.ExternalID, s.Path, err)
			}
			s.SizeBytes = st.Size()
		}
		size := s.SizeBytes
		plans[i] = submitPlan{slide: s, bucket: b.Name, key: resources.ObjectKey(prefix, crc, size, filepath.Base(s.Path)), upload: true}
	}
	return plans, nil
}

// upload sends the slides that need it (an object already there with the
// same size and CRC32C is skipped), with the live line of slides upload;
// any failure stops the submit before the run is created.
func (c *RunsSubmitCmd) upload(ctx context.Context, f *Factory, b *resources.Bucket, plans []submitPlan) error {
	var files []resources.UploadFile
	var total int64
	want := map[string]string{} // path -> planned key
	for _, p := range plans {
		if p.upload {
			files = append(files, resources.UploadFile{Path: p.slide.Path, Checksum: p.slide.Checksum})
			total += p.slide.SizeBytes
			want[p.slide.Path] = p.key
		}
	}
	if len(files) == 0 {
		return nil
	}
	opts := resources.UploadOptions{Prefix: c.Prefix, Parallel: c.Parallel}
	if s, err := f.Settings(); err == nil {
		if s.CacheDir != "" {
			opts.JournalDir = filepath.Join(s.CacheDir, "uploads")
		}
		opts.RetryBase = s.AuthorizationBackoff
	}
	progress := newUploadProgress(f, len(files), total)
	opts.Progress = progress.event
	var integrity, failed []resources.UploadResult
	uploaded, skipped := 0, 0
	for r, err := range b.Upload(ctx, files, opts) {
		if r.Path == "" && err != nil {
			progress.finish()
			return cliError(KindUsage, err)
		}
		if err != nil {
			if ctx.Err() != nil {
				continue
			}
			if errors.Is(err, resources.ErrIntegrity) {
				integrity = append(integrity, r)
			} else {
				failed = append(failed, r)
			}
			progress.around(func() { f.Output().Notef("upload failed: %s", r.Error) })
			if st := statusOf(err); st == http.StatusForbidden || st == http.StatusUnauthorized {
				break
			}
			continue
		}
		if k := want[r.Path]; k != r.Key {
			progress.finish()
			return fmt.Errorf("upload of %s landed at %s, not at %s", r.Path, r.Key, k)
		}
		switch r.Status {
		case resources.UploadUploaded:
			uploaded++
		case resources.UploadSkipped:
			skipped++
		}
	}
	progress.finish()
	f.Output().Notef("slides: %d uploaded, %d already in gs://%s", uploaded, skipped, b.Name)
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("upload interrupted after %d of %d file(s); no run was created (run the command again to resume): %w", uploaded+skipped, len(files), context.Cause(ctx))
	case len(integrity) > 0:
		return fmt.Errorf("%d slide(s) failed verification after upload, first %s; no run was created: %w", len(integrity), integrity[0].Path, integrity[0].Err())
	case len(failed) > 0:
		return fmt.Errorf("%d slide(s) not uploaded, first %s; no run was created: %w", len(failed), failed[0].Path, failed[0].Err())
	}
	return nil
}

// fileChecksum is the CRC32C (base64) and size of a regular file.
func fileChecksum(ctx context.Context, path string) (string, int64, error) {
	file, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer file.Close()
	if st, err := file.Stat(); err != nil || !st.Mode().IsRegular() {
		return "", 0, fmt.Errorf("%s is not a regular file", path)
	}
	h := checksum.New()
	n, err := io.Copy(h, ctxReader{ctx, file})
	if err != nil {
		return "", 0, fmt.Errorf("read %s: %w", path, err)
	}
	return checksum.Encode(h.Sum32()), n, nil
}

// ctxReader stops a long read once ctx is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
