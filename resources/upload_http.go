package resources

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aignostics/aignostics/checksum"
	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/internal/retry"
)

// Bounds on what is read of a storage answer.
const (
	maxStorageErrorBody = 64 << 10 // an XML error document
	maxStorageDocBody   = 1 << 20  // initiate, complete, and one page of list parts (1000 parts)
	maxListPartPages    = MaxParts/1000 + 1
	progressChunk       = 1 << 20 // bytes events come at least this large (but the last)
)

// errPartCorrupt: the storage's x-goog-hash of what it stored differs from
// the CRC32C of the bytes sent (corrupted on the way): sent again.
var errPartCorrupt = fmt.Errorf("the storage received other bytes than were sent: %w", ErrIntegrity)

// errAnsweredEarly: a 2xx answer to a PUT whose body was not read whole,
// or to a part without an ETag: not stored, sent again.
var errAnsweredEarly = errors.New("the answer does not show the bytes stored")

// storageHTTP is the client of storage requests.
func (b *Bucket) storageHTTP() *http.Client {
	if b.hc != nil {
		return b.hc
	}
	return http.DefaultClient
}

func (b *Bucket) debug(format string, args ...any) {
	if b.debugf != nil {
		b.debugf(format, args...)
	}
}

// send signs one request on key (a fresh signature for every attempt, so a
// long upload never sends an expired URL) and sends it. A status of 300 or
// more becomes an *httpx.APIError (its body read, bounded, and closed), a
// failure without an answer an *httpx.RequestError; neither names the
// presigned URL.
func (b *Bucket) send(ctx context.Context, method, key string, q url.Values, body io.Reader, size int64) (*http.Response, error) {
	where := b.GS(key) + describeQuery(q)
	sig, err := b.Presign(method, key, q, UploadURLExpiry)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, where, err)
	}
	if body == nil {
		body = http.NoBody
	}
	rctx, cancel := context.WithCancelCause(ctx)
	req, err := http.NewRequestWithContext(rctx, method, sig.URL, body)
	if err != nil {
		cancel(nil)
		return nil, fmt.Errorf("%s %s: build request: %s", method, where, httpx.Redact(err.Error()))
	}
	if body != http.NoBody {
		req.ContentLength = size
		if size == 0 {
			req.Body = http.NoBody
		}
	}
	if method == http.MethodPut || method == http.MethodPost {
		req.Header.Set("Content-Type", "application/octet-stream")
	}
	resp, err := b.storageHTTP().Do(req)
	if err != nil {
		cancel(nil)
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its URL carries the signature
		}
		if ctx.Err() != nil {
			err = context.Cause(ctx)
		}
		return nil, &httpx.RequestError{Method: method, URL: where, Err: err, MaybeSent: true}
	}
	resp.Body = b.boundAnswer(ctx, resp.Body, cancel)
	if resp.StatusCode >= 300 {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, maxStorageErrorBody))
		resp.Body.Close()
		code, msg := parseXMLError(data)
		e := &httpx.APIError{Method: method, URL: where, StatusCode: resp.StatusCode}
		switch {
		case code != "" && msg != "":
			e.Message = code + ": " + msg
		case code != "":
			e.Message = code
		}
		e.Message = httpx.Redact(e.Message)
		return nil, &storageError{APIError: e, code: code,
			after: retry.ParseRetryAfter(resp.Header.Get("Retry-After"), b.clock())}
	}
	return resp, nil
}

// boundAnswer gives the body of a storage answer the whole-answer deadline
// of API answers (from when its headers arrived: the bytes of an upload
// are not under it): a storage dribbling an XML document or an error body
// would otherwise hold the upload, each read within the idle timeout.
// cancel ends the request; Close stops the deadline.
func (b *Bucket) boundAnswer(ctx context.Context, body io.ReadCloser, cancel context.CancelCauseFunc) io.ReadCloser {
	if b.answer == nil {
		return &answerBody{ReadCloser: body, end: func() { cancel(nil) }}
	}
	actx, end := b.answer(ctx)
	stop := context.AfterFunc(actx, func() { cancel(context.Cause(actx)) })
	return &answerBody{ReadCloser: body, actx: actx, end: func() {
		stop()
		_ = end()
		cancel(nil)
	}}
}

// answerBody is a storage answer's body under its deadline; a read cut by
// the deadline fails with its *httpx.AnswerDeadlineError.
type answerBody struct {
	io.ReadCloser
	actx context.Context
	end  func()
	once sync.Once
}

func (a *answerBody) Read(p []byte) (int, error) {
	n, err := a.ReadCloser.Read(p)
	if err != nil && err != io.EOF && a.actx != nil && a.actx.Err() != nil {
		err = context.Cause(a.actx)
	}
	return n, err
}

func (a *answerBody) Close() error {
	err := a.ReadCloser.Close()
	a.once.Do(a.end)
	return err
}

