package resources_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aignostics/aignostics/checksum"
	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/resources"
)

// proxy stands between the client and the emulator's storage and
// misbehaves where its hook says so (the hook answers instead, or returns
// false to pass the request on). It counts the requests it sees.
type proxy struct {
	mu    sync.Mutex
	seen  map[string]int // "METHOD partNumber" or "METHOD"
	hook  func(w http.ResponseWriter, r *http.Request, n int) bool
	after func(resp *http.Response) // may rewrite the storage's answers
}

// through points a copy of b at a proxy in front of the emulator's storage.
func (e *uploadEnv) through(t testing.TB, p *proxy) *resources.Bucket {
	t.Helper()
	target, err := url.Parse(e.emu.StorageURL())
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ModifyResponse = func(resp *http.Response) error {
		if p.after != nil {
			p.after(resp)
		}
		return nil
	}
	p.seen = map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		what := r.Method + " " + r.URL.Query().Get("partNumber")
		p.mu.Lock()
		p.seen[what]++
		n := p.seen[what]
		p.mu.Unlock()
		if p.hook != nil && p.hook(w, r, n) {
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	b := *e.bucket
	b.Endpoint = srv.URL
	return &b
}

func (p *proxy) count(what string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.seen[what]
}

func xmlError(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<?xml version='1.0' encoding='UTF-8'?><Error><Code>%s</Code><Message>injected by the test</Message></Error>", code)
}

// TestUploadPartFailsOnce: a part whose PUT fails once (503), a part
// whose signature the storage calls expired once, and a single PUT whose
// connection is cut: each is sent again on its own, the others once; the
// upload completes verified.
func TestUploadPartFailsOnce(t *testing.T) {
	t.Parallel()
	e := newUploadEnv(t, emulator.Options{})
	p := &proxy{hook: func(w http.ResponseWriter, r *http.Request, n int) bool {
		q := r.URL.Query()
		switch {
		case r.Method == http.MethodPut && q.Get("partNumber") == "2" && n == 1:
			xmlError(w, http.StatusServiceUnavailable, "ServiceUnavailable")
			return true
		case r.Method == http.MethodPut && q.Get("partNumber") == "4" && n == 1:
			xmlError(w, http.StatusBadRequest, "ExpiredToken")
			return true
		case r.Method == http.MethodPut && q.Get("partNumber") == "" && n == 1:
			hj, _ := w.(http.Hijacker)
			conn, _, _ := hj.Hijack()
			conn.Close()
			return true
		}
		return false
	}}
	b := e.through(t, p)
	files := []resources.UploadFile{{Path: e.file(t, "parts.tiff", 5*testPart+1)}, {Path: e.file(t, "one.tiff", 1000)}}
	var retries []string
	o := e.opts()
	o.Progress = func(ev resources.UploadEvent) {
		if ev.Type == resources.UploadEventRetry {
			retries = append(retries, ev.Err.Error())
		}
	}
	got, errs := upload(t, b, files, o)
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	for _, f := range files {
		if r := got[f.Path]; r.Status != resources.UploadUploaded {
			t.Errorf("%s: %+v", f.Path, r)
		}
	}
	for part, want := range map[string]int{"1": 1, "2": 2, "3": 1, "4": 2, "5": 1, "6": 1, "": 2} {
		if n := p.count("PUT " + part); n != want {
			t.Errorf("PUT part %q sent %d times, want %d", part, n, want)
		}
	}
	if len(retries) != 3 {
		t.Errorf("retries reported: %q, want 3", retries)
	}
	for _, msg := range retries {
		if strings.Contains(msg, "X-Amz-Signature") || strings.Contains(msg, e.bucket.Key.Secret) {
			t.Errorf("a retry message names a signature or the secret: %s", msg)
		}
	}
}

// TestUploadWrongChecksumDeletes: the storage reports another CRC32C for
// one object after its upload: that object is deleted and its file fails
// with ErrIntegrity; the other file is uploaded all the same.
func TestUploadWrongChecksumDeletes(t *testing.T) {
	t.Parallel()
	e := newUploadEnv(t, emulator.Options{})
	p := &proxy{after: func(resp *http.Response) {
		if resp.Request.Method == http.MethodHead && strings.Contains(resp.Request.URL.Path, "bad.tiff") && resp.StatusCode == 200 {
			resp.Header.Set("x-goog-hash", "crc32c=AAAAAA==")
		}
	}}
	b := e.through(t, p)
	files := []resources.UploadFile{
		{Path: e.file(t, "bad.tiff", 3*testPart)},
		{Path: e.file(t, "good.tiff", 3*testPart)},
	}
	got, errs := upload(t, b, files, e.opts())
	if len(errs) != 1 || !errors.Is(errs[0], resources.ErrIntegrity) {
		t.Fatalf("errors %v, want one integrity failure", errs)
	}
	bad, good := got[files[0].Path], got[files[1].Path]
	if bad.Status != resources.UploadFailed || !strings.Contains(bad.Error, "deleted") {
		t.Errorf("bad: %+v", bad)
	}
	if _, _, ok := e.emu.OrgObject(bad.Key); ok {
		t.Errorf("%s is still in the bucket", bad.Key)
	}
	if good.Status != resources.UploadUploaded {
		t.Errorf("good: %+v", good)
	}
	if _, _, ok := e.emu.OrgObject(good.Key); !ok {
		t.Errorf("%s is missing", good.Key)
	}
}

// TestUploadForbidden: a bucket that refuses the keys (403) fails each
// file with httpx.ErrForbidden at its first request; nothing is retried.
func TestUploadForbidden(t *testing.T) {
	t.Parallel()
	e := newUploadEnv(t, emulator.Options{})
	p := &proxy{hook: func(w http.ResponseWriter, r *http.Request, _ int) bool {
		xmlError(w, http.StatusForbidden, "AccessDenied")
		return true
	}}
	b := e.through(t, p)
	got, errs := upload(t, b, []resources.UploadFile{{Path: e.file(t, "a.tiff", 10)}}, e.opts())
	if len(errs) != 1 || !errors.Is(errs[0], httpx.ErrForbidden) || got[filepath.Join(e.dir, "a.tiff")].Status != resources.UploadFailed {
		t.Fatalf("%v %+v", errs, got)
	}
	if n := p.count("HEAD "); n != 1 {
		t.Errorf("HEAD sent %d times, want once", n)
	}
	if msg := errs[0].Error(); !strings.Contains(msg, "403") || strings.Contains(msg, "X-Amz") {
		t.Errorf("message %q", msg)
	}
}

// TestUploadWithStorageFaults: 503s and reset connections on a share of
// the storage requests: the upload completes with every object verified.
// Corruption of every PUT: the files fail with ErrIntegrity and no object
// and no multipart upload is left behind.
func TestUploadWithStorageFaults(t *testing.T) {
	t.Parallel()
	e := newUploadEnv(t, emulator.Options{Faults: "storage:503@0.2,storage:reset@0.1", Seed: 7})
	var files []resources.UploadFile
	for i := range 6 {
		files = append(files, resources.UploadFile{Path: e.file(t, fmt.Sprintf("s%d.tiff", i), (i+1)*testPart-i)})
	}
	o := e.opts()
	o.Retries = 10
	got, errs := upload(t, e.bucket, files, o)
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	for _, f := range files {
		crc, size := fileCRC(t, f.Path)
		r := got[f.Path]
		if n, c, ok := e.emu.OrgObject(r.Key); r.Status != resources.UploadUploaded || !ok || n != size || c != checksum.Encode(crc) {
			t.Errorf("%s: %+v; stored %d %s %v", f.Path, r, n, c, ok)
		}
	}

	c := newUploadEnv(t, emulator.Options{Faults: "storage:corrupt"})
	files = []resources.UploadFile{{Path: c.file(t, "one.tiff", 1000)}, {Path: c.file(t, "parts.tiff", 3*testPart)}}
	o = c.opts()
	o.Retries = 2
	got, errs = upload(t, c.bucket, files, o)
	if len(errs) != 2 {
		t.Fatalf("errors %v, want both files failed", errs)
	}
	for _, err := range errs {
		if !errors.Is(err, resources.ErrIntegrity) {
			t.Errorf("%v does not match ErrIntegrity", err)
		}
	}
	for _, r := range got {
		if _, _, ok := c.emu.OrgObject(r.Key); ok {
			t.Errorf("corrupt %s left in the bucket", r.Key)
		}
	}
	if n := c.emu.MultipartUploads(); n != 0 {
		t.Errorf("%d multipart uploads left open", n)
	}
}

// TestUploadResumes: an upload stopped after two parts (the context
// cancelled from the progress callback) keeps its journal; the next run
// lists the parts, sends only the missing ones and completes.
func TestUploadResumes(t *testing.T) {
	t.Parallel()
	e := newUploadEnv(t, emulator.Options{})
	f := []resources.UploadFile{{Path: e.file(t, "big.tiff", 10*testPart+5)}}
	o := e.opts()
	o.Parallel = 2
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	stored := 0
	o.Progress = func(ev resources.UploadEvent) {
		if ev.Type == resources.UploadEventPart {
			mu.Lock()
			stored++
			if stored == 2 {
				cancel()
			}
			mu.Unlock()
		}
	}
	for r, err := range e.bucket.Upload(ctx, f, o) {
		if !errors.Is(err, context.Canceled) || r.Status != resources.UploadFailed {
			t.Fatalf("interrupted upload: %+v, %v", r, err)
		}
	}
	journals, _ := filepath.Glob(filepath.Join(o.JournalDir, "*.json"))
	if len(journals) != 1 || e.emu.MultipartUploads() != 1 {
		t.Fatalf("journals %v, uploads %d: want one of each kept", journals, e.emu.MultipartUploads())
	}
	mu.Lock()
	first := stored
	mu.Unlock()
	// The second run goes through a proxy that counts what it sends (the
	// emulator may still be storing a part the first run gave up on).
	p := &proxy{}
	b := e.through(t, p)
	o.Progress = nil
	got, errs := upload(t, b, f, o)
	if len(errs) > 0 {
		t.Fatalf("resumed upload: %v", errs)
	}
	r := got[f[0].Path]
	crc, size := fileCRC(t, f[0].Path)
	if r.Status != resources.UploadUploaded || r.Parts != 11 || r.Resumed != first || r.BytesSent != size-int64(first)*testPart {
		t.Errorf("resumed: %+v; want 11 parts, %d resumed", r, first)
	}
	sent := 0
	for n := range 12 {
		sent += p.count(fmt.Sprintf("PUT %d", n))
	}
	if sent != 11-first || p.count("GET ") != 1 {
		t.Errorf("the second run sent %d parts and listed the parts %d times, want the %d missing after one list", sent, p.count("GET "), 11-first)
	}
	if n, c, ok := e.emu.OrgObject(r.Key); !ok || n != size || c != checksum.Encode(crc) {
		t.Errorf("stored %d %s %v", n, c, ok)
	}
	if journals, _ := filepath.Glob(filepath.Join(o.JournalDir, "*")); len(journals) != 0 || e.emu.MultipartUploads() != 0 {
		t.Errorf("left: journals %v, %d uploads", journals, e.emu.MultipartUploads())
	}
}

// TestUploadJournalOfOtherVersion: a journal of the file before it was
// touched (another modification time) is not resumed: its upload is
// aborted and the file sent whole.
func TestUploadJournalOfOtherVersion(t *testing.T) {
	t.Parallel()
	e := newUploadEnv(t, emulator.Options{})
	f := []resources.UploadFile{{Path: e.file(t, "big.tiff", 4*testPart)}}
	o := e.opts()
	ctx, cancel := context.WithCancel(context.Background())
	o.Progress = func(ev resources.UploadEvent) {
		if ev.Type == resources.UploadEventPart {
			cancel()
		}
	}
	for range e.bucket.Upload(ctx, f, o) {
	}
	if e.emu.MultipartUploads() != 1 {
		t.Fatalf("%d uploads in progress, want 1", e.emu.MultipartUploads())
	}
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(f[0].Path, later, later); err != nil {
		t.Fatal(err)
	}
	p := &proxy{}
	b := e.through(t, p)
	o.Progress = nil
	got, errs := upload(t, b, f, o)
	if len(errs) > 0 || got[f[0].Path].Resumed != 0 {
		t.Fatalf("%v %+v", errs, got)
	}
	for n := 1; n <= 4; n++ {
		if c := p.count(fmt.Sprintf("PUT %d", n)); c != 1 {
			t.Errorf("part %d sent %d times, want once", n, c)
		}
	}
	if e.emu.MultipartUploads() != 0 || e.emu.Count("bucket:abort") != 1 {
		t.Errorf("%d uploads open, %d aborted; want the old one aborted", e.emu.MultipartUploads(), e.emu.Count("bucket:abort"))
	}
}

// TestUploadFileChanged: a checksum given for other bytes than the file's
// (it changed since the scan): nothing stays in the bucket under the key of
// that checksum, and the file fails with ErrFileChanged.
func TestUploadFileChanged(t *testing.T) {
	t.Parallel()
	e := newUploadEnv(t, emulator.Options{})
	stale := checksum.Encode(12345)
	files := []resources.UploadFile{
		{Path: e.file(t, "one.tiff", 1000), Checksum: stale},
		{Path: e.file(t, "parts.tiff", 3*testPart), Checksum: stale},
	}
	got, errs := upload(t, e.bucket, files, e.opts())
	if len(errs) != 2 {
		t.Fatalf("errors %v", errs)
	}
	for _, err := range errs {
		if !errors.Is(err, resources.ErrFileChanged) || !errors.Is(err, resources.ErrIntegrity) {
			t.Errorf("%v", err)
		}
	}
	for _, r := range got {
		if _, _, ok := e.emu.OrgObject(r.Key); ok {
			t.Errorf("%s left in the bucket", r.Key)
		}
	}
	if e.emu.MultipartUploads() != 0 {
		t.Errorf("multipart upload left open")
	}
}

// TestUploadMissingFile: a file that is not there fails alone.
func TestUploadMissingFile(t *testing.T) {
	t.Parallel()
	e := newUploadEnv(t, emulator.Options{})
	files := []resources.UploadFile{{Path: filepath.Join(e.dir, "nope.tiff")}, {Path: e.file(t, "a.tiff", 5)}}
	got, errs := upload(t, e.bucket, files, e.opts())
	if len(errs) != 1 || !errors.Is(errs[0], os.ErrNotExist) || got[files[1].Path].Status != resources.UploadUploaded {
		t.Fatalf("%v %+v", errs, got)
	}
}

// TestUploadInterruptedWithoutJournalAborts: an interrupted multipart upload
// that no journal records (no JournalDir, the zero value; or a journal that
// could not be written) can never be resumed, so it is aborted rather than
// left open in the bucket.
func TestUploadInterruptedWithoutJournalAborts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		journal func(e *uploadEnv) string
	}{
		{"no journal dir", func(*uploadEnv) string { return "" }},
		{"journal unwritable", func(e *uploadEnv) string {
			p := filepath.Join(e.dir, "not-a-dir")
			if err := os.WriteFile(p, []byte("a file"), 0o644); err != nil {
				t.Fatal(err)
			}
			return p
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newUploadEnv(t, emulator.Options{})
			f := []resources.UploadFile{{Path: e.file(t, "big.tiff", 10*testPart+5)}}
			o := e.opts()
			o.Parallel, o.JournalDir = 2, tc.journal(e)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			o.Progress = func(ev resources.UploadEvent) {
				if ev.Type == resources.UploadEventPart {
					cancel()
				}
			}
			for r, err := range e.bucket.Upload(ctx, f, o) {
				if !errors.Is(err, context.Canceled) || r.Status != resources.UploadFailed {
					t.Fatalf("interrupted upload: %+v, %v", r, err)
				}
			}
			if n := e.emu.MultipartUploads(); n != 0 || e.emu.Count("bucket:abort") != 1 {
				t.Errorf("%d multipart uploads left open, %d aborted; want it aborted", n, e.emu.Count("bucket:abort"))
			}
		})
	}
}

