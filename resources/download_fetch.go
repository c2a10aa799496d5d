package resources

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aignostics/aignostics/checksum"
	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/internal/filelock"
	"github.com/aignostics/aignostics/internal/retry"
)

// A file's download lock is broken when its holder is gone (or cannot be
// the holder); by time only after fileLockStale, which no download takes.
const (
	fileLockStale = 24 * time.Hour
	fileLockPoll  = 100 * time.Millisecond
)

// fetch produces one artifact's file: skipped when present and matching,
// otherwise transferred (resuming a .part file) and verified.
func (d *downloader) fetch(ctx context.Context, j job, buf []byte) DownloadedFile {
	f := j.file
	fail := func(err error) DownloadedFile {
		f.Status, f.err = FileFailed, err
		return f
	}
	verify := !d.o.NoVerify
	if verify && j.want == "" {
		return fail(fmt.Errorf("artifact %s of item %q has no %q in its metadata: %w",
			f.Name, f.ExternalID, d.o.ChecksumKey, ErrMissingChecksum))
	}
	if j.want != "" {
		if _, err := checksum.Decode(j.want); err != nil {
			if verify {
				return fail(fmt.Errorf("artifact %s of item %q: metadata %s: %w: %w", f.Name, f.ExternalID, d.o.ChecksumKey, ErrIntegrity, err))
			}
			j.want = ""
		}
	}
	if err := inside(d.planner.root, f.Path); err != nil {
		return fail(err)
	}
	if err := noLinksBelow(d.planner.root, f.Path); err != nil {
		return fail(err)
	}
	if err := mkdirFor(f.Path); err != nil {
		return fail(fmt.Errorf("create folder for %s: %w", f.Path, err))
	}
	if err := noLinksBelow(d.planner.root, f.Path); err != nil {
		return fail(err) // planted while the folders were made
	}
	// At most one process writes a file at a time: another one downloading
	// the same run into the same folder (a second terminal, a retried CI
	// job) is waited for, and its verified file then found and kept.
	lockOpts := filelock.Options{Stale: fileLockStale, Poll: fileLockPoll, Clock: d.run.c.o.Clock}
	lock, err := filelock.Acquire(ctx, f.Path+".part.lock", lockOpts)
	if busy := (*filelock.BusyError)(nil); errors.As(err, &busy) {
		d.run.c.debugf("download: process %d is writing %s; waiting for it", busy.PID, f.Path)
		lockOpts.Wait = fileLockStale
		lock, err = filelock.Acquire(ctx, f.Path+".part.lock", lockOpts)
	}
	if err != nil {
		return fail(fmt.Errorf("download %s of item %q: %w", f.Name, f.ExternalID, err))
	}
	defer lock.Release()
	part, etagPath := partPaths(f.Path)
	for _, p := range []string{f.Path, part, etagPath} {
		if err := replaceNonRegular(p); err != nil {
			return fail(err)
		}
	}
	if st, err := os.Lstat(f.Path); err == nil && st.Mode().IsRegular() {
		if j.want == "" { // NoVerify and nothing to compare with: keep it
			f.Status, f.Size = FileSkipped, st.Size()
			return f
		}
		crc, n, err := fileCRC(f.Path, buf)
		if err == nil && checksum.Compare(f.Path, j.want, crc) == nil {
			f.Status, f.Size, f.CRC32C, f.Verified = FileSkipped, n, checksum.Encode(crc), true
			return f
		}
		// Known not to be the artifact: remove it now, so that a failed or
		// interrupted download again leaves no wrong file under the final name.
		d.run.c.debugf("download: %s is present but its checksum differs; removing it and downloading it again", f.Path)
		if err := os.Remove(f.Path); err != nil {
			return fail(fmt.Errorf("remove %s (its checksum differs from the artifact's): %w", f.Path, err))
		}
	}
	return d.transfer(ctx, f, j.want, buf)
}

// fileCRC returns the CRC32C and size of a file.
func fileCRC(path string, buf []byte) (uint32, int64, error) {
	fh, err := openNoFollow(path, os.O_RDONLY, 0)
	if err != nil {
		return 0, 0, err
	}
	defer fh.Close()
	var crc uint32
	var n int64
	for {
		k, err := fh.Read(buf)
		crc = checksum.Update(crc, buf[:k])
		n += int64(k)
		if err == io.EOF {
			return crc, n, nil
		}
		if err != nil {
			return 0, 0, fmt.Errorf("read %s: %w", path, err)
		}
	}
}

