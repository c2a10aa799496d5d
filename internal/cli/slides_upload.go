package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/resources"
	"github.com/aignostics/aignostics/slides"
)

// SlidesUploadCmd is `slides upload`.
type SlidesUploadCmd struct {
	Paths              []string `arg:"" optional:"" name:"PATH" help:"Slide files, or folders walked recursively (as slides scan finds them)."`
	CSV                string   `name:"csv" placeholder:"FILE" help:"Upload the slides of this metadata CSV (ours or the Python SDK's) instead, and fill in its platform_bucket_url column (the file is rewritten once, at the end)."`
	Prefix             string   `name:"prefix" placeholder:"PREFIX" help:"Start of every object key (default: {os user}/slides): PREFIX/{crc32c hex}-{size}/{file name}."`
	PartSize           string   `name:"part-size" default:"32MiB" placeholder:"SIZE" help:"Size of the parts of a multipart upload (5MiB to 5GiB; a local emulator may allow less); default ${default}."`
	MultipartThreshold string   `name:"multipart-threshold" default:"64MiB" placeholder:"SIZE" help:"Files of this size or more go in parts, smaller ones in one PUT; default ${default}."`
	Parallel           int      `name:"parallel" default:"4" placeholder:"N" help:"PUTs (files or parts) in flight across all files (1-256); default ${default}."`
}

// Help is shown below the flags.
func (c *SlidesUploadCmd) Help() string {
	return `Uploads slides to the organization's bucket (GET /v1/me names it and its HMAC
keys) under content-addressed keys, PREFIX/{crc32c as 8 hex digits}-{size}/{name}:
the same content always lands on the same key. An object already there with the
same size and CRC32C is skipped. Large files go in parts, several at a time; an
interrupted upload (Ctrl-C, a lost network, a killed process) resumes with the
parts already sent when run again (a journal in the cache directory). Every
object is checked after its upload: a CRC32C that differs from the file's
deletes it and the command exits 5 once the other files are done.

Prints one object per file: path, gs_url, object_key, size,
checksum_base64_crc32c, status (uploaded, skipped or failed with an error),
bytes_sent. Exit 0 when
every file is in the bucket, 5 on a checksum mismatch, 2 for bad paths, flags
or a bucket that refuses the keys (403), 1 for network or server failures
after retries, 130 on Ctrl-C.`
}

// Run checks the flags, finds the slides, uploads them and reports.
func (c *SlidesUploadCmd) Run(ctx context.Context, f *Factory) error {
	if (len(c.Paths) == 0) == (c.CSV == "") {
		return cliErrorf(KindUsage, "give PATHs or --csv FILE (one of the two)")
	}
	partSize, err := parseByteSize(c.PartSize)
	if err != nil {
		return cliErrorf(KindUsage, "--part-size %q: %v", c.PartSize, err)
	}
	threshold, err := parseByteSize(c.MultipartThreshold)
	if err != nil || threshold < 1 {
		return cliErrorf(KindUsage, "--multipart-threshold %q: want a size such as 64MiB", c.MultipartThreshold)
	}
	if c.Parallel < 1 || c.Parallel > 256 {
		return cliErrorf(KindUsage, "--parallel %d: must be from 1 to 256", c.Parallel)
	}
	opts := resources.UploadOptions{Prefix: c.Prefix, PartSize: partSize, MultipartThreshold: threshold, Parallel: c.Parallel}
	// Flags first: a bad prefix is told before a long scan (the part size
	// needs the bucket's minimum, known later).
	if err := (*resources.Bucket)(nil).CheckUploadOptions(withMinPart(opts)); err != nil {
		return cliErrorf(KindUsage, "%s", uploadOptionMessage(err, c))
	}
	// The bucket before the scan: a missing login, or an organization
	// without keys, is told before a long scan, not after.
	cl, err := f.Client()
	if err != nil {
		return err
	}
	bucket, err := cl.OrgBucket(ctx)
	if err != nil {
		return err
	}
	if err := bucket.CheckUploadOptions(opts); err != nil {
		return cliErrorf(KindUsage, "%s", uploadOptionMessage(err, c))
	}
	found, unreadable, err := c.slides(ctx, f)
	if err != nil {
		return err
	}
	if s, err := f.Settings(); err == nil {
		if s.CacheDir != "" {
			opts.JournalDir = filepath.Join(s.CacheDir, "uploads")
		}
		opts.RetryBase = s.AuthorizationBackoff // the one retry base of every request
	}
	f.Debugf("slides upload: %d file(s) to %s at %s, parts of %d bytes from %d bytes, %d in flight",
		len(found), bucket.Name, bucket.Endpoint, partSize, threshold, c.Parallel)
	if err := c.upload(ctx, f, bucket, found, opts); err != nil {
		return err
	}
	if unreadable > 0 {
		return cliErrorf(KindFailed, "%d file(s) that look like slides could not be read (the others were uploaded)", unreadable)
	}
	return nil
}