// describeQuery names the multipart parameters of a request for messages.
func describeQuery(q url.Values) string {
	switch {
	case q == nil:
		return ""
	case q.Has("uploads"):
		return " (start a multipart upload)"
	case q.Has("partNumber"):
		return " (part " + q.Get("partNumber") + ")"
	case q.Has("uploadId"):
		return " (multipart upload)"
	}
	return ""
}

// storageError is a storage answer of 300 or more: an *httpx.APIError (for
// errors.Is and errors.As) with the XML error code.
type storageError struct {
	*httpx.APIError
	code  string
	after time.Duration
}

func (e *storageError) Unwrap() error { return e.APIError }

// statusCode returns the status of a storage answer in err's chain, or 0.
func storageStatus(err error) (int, string) {
	var se *storageError
	if errors.As(err, &se) {
		return se.StatusCode, se.code
	}
	return 0, ""
}

// classify marks the failures that may pass for the retry policy: no
// answer, 5xx, 408, 429, an expired or not yet valid signature (signed again
// on the next try), a corrupted part. ctx's end is never retried.
func classify(ctx context.Context, err error) error {
	if err == nil || ctx.Err() != nil {
		return err
	}
	var se *storageError
	if errors.As(err, &se) {
		switch {
		case se.StatusCode >= 500, se.StatusCode == http.StatusRequestTimeout, se.StatusCode == http.StatusTooManyRequests:
			return retry.RetryableAfter(err, se.after)
		case se.code == "ExpiredToken", se.code == "RequestTimeTooSkewed",
			se.StatusCode == http.StatusBadRequest && strings.Contains(strings.ToLower(se.Message), "expired"):
			return retry.Retryable(err)
		}
		return err
	}
	var re *httpx.RequestError
	if errors.As(err, &re) || errors.Is(err, errPartCorrupt) || errors.Is(err, errAnsweredEarly) {
		return retry.Retryable(err)
	}
	return err
}

// retry runs op with the upload's retry policy; each retry is reported.
func (u *uploader) retry(ctx context.Context, what string, op func(ctx context.Context, attempt int) error) error {
	p := retry.Policy{Base: u.o.RetryBase, Cap: 30 * time.Second, Retries: u.o.Retries, Clock: u.b.clk,
		Notify: func(ev retry.Event) {
			msg := redactSecret(ev.String(), u.b.Key.Secret)
			u.b.debug("upload: %s: %s", what, msg)
			u.emit(UploadEvent{Type: UploadEventRetry, Err: errors.New(what + ": " + msg)})
		}}
	return p.Do(ctx, func(ctx context.Context, attempt int) error {
		return classify(ctx, op(ctx, attempt))
	})
}

// objectState is what a HEAD says of an object.
type objectState struct {
	exists bool
	size   int64
	crc    string // base64 CRC32C from x-goog-hash; "" when absent
}

// head asks for an object's size and CRC32C (retried).
func (u *uploader) head(ctx context.Context, key string) (objectState, error) {
	var st objectState
	err := u.retry(ctx, "HEAD "+u.b.GS(key), func(ctx context.Context, _ int) error {
		resp, err := u.b.send(ctx, http.MethodHead, key, nil, nil, 0)
		if status, _ := storageStatus(err); status == http.StatusNotFound {
			st = objectState{}
			return nil
		}
		if err != nil {
			return err
		}
		resp.Body.Close()
		st = objectState{exists: true, size: resp.ContentLength}
		if v := resp.Header.Get("x-goog-stored-content-length"); v != "" {
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				st.size = n
			}
		}
		st.crc, _ = checksum.GoogHash(resp.Header)
		return nil
	})
	return st, err
}

// remove deletes an object (gone already is fine).
func (u *uploader) remove(ctx context.Context, key string) error {
	ctx = context.WithoutCancel(ctx) // a corrupt object goes, even on Ctrl-C
	return u.retry(ctx, "DELETE "+u.b.GS(key), func(ctx context.Context, _ int) error {
		resp, err := u.b.send(ctx, http.MethodDelete, key, nil, nil, 0)
		if status, _ := storageStatus(err); status == http.StatusNotFound {
			return nil
		}
		if err != nil {
			return err
		}
		drain(resp)
		return nil
	})
}

// drain reads a little of a body and closes it, so the connection is reused.
func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxStorageErrorBody))
	resp.Body.Close()
}

// putBody streams a section of a file as a request body, computing its
// CRC32C and reporting the bytes read in events of at least progressChunk.
// The transport may still read it when Do returns: it is locked.
type putBody struct {
	u       *uploader
	r       *UploadResult
	src     io.Reader
	mu      sync.Mutex
	crc     uint32
	n       int64
	pending int64 // read but not yet reported
}

func (u *uploader) newBody(src io.Reader, r *UploadResult) *putBody {
	return &putBody{u: u, r: r, src: src}
}