// transfer streams the artifact into its .part file (resuming what a previous
// attempt left, when its ETag is known), verifies it and renames it into place.
func (d *downloader) transfer(ctx context.Context, f DownloadedFile, want string, buf []byte) DownloadedFile {
	part, etagPath := partPaths(f.Path)
	fail := func(err error) DownloadedFile {
		f.Status, f.err = FileFailed, err
		return f
	}
	var (
		offset int64
		crc    uint32
		etag   string
	)
	if b, err := readSmallNoFollow(etagPath, 1024); err == nil && strongETag(string(b)) {
		if c, n, err := fileCRC(part, buf); err == nil && n > 0 {
			offset, crc, etag, f.Resumed = n, c, string(b), true
		}
	}
	file, err := openNoFollow(part, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return fail(fmt.Errorf("open %s: %w", part, err))
	}
	defer func() {
		file.Close() // after the explicit Close below this is a harmless no-op
		if st, err := os.Stat(part); err == nil && st.Size() == 0 {
			os.Remove(part) // nothing arrived: nothing to resume
			os.Remove(etagPath)
		}
	}()

	var last http.Header
	started := false
	for attempt := 1; ; attempt++ {
		resp, err := d.open(ctx, f.ArtifactID, offset, etag)
		if err != nil {
			switch {
			case errors.Is(err, httpx.ErrGone):
				file.Close()
				os.Remove(part)
				os.Remove(etagPath)
				f.Status, f.err = FileDeleted, fmt.Errorf("artifact %s of item %q: %w", f.Name, f.ExternalID, err)
				return f
			case statusOf(err) == http.StatusRequestedRangeNotSatisfiable && offset > 0:
				offset, crc, etag = 0, 0, "" // the .part no longer fits the object: start over
				continue
			}
			return fail(fmt.Errorf("download %s of item %q: %w", f.Name, f.ExternalID, err))
		}
		total := int64(-1)
		switch start, size, ok := contentRange(resp.Header.Get("Content-Range")); {
		case resp.StatusCode == http.StatusPartialContent && ok && start == offset:
			total = size
		case resp.StatusCode == http.StatusOK:
			offset, crc, total = 0, 0, resp.ContentLength
		default:
			resp.Body.Close()
			if attempt >= d.o.Attempts {
				return fail(fmt.Errorf("download %s of item %q: unexpected answer %s (Content-Range %q)", f.Name, f.ExternalID, resp.Status, resp.Header.Get("Content-Range")))
			}
			offset, crc, etag = 0, 0, ""
			continue
		}
		if offset == 0 {
			etag = resp.Header.Get("ETag")
			if err := restart(file, etagPath, etag); err != nil {
				resp.Body.Close()
				return fail(err)
			}
		} else if _, err := file.Seek(offset, io.SeekStart); err != nil {
			resp.Body.Close()
			return fail(fmt.Errorf("seek %s: %w", part, err))
		}
		if !started {
			started = true
			f.Size = total
			d.emit(DownloadEvent{Type: EventStart, File: &f})
		}
		n, c, werr, rerr := d.copy(file, resp.Body, buf, crc, &f)
		resp.Body.Close()
		offset, crc, last = offset+n, c, resp.Header
		if werr != nil {
			return fail(fmt.Errorf("write %s: %w", part, werr))
		}
		if rerr == nil {
			break
		}
		if ctx.Err() != nil {
			return fail(fmt.Errorf("download %s of item %q: %w", f.Name, f.ExternalID, context.Cause(ctx)))
		}
		if attempt >= d.o.Attempts {
			return fail(fmt.Errorf("download %s of item %q: transfer broke %d times, last: %w (the .part file is kept and resumed next time)", f.Name, f.ExternalID, attempt, rerr))
		}
		d.run.c.debugf("download %s: transfer broke after %d bytes (%v); resuming", f.Path, offset, rerr)
		f.Resumed = true
		if err := d.resumePolicy().Wait(ctx, attempt, 0, rerr); err != nil {
			return fail(fmt.Errorf("download %s of item %q: %w", f.Name, f.ExternalID, err))
		}
	}
	if err := file.Close(); err != nil {
		return fail(fmt.Errorf("write %s: %w", part, err))
	}
	if ctx.Err() != nil { // interrupted: leave only the .part, even when complete
		return fail(fmt.Errorf("download %s of item %q: %w", f.Name, f.ExternalID, context.Cause(ctx)))
	}
	f.Size, f.CRC32C = offset, checksum.Encode(crc)
	if !d.o.NoVerify {
		if err := verifyAll(f.Path, crc, want, last); err != nil {
			os.Remove(part)
			os.Remove(etagPath)
			return fail(err)
		}
		f.Verified = true
	}
	if err := os.Rename(part, f.Path); err != nil {
		return fail(fmt.Errorf("rename %s: %w", part, err))
	}
	os.Remove(etagPath)
	f.Status = FileDownloaded
	return f
}

