package resources

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/aignostics/aignostics/checksum"
	"github.com/aignostics/aignostics/httpx"
)

// single sends a file in one PUT and checks the bytes sent against crc; a
// file that changed on the way is deleted from the bucket again.
func (u *uploader) single(ctx context.Context, path string, crc uint32, r *UploadResult) error {
	fh, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("upload %s: %w", path, err)
	}
	defer fh.Close()
	if err := u.acquire(ctx); err != nil {
		return fmt.Errorf("upload %s: %w", path, err)
	}
	got, _, err := u.putSection(ctx, "PUT "+r.URL, fh, 0, r.Size, r.Key, nil, r)
	u.release()
	if errors.Is(err, errPartCorrupt) || errors.Is(err, ErrFileChanged) {
		// The storage kept other bytes than the file's: nothing corrupt
		// stays under the content-addressed key.
		if derr := u.remove(ctx, r.Key); derr != nil {
			return fmt.Errorf("upload %s: %w; deleting the object failed too: %v", path, err, derr)
		}
		return fmt.Errorf("upload %s: %w; the object was deleted", path, err)
	}
	if err != nil {
		return fmt.Errorf("upload %s: %w", path, err)
	}
	r.BytesSent = r.Size
	if got != crc {
		what := "the object was deleted"
		if derr := u.remove(ctx, r.Key); derr != nil {
			what = fmt.Sprintf("deleting the object failed: %v", derr)
		}
		return fmt.Errorf("upload %s: the bytes sent have CRC32C %s, not %s; %s: %w",
			path, checksum.Encode(got), r.Checksum, what, ErrFileChanged)
	}
	return nil
}

// partsOf returns the part size and count of a file of size bytes.
func partsOf(size, partSize int64) (int64, int) {
	if min := (size + MaxParts - 1) / MaxParts; partSize < min {
		partSize = min
	}
	n := int((size + partSize - 1) / partSize)
	return partSize, max(n, 1)
}

// multipart sends a file in parts, resuming a journaled upload when one
// matches, and completes it.
func (u *uploader) multipart(ctx context.Context, path string, mtime time.Time, crc uint32, r *UploadResult) error {
	partSize, n := partsOf(r.Size, u.o.PartSize)
	r.Parts = n
	jr := &journal{Version: journalVersion, Bucket: u.b.Name, Key: r.Key, Path: path, Size: r.Size,
		ModTime: mtime.UnixNano(), PartSize: partSize, Parts: map[int]journalPart{}}
	done, err := u.resume(ctx, jr)
	if err != nil {
		return fmt.Errorf("upload %s: %w", path, err)
	}
	// journaled: a journal holds this upload, so an interrupted run can be
	// resumed; otherwise an interruption aborts it (nothing could resume it).
	journaled := jr.UploadID != ""
	if jr.UploadID == "" {
		if jr.UploadID, err = u.initiate(ctx, r.Key); err != nil {
			return fmt.Errorf("upload %s: %w", path, err)
		}
		if err := u.saveJournal(jr); err != nil {
			// Uploading goes on; only a resume after an interruption is lost.
			u.b.debug("upload: %v (an interrupted upload of %s will start over)", err, path)
		} else {
			journaled = u.o.JournalDir != ""
		}
	}
	fh, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("upload %s: %w", path, err)
	}
	defer fh.Close()

	fileCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		mu       sync.Mutex // guards jr, r.BytesSent, firstErr
		firstErr error
		wg       sync.WaitGroup
	)
	for p := 1; p <= n; p++ {
		if _, ok := done[p]; ok {
			u.mu.Lock() // Progress may be reading r (events of parts under way)
			r.Resumed++
			u.mu.Unlock()
			continue
		}
		if err := u.acquire(fileCtx); err != nil {
			break
		}
		off := int64(p-1) * partSize
		size := min(partSize, r.Size-off)
		q := url.Values{"partNumber": {strconv.Itoa(p)}, "uploadId": {jr.UploadID}}
		wg.Go(func() {
			got, etag, err := u.putSection(fileCtx, fmt.Sprintf("PUT %s part %d", r.URL, p), fh, off, size, r.Key, q, r)
			mu.Lock()
			if err != nil {
				if firstErr == nil {
					firstErr = err
					cancel(err)
				}
				mu.Unlock()
				u.release()
				return
			}
			jr.Parts[p] = journalPart{ETag: etag, CRC32C: got, Size: size}
			u.mu.Lock() // Progress may be reading r
			r.BytesSent += size
			u.mu.Unlock()
			jerr := u.saveJournal(jr)
			mu.Unlock()
			// The slot is given back once the part is in the journal, so
			// the part that takes it next is never on its way while this
			// one is stored but not yet recorded (a kill then would make
			// the resume send this one again).
			u.release()
			if jerr != nil {
				u.b.debug("upload: %v (the upload goes on; it cannot resume from here)", jerr)
			}
			u.emit(UploadEvent{Type: UploadEventPart, Result: r, Part: p})
		})
	}
	wg.Wait()
	if ctx.Err() != nil { // interrupted: the journal stays for the next run
		if !journaled {
			u.giveUp(r.Key, jr)
			return fmt.Errorf("upload %s: %w (the multipart upload was aborted: no journal to resume it)", path, context.Cause(ctx))
		}
		return fmt.Errorf("upload %s: %w (%d of %d parts stored; run again to resume)", path, context.Cause(ctx), len(jr.Parts), n)
	}
	if firstErr != nil {
		u.giveUp(r.Key, jr)
		return fmt.Errorf("upload %s: %w", path, firstErr)
	}
	var whole uint32
	for p := 1; p <= n; p++ {
		whole = checksum.Combine(whole, jr.Parts[p].CRC32C, jr.Parts[p].Size)
	}
	if whole != crc {
		u.giveUp(r.Key, jr)
		return fmt.Errorf("upload %s: the parts sent have CRC32C %s, not %s; the upload was aborted: %w",
			path, checksum.Encode(whole), r.Checksum, ErrFileChanged)
	}
	if err := u.complete(ctx, r.Key, jr); err != nil {
		if ctx.Err() == nil || !journaled {
			u.giveUp(r.Key, jr)
		}
		return fmt.Errorf("upload %s: %w", path, err)
	}
	u.removeJournal(jr)
	return nil
}