// TestUploadChangedFileNotDeletable: a single PUT whose bytes differ from
// the checksum given is deleted again; when the storage refuses the delete,
// the error says so instead of claiming the object was deleted.
func TestUploadChangedFileNotDeletable(t *testing.T) {
	t.Parallel()
	e := newUploadEnv(t, emulator.Options{})
	p := &proxy{hook: func(w http.ResponseWriter, r *http.Request, _ int) bool {
		if r.Method == http.MethodDelete {
			xmlError(w, http.StatusForbidden, "AccessDenied")
			return true
		}
		return false
	}}
	b := e.through(t, p)
	f := resources.UploadFile{Path: e.file(t, "one.tiff", 1000), Checksum: checksum.Encode(12345)}
	got, errs := upload(t, b, []resources.UploadFile{f}, e.opts())
	if len(errs) != 1 || !errors.Is(errs[0], resources.ErrFileChanged) {
		t.Fatalf("errors %v", errs)
	}
	msg := errs[0].Error()
	if p.count("DELETE ") == 0 || strings.Contains(msg, "was deleted") || !strings.Contains(msg, "AccessDenied") {
		t.Errorf("%d deletes; error %q: want it to say the delete failed", p.count("DELETE "), msg)
	}
	if _, _, ok := e.emu.OrgObject(got[f.Path].Key); !ok {
		t.Errorf("the object is gone although the delete was refused")
	}
}