// verifyAll checks the file's CRC32C against the metadata value and the
// storage's x-goog-hash (which describes the whole object, also on a 206).
func verifyAll(name string, crc uint32, want string, h http.Header) error {
	if err := checksum.Compare(name, want, crc); err != nil {
		return fmt.Errorf("%w: metadata checksum: %w", ErrIntegrity, err)
	}
	if gh, ok := checksum.GoogHash(h); ok {
		if err := checksum.Compare(name, gh, crc); err != nil {
			return fmt.Errorf("%w: x-goog-hash: %w", ErrIntegrity, err)
		}
	}
	return nil
}

// restart empties the .part file for a full transfer and keeps the ETag beside
// it (or removes a stale one when the answer has no strong ETag).
func restart(file *os.File, etagPath, etag string) error {
	if err := file.Truncate(0); err != nil {
		return fmt.Errorf("truncate %s: %w", file.Name(), err)
	}
	if _, err := file.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("seek %s: %w", file.Name(), err)
	}
	if !strongETag(etag) {
		os.Remove(etagPath)
		return nil
	}
	if err := writeFileNoFollow(etagPath, []byte(etag), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", etagPath, err)
	}
	return nil
}

// open requests the artifact's /file (following the 307 to storage without the
// token), from offset on when it is not 0.
func (d *downloader) open(ctx context.Context, artifactID string, offset int64, etag string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.run.ArtifactFileURL(artifactID), nil)
	if err != nil {
		return nil, err
	}
	// identity: a transparently gunzipped body would not match the stored CRC32C.
	req.Header.Set("Accept-Encoding", "identity")
	if offset > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(offset, 10)+"-")
		if etag != "" {
			req.Header.Set("If-Range", etag)
		}
	}
	return d.run.c.hc.Do(req)
}

// copy streams body into file, updating crc, in reads that fill buf (fewer,
// larger writes). It returns the bytes written and separates write errors (not
// retried) from read errors (the transfer broke: resume).
func (d *downloader) copy(file *os.File, body io.Reader, buf []byte, crc uint32, f *DownloadedFile) (n int64, _ uint32, werr, rerr error) {
	for {
		k, err := fill(body, buf)
		if k > 0 {
			w, e := file.Write(buf[:k])
			crc = checksum.Update(crc, buf[:w])
			n += int64(w)
			d.received(f, int64(w))
			if e != nil {
				return n, crc, e, nil
			}
		}
		if err == io.EOF {
			return n, crc, nil, nil
		}
		if err != nil {
			return n, crc, nil, err
		}
	}
}

// fill reads until buf is full or the reader fails; io.EOF marks the clean end
// (unlike io.ReadFull, which would hide it behind io.ErrUnexpectedEOF).
func fill(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		k, err := r.Read(buf[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// received counts bytes and reports them.
func (d *downloader) received(f *DownloadedFile, n int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.sum.Bytes += n
	if d.o.Progress != nil {
		d.o.Progress(DownloadEvent{Type: EventBytes, File: f, Bytes: n})
	}
}

// resumePolicy is the wait before resuming a broken transfer: from 0.5s,
// doubling, capped at 10s, jittered, for Attempts tries in all.
func (d *downloader) resumePolicy() retry.Policy {
	retries := d.o.Attempts - 1
	if retries <= 0 {
		retries = -1 // none (zero would mean the default)
	}
	return retry.Policy{Base: 500 * time.Millisecond, Cap: 10 * time.Second, Retries: retries, Clock: d.run.c.o.Clock}
}

// strongETag reports a usable If-Range validator: quoted and not weak.
func strongETag(s string) bool {
	return len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' && !strings.ContainsAny(s, "\r\n")
}

// contentRange parses "bytes START-END/SIZE" (SIZE may be "*": -1).
func contentRange(v string) (start, size int64, ok bool) {
	spec, found := strings.CutPrefix(strings.TrimSpace(v), "bytes ")
	if !found {
		return 0, 0, false
	}
	rng, total, found := strings.Cut(spec, "/")
	a, b, found2 := strings.Cut(rng, "-")
	if !found || !found2 {
		return 0, 0, false
	}
	start, okStart := decimal(a)
	end, okEnd := decimal(b)
	if !okStart || !okEnd || end < start {
		return 0, 0, false
	}
	size = -1
	if total != "*" {
		n, okSize := decimal(total)
		if !okSize || n <= end {
			return 0, 0, false
		}
		size = n
	}
	return start, size, true
}

// decimal parses a non-negative decimal number of digits only (no sign, no
// spaces), as HTTP's byte positions are written.
func decimal(s string) (int64, bool) {
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}