// giveUp aborts a multipart upload and forgets its journal.
func (u *uploader) giveUp(key string, jr *journal) {
	u.abort(context.Background(), key, jr.UploadID)
	u.removeJournal(jr)
}

// resume fills jr from a matching journal and returns the parts the storage
// still has as it recorded them; an upload the storage no longer knows, or a
// journal of another file version, starts over (the old upload aborted).
func (u *uploader) resume(ctx context.Context, jr *journal) (map[int]journalPart, error) {
	old, ok := u.loadJournal(jr.Bucket, jr.Key)
	if !ok {
		return nil, nil
	}
	if old.Size != jr.Size || old.ModTime != jr.ModTime || old.PartSize != jr.PartSize || old.UploadID == "" {
		u.b.debug("upload: the journal of %s is for another version of the file or part size: starting over", u.b.GS(jr.Key))
		u.giveUp(jr.Key, old)
		return nil, nil
	}
	listed, err := u.listParts(ctx, jr.Key, old.UploadID)
	if status, code := storageStatus(err); status == http.StatusNotFound || code == "NoSuchUpload" {
		u.b.debug("upload: the storage no longer knows upload %s of %s: starting over", old.UploadID, u.b.GS(jr.Key))
		u.removeJournal(old)
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("resume: %w", err)
	}
	jr.UploadID = old.UploadID
	done := map[int]journalPart{}
	for p, jp := range old.Parts {
		if lp, ok := listed[p]; ok && lp.ETag == jp.ETag && lp.Size == jp.Size {
			done[p] = jp
			jr.Parts[p] = jp
		}
	}
	u.b.debug("upload: resuming %s: %d part(s) already stored", u.b.GS(jr.Key), len(done))
	return done, nil
}

// initiate starts a multipart upload (POST ?uploads) and returns its id.
func (u *uploader) initiate(ctx context.Context, key string) (string, error) {
	var id string
	err := u.retry(ctx, "start the multipart upload of "+u.b.GS(key), func(ctx context.Context, _ int) error {
		resp, err := u.b.send(ctx, http.MethodPost, key, url.Values{"uploads": {""}}, nil, 0)
		if err != nil {
			return err
		}
		data, err := u.b.readDoc(resp, key)
		if err != nil {
			return err
		}
		id, err = parseInitiate(data)
		return err
	})
	return id, err
}

// listedPart is a part as list-parts reports it.
type listedPart struct {
	ETag string
	Size int64
}

// listParts lists the stored parts of an upload, page by page.
func (u *uploader) listParts(ctx context.Context, key, id string) (map[int]listedPart, error) {
	out := map[int]listedPart{}
	marker := 0
	for range maxListPartPages {
		var page listPartsPage
		err := u.retry(ctx, "list the parts of "+u.b.GS(key), func(ctx context.Context, _ int) error {
			q := url.Values{"uploadId": {id}}
			if marker > 0 {
				q.Set("part-number-marker", strconv.Itoa(marker))
			}
			resp, err := u.b.send(ctx, http.MethodGet, key, q, nil, 0)
			if err != nil {
				return err
			}
			data, err := u.b.readDoc(resp, key)
			if err != nil {
				return err
			}
			page, err = parseListParts(data)
			return err
		})
		if err != nil {
			return nil, err
		}
		for _, p := range page.Parts {
			out[p.PartNumber] = listedPart{ETag: p.ETag, Size: p.Size}
		}
		if !page.IsTruncated || page.NextPartNumberMarker <= marker {
			return out, nil
		}
		marker = page.NextPartNumberMarker
	}
	return out, nil
}