// TestUploadAnsweredBeforeTheWholePart: a storage (or a proxy) that answers
// 200 to a part's PUT before it has read the whole body has not stored the
// part: it is sent again, not recorded with the checksum of what was read
// (which failed the file as changed, exit 5, and aborted the upload).
func TestUploadAnsweredBeforeTheWholePart(t *testing.T) {
	t.Parallel()
	e := newUploadEnv(t, emulator.Options{})
	p := &proxy{hook: func(w http.ResponseWriter, r *http.Request, n int) bool {
		if r.Method == http.MethodPut && r.URL.Query().Get("partNumber") == "2" && n == 1 {
			io.CopyN(io.Discard, r.Body, testPart/2)
			w.Header().Set("Connection", "close")
			w.WriteHeader(http.StatusOK) // early, and without an ETag
			return true
		}
		return false
	}}
	b := e.through(t, p)
	f := resources.UploadFile{Path: e.file(t, "parts.tiff", 4*testPart+3)}
	got, errs := upload(t, b, []resources.UploadFile{f}, e.opts())
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	r := got[f.Path]
	crc, size := fileCRC(t, f.Path)
	if r.Status != resources.UploadUploaded || p.count("PUT 2") != 2 {
		t.Errorf("%+v; part 2 sent %d times, want 2", r, p.count("PUT 2"))
	}
	if n, c, ok := e.emu.OrgObject(r.Key); !ok || n != size || c != checksum.Encode(crc) {
		t.Errorf("stored %d %s %v", n, c, ok)
	}
}

// TestUploadRetriesAsTheSharedPolicy: a PUT that keeps failing is tried
// once and retried as often as the one retry policy says (DESIGN: at most
// 4 retries), then the file fails.
func TestUploadRetriesAsTheSharedPolicy(t *testing.T) {
	t.Parallel()
	e := newUploadEnv(t, emulator.Options{})
	p := &proxy{hook: func(w http.ResponseWriter, r *http.Request, _ int) bool {
		if r.Method == http.MethodPut {
			xmlError(w, http.StatusServiceUnavailable, "ServiceUnavailable")
			return true
		}
		return false
	}}
	b := e.through(t, p)
	f := resources.UploadFile{Path: e.file(t, "one.tiff", 1000)}
	o := e.opts()
	o.Retries = 0 // the default
	_, errs := upload(t, b, []resources.UploadFile{f}, o)
	if len(errs) != 1 {
		t.Fatalf("errors %v", errs)
	}
	if n := p.count("PUT "); n != 1+resources.DefaultUploadRetries || resources.DefaultUploadRetries != 4 {
		t.Errorf("PUT sent %d times (DefaultUploadRetries %d), want 1 + 4 retries", n, resources.DefaultUploadRetries)
	}
}