// withMinPart relaxes the part size check of the prefix check that runs
// before the bucket (and its minimum part size) is known.
func withMinPart(o resources.UploadOptions) resources.UploadOptions {
	o.PartSize = resources.MinPartSize
	return o
}

// uploadOptionMessage names the flag of an options error.
func uploadOptionMessage(err error, c *SlidesUploadCmd) string {
	msg := strings.TrimPrefix(err.Error(), resources.ErrBadUploadOptions.Error()+": ")
	switch {
	case strings.HasPrefix(msg, "part size"):
		return fmt.Sprintf("--part-size %q: %s", c.PartSize, msg)
	case strings.HasPrefix(msg, "multipart threshold"):
		return fmt.Sprintf("--multipart-threshold %q: %s", c.MultipartThreshold, msg)
	case strings.Contains(msg, "prefix"):
		return fmt.Sprintf("--prefix %q: %s", c.Prefix, msg)
	}
	return msg
}

// slides finds what to upload: a scan of the PATHs (with checksums), or
// the CSV's slides, whose files must all exist.
func (c *SlidesUploadCmd) slides(ctx context.Context, f *Factory) ([]slides.Slide, int, error) {
	if c.CSV != "" {
		list, err := slides.ReadCSVFile(c.CSV)
		if err != nil {
			return nil, 0, cliError(KindInvalid, err)
		}
		if len(list) == 0 {
			return nil, 0, cliErrorf(KindInvalid, "--csv %s: no slides in it", c.CSV)
		}
		for i := range list {
			st, err := os.Stat(list[i].Path)
			switch {
			case err != nil:
				return nil, 0, cliErrorf(KindInvalid, "--csv %s: slide %q: %v", c.CSV, list[i].ExternalID, err)
			case !st.Mode().IsRegular():
				return nil, 0, cliErrorf(KindInvalid, "--csv %s: slide %q: %s is not a regular file", c.CSV, list[i].ExternalID, list[i].Path)
			}
			list[i].SizeBytes = st.Size()
		}
		return list, 0, nil
	}
	out := f.Output()
	progress := newScanProgress(f)
	var found []slides.Slide
	unreadable := 0
	for e, err := range slides.Scan(ctx, c.Paths, slides.Options{Progress: progress.update}) {
		if err != nil {
			progress.finish()
			if errors.Is(err, slides.ErrBadPath) {
				return nil, 0, cliError(KindInvalid, err)
			}
			return nil, 0, err
		}
		switch {
		case e.Slide != nil:
			found = append(found, *e.Slide)
		case e.Err != nil:
			unreadable++
			progress.around(func() { out.Notef("error: %v", e.Err) })
		default:
			f.Debugf("slides upload: skipped %s: %s", e.Path, e.Skipped)
		}
	}
	progress.finish()
	if len(found) == 0 {
		if unreadable > 0 {
			return nil, 0, cliErrorf(KindFailed, "%d file(s) that look like slides could not be read, and there is no other slide", unreadable)
		}
		return nil, 0, cliErrorf(KindInvalid, "no slides under %s", strings.Join(c.Paths, ", "))
	}
	return found, unreadable, nil
}