// complete assembles the parts (POST ?uploadId with the part list). An
// answer lost after the storage completed it makes the next try find no
// upload: the HEAD that follows every file tells.
func (u *uploader) complete(ctx context.Context, key string, jr *journal) error {
	var doc bytes.Buffer
	doc.WriteString("<CompleteMultipartUpload>")
	for p := 1; p <= len(jr.Parts); p++ {
		doc.WriteString("<Part><PartNumber>" + strconv.Itoa(p) + "</PartNumber><ETag>")
		_ = xml.EscapeText(&doc, []byte(jr.Parts[p].ETag))
		doc.WriteString("</ETag></Part>")
	}
	doc.WriteString("</CompleteMultipartUpload>")
	body := doc.Bytes()
	return u.retry(ctx, "complete the multipart upload of "+u.b.GS(key), func(ctx context.Context, attempt int) error {
		resp, err := u.b.send(ctx, http.MethodPost, key, url.Values{"uploadId": {jr.UploadID}}, bytes.NewReader(body), int64(len(body)))
		if status, code := storageStatus(err); attempt > 0 && (status == http.StatusNotFound || code == "NoSuchUpload") {
			return nil // completed by an earlier try whose answer was lost
		}
		if err != nil {
			return err
		}
		data, err := u.b.readDoc(resp, key)
		if err != nil {
			return err
		}
		// S3 may answer 200 with an error document.
		if code, msg := parseXMLError(data); code != "" {
			return &storageError{code: code, APIError: &httpx.APIError{Method: http.MethodPost, URL: u.b.GS(key) + " (multipart upload)",
				StatusCode: http.StatusInternalServerError, Message: httpx.Redact(code + ": " + msg)}}
		}
		return nil
	})
}

// abort ends a multipart upload (best effort: a failure is logged).
func (u *uploader) abort(ctx context.Context, key, id string) {
	ctx = context.WithoutCancel(ctx)
	err := u.retry(ctx, "abort the multipart upload of "+u.b.GS(key), func(ctx context.Context, _ int) error {
		resp, err := u.b.send(ctx, http.MethodDelete, key, url.Values{"uploadId": {id}}, nil, 0)
		if status, _ := storageStatus(err); status == http.StatusNotFound {
			return nil
		}
		if err != nil {
			return err
		}
		drain(resp)
		return nil
	})
	if err != nil {
		u.b.debug("upload: %s", redactSecret(err.Error(), u.b.Key.Secret))
	}
}

// initiateDoc answers POST ?uploads.
type initiateDoc struct {
	XMLName  xml.Name `xml:"InitiateMultipartUploadResult"`
	UploadID string   `xml:"UploadId"`
}

// parseInitiate reads the upload id of an InitiateMultipartUploadResult.
func parseInitiate(data []byte) (string, error) {
	var doc initiateDoc
	if err := xml.Unmarshal(data, &doc); err != nil {
		return "", fmt.Errorf("the storage's answer to starting a multipart upload is not an InitiateMultipartUploadResult: %w", errBadStorageDoc)
	}
	if doc.UploadID == "" || len(doc.UploadID) > 1024 {
		return "", fmt.Errorf("the storage's InitiateMultipartUploadResult has no usable UploadId: %w", errBadStorageDoc)
	}
	return doc.UploadID, nil
}

// errBadStorageDoc: a storage answer that is not the document it should be.
var errBadStorageDoc = errors.New("unexpected storage answer")

// listPartsPage is one page of ListPartsResult.
type listPartsPage struct {
	XMLName              xml.Name `xml:"ListPartsResult"`
	IsTruncated          bool     `xml:"IsTruncated"`
	NextPartNumberMarker int      `xml:"NextPartNumberMarker"`
	Parts                []struct {
		PartNumber int    `xml:"PartNumber"`
		ETag       string `xml:"ETag"`
		Size       int64  `xml:"Size"`
	} `xml:"Part"`
}

// parseListParts reads one page of a ListPartsResult; part numbers outside
// 1..MaxParts and negative sizes are refused.
func parseListParts(data []byte) (listPartsPage, error) {
	var page listPartsPage
	if err := xml.Unmarshal(data, &page); err != nil {
		return listPartsPage{}, fmt.Errorf("the storage's list of parts is not a ListPartsResult: %w", errBadStorageDoc)
	}
	if len(page.Parts) > 1000 {
		return listPartsPage{}, fmt.Errorf("the storage's list of parts has %d parts on one page: %w", len(page.Parts), errBadStorageDoc)
	}
	for _, p := range page.Parts {
		if p.PartNumber < 1 || p.PartNumber > MaxParts || p.Size < 0 {
			return listPartsPage{}, fmt.Errorf("the storage's list of parts has part %d of %d bytes: %w", p.PartNumber, p.Size, errBadStorageDoc)
		}
	}
	return page, nil
}