func (p *putBody) Read(b []byte) (int, error) {
	k, err := p.src.Read(b)
	if k > 0 {
		p.mu.Lock()
		p.crc = checksum.Update(p.crc, b[:k])
		p.n += int64(k)
		p.pending += int64(k)
		var report int64
		if p.pending >= progressChunk {
			report, p.pending = p.pending, 0
		}
		p.mu.Unlock()
		if report > 0 {
			p.u.emit(UploadEvent{Type: UploadEventBytes, Result: p.r, Bytes: report})
		}
	}
	return k, err
}

// done reports the rest of the bytes read and returns the CRC32C and
// count of what was read.
func (p *putBody) done() (uint32, int64) {
	p.mu.Lock()
	report := p.pending
	p.pending = 0
	crc, n := p.crc, p.n
	p.mu.Unlock()
	if report > 0 {
		p.u.emit(UploadEvent{Type: UploadEventBytes, Result: p.r, Bytes: report})
	}
	return crc, n
}

// takeBack withdraws the bytes of a failed attempt from the progress.
func (p *putBody) takeBack() {
	p.mu.Lock()
	sent := p.n - p.pending
	p.pending = 0
	p.n = 0
	p.mu.Unlock()
	if sent > 0 {
		p.u.emit(UploadEvent{Type: UploadEventBytes, Result: p.r, Bytes: -sent})
	}
}

// putSection PUTs size bytes of src (a whole object, or a part with q) and
// returns the CRC32C of the bytes sent, checked against the storage's
// x-goog-hash when it gives one, and the answer's ETag. A failed attempt's
// bytes are taken back from the progress; a file that ended early is
// ErrFileChanged.
func (u *uploader) putSection(ctx context.Context, what string, src io.ReaderAt, off, size int64, key string, q url.Values, r *UploadResult) (crc uint32, etag string, err error) {
	err = u.retry(ctx, what, func(ctx context.Context, _ int) error {
		body := u.newBody(io.NewSectionReader(src, off, size), r)
		resp, err := u.b.send(ctx, http.MethodPut, key, q, body, size)
		got, n := body.done()
		if err != nil {
			body.takeBack()
			if n < size && ctx.Err() == nil && !isAnswer(err) {
				if short := shortFile(src, off+size); short != nil {
					return short
				}
			}
			return err
		}
		drain(resp)
		if n != size || q.Has("partNumber") && resp.Header.Get("ETag") == "" {
			// An answer before the whole body was read, or a part's answer
			// without the ETag that completing needs (a proxy, say): the
			// storage does not hold these bytes.
			body.takeBack()
			return fmt.Errorf("%s: the storage answered %d after %d of %d bytes, ETag %q: %w",
				what, resp.StatusCode, n, size, clipLine(resp.Header.Get("ETag"), 80), errAnsweredEarly)
		}
		if gh, ok := checksum.GoogHash(resp.Header); ok && gh != checksum.Encode(got) {
			body.takeBack()
			return fmt.Errorf("%s: x-goog-hash crc32c=%s, the bytes sent %s: %w", what, gh, checksum.Encode(got), errPartCorrupt)
		}
		crc, etag = got, resp.Header.Get("ETag")
		return nil
	})
	return crc, etag, err
}

// isAnswer reports a storage answer (as opposed to no answer).
func isAnswer(err error) bool {
	status, _ := storageStatus(err)
	return status != 0
}

// shortFile reports ErrFileChanged when the file no longer reaches end.
func shortFile(src io.ReaderAt, end int64) error {
	var one [1]byte
	if end == 0 {
		return nil
	}
	if _, err := src.ReadAt(one[:], end-1); err != nil {
		return fmt.Errorf("%w: it is shorter than when it was announced", ErrFileChanged)
	}
	return nil
}

// parseXMLError reads the Code and Message of a storage XML error document
// (empty when data is none).
func parseXMLError(data []byte) (code, msg string) {
	var doc struct {
		XMLName xml.Name `xml:"Error"`
		Code    string   `xml:"Code"`
		Message string   `xml:"Message"`
	}
	if len(data) > maxStorageErrorBody {
		data = data[:maxStorageErrorBody]
	}
	if err := xml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		return "", ""
	}
	return clipLine(doc.Code, 64), clipLine(doc.Message, 300)
}

// clipLine keeps a server string short and on one line.
func clipLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = s[:n] + "..."
	}
	return s
}

// readDoc reads a bounded XML answer to a request on key and closes it; a
// body cut off is a failure that may pass.
func (b *Bucket) readDoc(resp *http.Response, key string) ([]byte, error) {
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxStorageDocBody+1))
	if err != nil {
		return nil, &httpx.RequestError{Method: resp.Request.Method, URL: b.GS(key), Err: fmt.Errorf("read the answer: %w", err), MaybeSent: true}
	}
	if len(data) > maxStorageDocBody {
		return nil, fmt.Errorf("%s %s: the storage's answer is larger than %d bytes: %w", resp.Request.Method, b.GS(key), maxStorageDocBody, errBadStorageDoc)
	}
	return data, nil
}