// upload sends the slides, printing one object per file as each finishes,
// then rewrites the CSV and returns the failures' error (integrity first).
func (c *SlidesUploadCmd) upload(ctx context.Context, f *Factory, b *resources.Bucket, found []slides.Slide, opts resources.UploadOptions) error {
	out := f.Output()
	files := make([]resources.UploadFile, len(found))
	var total int64
	for i, s := range found {
		files[i] = resources.UploadFile{Path: s.Path, Checksum: s.Checksum}
		total += s.SizeBytes
	}
	progress := newUploadProgress(f, len(files), total)
	opts.Progress = progress.event
	list := out.List("STATUS", "PATH", "SIZE", "OBJECT")
	done := map[string]resources.UploadResult{} // by path: uploaded or skipped
	var (
		integrity, failed []resources.UploadResult
		uploaded, skipped int
		sent              int64
	)
	for r, err := range b.Upload(ctx, files, opts) {
		if r.Path == "" && err != nil { // the options (checked before: not expected)
			progress.finish()
			list.Abort()
			return cliError(KindUsage, err)
		}
		switch r.Status {
		case resources.UploadUploaded:
			uploaded++
		case resources.UploadSkipped:
			skipped++
		}
		sent += r.BytesSent
		if err != nil {
			if ctx.Err() != nil {
				continue // interrupted: said once below
			}
			if errors.Is(err, resources.ErrIntegrity) {
				integrity = append(integrity, r)
			} else {
				failed = append(failed, r)
			}
			var werr error
			progress.around(func() {
				if out.Format() == FormatText {
					out.Notef("failed: %s", r.Error)
				}
				werr = list.Add(r, r.Status, r.Path, humanBytes(r.Size), r.URL)
			})
			if werr != nil {
				progress.finish()
				list.Abort()
				return werr
			}
			if status := statusOf(err); status == http.StatusForbidden || status == http.StatusUnauthorized {
				break // the keys are refused: every other file would fail alike
			}
			continue
		}
		done[r.Path] = r
		var werr error
		progress.around(func() {
			werr = list.Add(r, r.Status, r.Path, humanBytes(r.Size), r.URL)
		})
		if werr != nil {
			progress.finish()
			list.Abort()
			return werr
		}
	}
	progress.finish()
	if err := list.Close(); err != nil {
		return err
	}
	if c.CSV != "" && len(done) > 0 {
		for i := range found {
			if r, ok := done[found[i].Path]; ok {
				found[i].BucketURL = r.URL
				found[i].Checksum = r.Checksum // also when the CSV had none
			}
		}
		if err := slides.WriteCSVFile(c.CSV, found); err != nil {
			return cliError(KindInvalid, err)
		}
		out.Notef("wrote the bucket URLs of %d slide(s) to %s", len(done), c.CSV)
	}
	if out.Format() == FormatText {
		out.Notef("%d uploaded, %d skipped (already there), %d failed; %s sent", uploaded, skipped,
			len(integrity)+len(failed), humanBytes(sent))
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("upload interrupted after %d of %d file(s) (run it again to resume): %w",
			uploaded+skipped, len(files), context.Cause(ctx))
	}
	switch {
	case len(integrity) > 0:
		return fmt.Errorf("%d file(s) failed verification, first %s: %w", len(integrity), integrity[0].Path, integrity[0].Err())
	case statusOf(failed0(failed)) == http.StatusForbidden:
		return fmt.Errorf("%d file(s) not uploaded: the bucket refuses the organization's HMAC keys: %w", len(files)-uploaded-skipped-len(integrity), failed[0].Err())
	case len(failed) > 0:
		return fmt.Errorf("%d file(s) not uploaded, first %s: %w", len(files)-uploaded-skipped-len(integrity), failed[0].Path, failed[0].Err())
	}
	return nil
}

// failed0 is the error of the first failure, if any.
func failed0(failed []resources.UploadResult) error {
	if len(failed) == 0 {
		return nil
	}
	return failed[0].Err()
}

// statusOf is the HTTP status of an *httpx.APIError in err, or 0.
func statusOf(err error) int {
	var ae *httpx.APIError
	if errors.As(err, &ae) {
		return ae.StatusCode
	}
	return 0
}

// parseByteSize reads a size: bytes, or a number with B, KiB, MiB, GiB,
// KB, MB, GB (K, M, G are binary).
func parseByteSize(s string) (int64, error) {
	v := strings.TrimSpace(s)
	units := []struct {
		suffix string
		mult   int64
	}{
		{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30},
		{"KB", 1000}, {"MB", 1000 * 1000}, {"GB", 1000 * 1000 * 1000},
		{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1},
	}
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(strings.ToUpper(v), strings.ToUpper(u.suffix)) && (u.suffix != "B" || !strings.ContainsAny(strings.ToUpper(v), "KMG")) {
			mult, v = u.mult, strings.TrimSpace(v[:len(v)-len(u.suffix)])
			break
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || n > (1<<50)/mult {
		return 0, errors.New("want a size such as 32MiB, 64KiB or 1048576")
	}
	return n * mult, nil
}
