package emulator

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aignostics/aignostics/checksum"
	"github.com/aignostics/aignostics/gcs"
)

func orgKey(e *Emulator) gcs.HMACKey {
	return gcs.HMACKey{AccessID: e.keys.hmacID, Secret: e.keys.hmacSecret}
}

// presignOrg presigns (AWS4-HMAC-SHA256) a request on the organization bucket.
func presignOrg(t *testing.T, e *Emulator, method, object string, q url.Values) string {
	t.Helper()
	s, err := gcs.PresignS3(orgKey(e), gcs.S3Request{Method: method, Bucket: e.OrgBucket(), Object: object,
		Query: q, Endpoint: e.StorageURL(), Time: e.now(), Expires: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return s.URL
}

// send makes one request; a connection error is returned, not fatal.
func send(method, u string, body []byte, h http.Header) (int, http.Header, []byte, error) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, u, r)
	if err != nil {
		return 0, nil, nil, err
	}
	for k, vs := range h {
		req.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b, err
}

func mustSend(t *testing.T, method, u string, body []byte, h http.Header) (int, http.Header, []byte) {
	t.Helper()
	st, hh, b, err := send(method, u, body, h)
	if err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	return st, hh, b
}

func TestOrgBucketPutGetHeadDelete(t *testing.T) {
	e, _ := startClocked(t, Options{})
	content := testContent(300 << 10)
	name := "me/slides/abcd1234-307200/a b+c.svs"
	st, h, body := mustSend(t, "PUT", presignOrg(t, e, "PUT", name, nil), content, http.Header{"Content-Type": {"image/tiff"}})
	md := md5.Sum(content)
	if st != 200 || h.Get("ETag") != `"`+hex.EncodeToString(md[:])+`"` || !strings.Contains(h.Get("X-Goog-Hash"), "crc32c="+checksum.Encode(checksum.Sum(content))) {
		t.Fatalf("PUT: %d %v %s", st, h, body)
	}
	for _, m := range []string{"HEAD", "GET"} {
		st, h, body = mustSend(t, m, presignOrg(t, e, m, name, nil), nil, nil)
		if st != 200 || h.Get("Content-Length") != "307200" || h.Get("Content-Type") != "image/tiff" {
			t.Fatalf("%s: %d %v", m, st, h)
		}
		if hash, _ := checksum.GoogHash(h); hash != checksum.Encode(checksum.Sum(content)) {
			t.Errorf("%s x-goog-hash crc32c = %q", m, hash)
		}
		if m == "GET" && !bytes.Equal(body, content) {
			t.Error("GET returned other bytes")
		}
	}
	if size, crc, ok := e.OrgObject(name); !ok || size != 307200 || crc != checksum.Encode(checksum.Sum(content)) {
		t.Errorf("OrgObject = %d %s %v", size, crc, ok)
	}
	// The bytes live in a file of the store's directory, not in memory.
	e.bucket.mu.Lock()
	dir, seg := e.bucket.dir, e.bucket.objects[name].Segments[0].File
	e.bucket.mu.Unlock()
	if fi, err := os.Stat(filepath.Join(dir, "data", seg)); err != nil || fi.Size() != 307200 {
		t.Fatalf("object file: %v %v", fi, err)
	}
	// Overwrite, then delete.
	if st, _, _ = mustSend(t, "PUT", presignOrg(t, e, "PUT", name, nil), []byte("short"), nil); st != 200 {
		t.Fatal(st)
	}
	if _, err := os.Stat(filepath.Join(dir, "data", seg)); !os.IsNotExist(err) {
		t.Errorf("the replaced object's file is still there: %v", err)
	}
	if st, _, _ = mustSend(t, "DELETE", presignOrg(t, e, "DELETE", name, nil), nil, nil); st != 204 {
		t.Fatalf("DELETE: %d", st)
	}
	st, _, body = mustSend(t, "GET", presignOrg(t, e, "GET", name, nil), nil, nil)
	if st != 404 || xmlCode(t, body) != "NoSuchKey" {
		t.Fatalf("GET after DELETE: %d %s", st, body)
	}
	if st, _, body = mustSend(t, "DELETE", presignOrg(t, e, "DELETE", name, nil), nil, nil); st != 404 {
		t.Fatalf("second DELETE: %d %s", st, body)
	}
}

func TestOrgBucketSignatureForms(t *testing.T) {
	e, _ := startClocked(t, Options{})
	name := "forms/obj"
	content := []byte("hello, bucket")
	// The header form, as rclone and the AWS CLI send it.
	hs, err := gcs.SignS3Header(orgKey(e), gcs.S3Request{Method: "PUT", Bucket: e.OrgBucket(), Object: name,
		Endpoint: e.StorageURL(), Time: e.now()})
	if err != nil {
		t.Fatal(err)
	}
	if st, _, body := mustSend(t, "PUT", hs.URL, content, hs.Header); st != 200 {
		t.Fatalf("header-signed PUT: %d %s", st, body)
	}
	// A GOOG4-HMAC-SHA256 URL with the same key pair.
	host := strings.TrimPrefix(e.StorageURL(), "http://")
	g, err := gcs.SignHMAC(orgKey(e), gcs.SignOptions{Method: "GET", Bucket: e.OrgBucket(), Object: name,
		Expires: time.Minute, Time: e.now(), Hostname: host, Scheme: "http"})
	if err != nil {
		t.Fatal(err)
	}
	if st, _, body := mustSend(t, "GET", g, nil, nil); st != 200 || !bytes.Equal(body, content) {
		t.Fatalf("GOOG4 GET: %d %q", st, body)
	}
	// A payload hash in the header form is checked against the body.
	u, _ := url.Parse(e.StorageURL() + "/" + e.OrgBucket() + "/hashed")
	s, err := gcs.SignAWSHeader(orgKey(e), gcs.AWSRequest{Method: "PUT", URL: u, Region: "auto", Service: "s3",
		Time: e.now(), PayloadHash: gcs.PayloadSHA256([]byte("right")), ContentSHA256Header: true})
	if err != nil {
		t.Fatal(err)
	}
	if st, _, body := mustSend(t, "PUT", s.URL, []byte("wrong"), s.Header); st != 400 || xmlCode(t, body) != "XAmzContentSHA256Mismatch" {
		t.Fatalf("PUT with a wrong payload hash: %d %s", st, body)
	}
	if _, _, ok := e.OrgObject("hashed"); ok {
		t.Fatal("an object whose payload hash failed was stored")
	}
}

func TestOrgBucketRefusals(t *testing.T) {
	e, clk := startClocked(t, Options{})
	base := e.StorageURL() + "/" + e.OrgBucket() + "/o"
	expired := presignOrg(t, e, "PUT", "o", nil)
	otherKey, _ := gcs.PresignS3(gcs.HMACKey{AccessID: e.keys.hmacID, Secret: "not-the-secret"}, gcs.S3Request{Method: "PUT",
		Bucket: e.OrgBucket(), Object: "o", Endpoint: e.StorageURL(), Time: e.now(), Expires: time.Hour})
	tests := []struct {
		name, method, url string
		h                 http.Header
		status            int
		code              string
	}{
		{"unsigned", "PUT", base, nil, 403, "AccessDenied"},
		{"bearer token", "PUT", presignOrg(t, e, "PUT", "o", nil), http.Header{"Authorization": {"Bearer eyJ.x.y"}}, 400, "InvalidArgument"},
		{"wrong secret", "PUT", otherKey.URL, nil, 403, "SignatureDoesNotMatch"},
		{"GET URL used for PUT", "PUT", presignOrg(t, e, "GET", "o", nil), nil, 403, "SignatureDoesNotMatch"},
		{"part number out of range", "PUT", presignOrg(t, e, "PUT", "o", url.Values{"partNumber": {"0"}, "uploadId": {"x"}}), nil, 400, "InvalidArgument"},
		{"unknown upload", "PUT", presignOrg(t, e, "PUT", "o", url.Values{"partNumber": {"1"}, "uploadId": {"nope"}}), nil, 404, "NoSuchUpload"},
		{"listing", "GET", presignOrgBucket(t, e), nil, 501, "NotImplemented"},
	}
	for _, tt := range tests {
		st, _, body := mustSend(t, tt.method, tt.url, []byte("x"), tt.h)
		if st != tt.status || xmlCode(t, body) != tt.code {
			t.Errorf("%s: %d %s, want %d %s", tt.name, st, body, tt.status, tt.code)
		}
	}
	clk.Advance(2 * time.Hour)
	if st, _, body := mustSend(t, "PUT", expired, []byte("x"), nil); st != 400 || xmlCode(t, body) != "ExpiredToken" {
		t.Errorf("expired: %d %s", st, body)
	}
	if _, _, ok := e.OrgObject("o"); ok {
		t.Error("a refused PUT stored an object")
	}
}

// presignOrgBucket signs a GET of the bucket itself (a listing).
func presignOrgBucket(t *testing.T, e *Emulator) string {
	t.Helper()
	u, _ := url.Parse(e.StorageURL() + "/" + e.OrgBucket() + "/")
	s, err := gcs.PresignAWS(orgKey(e), gcs.AWSRequest{URL: u, Region: gcs.S3Region, Service: "s3", Time: e.now(), Expires: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	return s.URL
}

// multipart drives the XML multipart calls for one object.
type multipart struct {
	t      *testing.T
	e      *Emulator
	object string
	id     string
}

func initiate(t *testing.T, e *Emulator, object string) *multipart {
	t.Helper()
	st, _, body := mustSend(t, "POST", presignOrg(t, e, "POST", object, url.Values{"uploads": {""}}), nil, nil)
	var res struct {
		Bucket, Key, UploadId string
	}
	if err := xml.Unmarshal(body, &res); st != 200 || err != nil || res.UploadId == "" || res.Key != object || res.Bucket != e.OrgBucket() {
		t.Fatalf("initiate: %d %s %v", st, body, err)
	}
	return &multipart{t: t, e: e, object: object, id: res.UploadId}
}

func (m *multipart) q(more ...string) url.Values {
	q := url.Values{"uploadId": {m.id}}
	for i := 0; i+1 < len(more); i += 2 {
		q.Set(more[i], more[i+1])
	}
	return q
}

func (m *multipart) part(n int, b []byte) string {
	m.t.Helper()
	st, h, body := mustSend(m.t, "PUT", presignOrg(m.t, m.e, "PUT", m.object, m.q("partNumber", fmt.Sprint(n))), b, nil)
	if st != 200 || h.Get("ETag") == "" {
		m.t.Fatalf("part %d: %d %s", n, st, body)
	}
	return h.Get("ETag")
}

type listed struct {
	IsTruncated          bool
	NextPartNumberMarker int
	Part                 []struct {
		PartNumber int
		ETag       string
		Size       int64
	}
}

func (m *multipart) list(more ...string) (int, listed, []byte) {
	m.t.Helper()
	st, _, body := mustSend(m.t, "GET", presignOrg(m.t, m.e, "GET", m.object, m.q(more...)), nil, nil)
	var l listed
	if st == 200 {
		if err := xml.Unmarshal(body, &l); err != nil {
			m.t.Fatal(err)
		}
	}
	return st, l, body
}

func (m *multipart) complete(doc string) (int, http.Header, []byte) {
	m.t.Helper()
	return mustSend(m.t, "POST", presignOrg(m.t, m.e, "POST", m.object, m.q()), []byte(doc), nil)
}

func completeDoc(parts ...any) string {
	var b strings.Builder
	b.WriteString("<CompleteMultipartUpload>")
	for i := 0; i+1 < len(parts); i += 2 {
		fmt.Fprintf(&b, "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", parts[i], parts[i+1])
	}
	b.WriteString("</CompleteMultipartUpload>")
	return b.String()
}

func TestOrgBucketMultipart(t *testing.T) {
	e, _ := startClocked(t, Options{MinPartSize: 64 << 10})
	const partSize = 64 << 10
	content := testContent(3*partSize + 1234)
	m := initiate(t, e, "big/slide.svs")
	// Parts in parallel and out of order; then part 2 again (a retry).
	etags := make([]string, 5)
	var wg sync.WaitGroup
	for _, n := range []int{4, 2, 1, 3} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lo, hi := (n-1)*partSize, min(n*partSize, len(content))
			st, h, _, err := send("PUT", presignOrg(t, e, "PUT", m.object, m.q("partNumber", fmt.Sprint(n))), content[lo:hi], nil)
			if err == nil && st == 200 {
				etags[n] = h.Get("ETag")
			}
		}()
	}
	wg.Wait()
	if again := m.part(2, content[partSize:2*partSize]); again != etags[2] || etags[1] == "" || etags[3] == "" || etags[4] == "" {
		t.Fatalf("parts: %q, part 2 again %q", etags, again)
	}
	// List parts, two to a page.
	st, l, body := m.list("max-parts", "2")
	if st != 200 || !l.IsTruncated || len(l.Part) != 2 || l.Part[0].PartNumber != 1 || l.Part[1].PartNumber != 2 || l.NextPartNumberMarker != 2 {
		t.Fatalf("list page 1: %d %s", st, body)
	}
	st, l, body = m.list("max-parts", "2", "part-number-marker", "2")
	if st != 200 || l.IsTruncated || len(l.Part) != 2 || l.Part[1].PartNumber != 4 || l.Part[1].Size != 1234 || l.Part[1].ETag != etags[4] {
		t.Fatalf("list page 2: %d %s", st, body)
	}
	// Refused completions leave the upload as it was.
	for _, c := range []struct{ doc, code string }{
		{completeDoc(1, etags[1], 3, etags[3], 2, etags[2], 4, etags[4]), "InvalidPartOrder"},
		{completeDoc(1, etags[1], 2, `"0000"`, 3, etags[3], 4, etags[4]), "InvalidPart"},
		{completeDoc(1, etags[1], 2, etags[2], 3, etags[3], 5, etags[4]), "InvalidPart"},
		{"<CompleteMultipartUpload><Part>", "MalformedXML"},
		{"not xml", "MalformedXML"},
	} {
		if st, _, body := m.complete(c.doc); st != 400 || xmlCode(t, body) != c.code {
			t.Errorf("complete %q: %d %s, want %s", c.doc, st, body, c.code)
		}
	}
	st, h, body := m.complete(completeDoc(1, etags[1], 2, etags[2], 3, etags[3], 4, etags[4]))
	if st != 200 || !strings.HasSuffix(strings.Trim(h.Get("ETag"), `"`), "-4") {
		t.Fatalf("complete: %d %s", st, body)
	}
	if e.MultipartUploads() != 0 {
		t.Error("the completed upload is still listed")
	}
	want := checksum.Encode(checksum.Sum(content))
	st, h, got := mustSend(t, "GET", presignOrg(t, e, "GET", "big/slide.svs", nil), nil, nil)
	if st != 200 || !bytes.Equal(got, content) {
		t.Fatalf("GET of the assembled object: %d, %d bytes", st, len(got))
	}
	if hash, _ := checksum.GoogHash(h); hash != want {
		t.Errorf("x-goog-hash %s, want %s (composed from the parts)", hash, want)
	}
	// A range across a part boundary.
	st, _, got = mustSend(t, "GET", presignOrg(t, e, "GET", "big/slide.svs", nil), nil, http.Header{"Range": {fmt.Sprintf("bytes=%d-%d", partSize-10, 2*partSize+9)}})
	if st != 206 || !bytes.Equal(got, content[partSize-10:2*partSize+10]) {
		t.Fatalf("range GET: %d, %d bytes", st, len(got))
	}
	// A completed upload cannot be completed or listed again.
	if st, _, body := m.complete(completeDoc(1, etags[1])); st != 404 || xmlCode(t, body) != "NoSuchUpload" {
		t.Errorf("second complete: %d %s", st, body)
	}
}

func TestOrgBucketMultipartLimitsAndAbort(t *testing.T) {
	e, _ := startClocked(t, Options{MinPartSize: 1000})
	m := initiate(t, e, "small-parts")
	e1, e2 := m.part(1, testContent(999)), m.part(2, testContent(10))
	if st, _, body := m.complete(completeDoc(1, e1, 2, e2)); st != 400 || xmlCode(t, body) != "EntityTooSmall" {
		t.Fatalf("complete with a small first part: %d %s", st, body)
	}
	// The last part may be small: one part alone completes.
	if st, _, body := m.complete(completeDoc(2, e2)); st != 200 {
		t.Fatalf("complete of the last part alone: %d %s", st, body)
	}
	a := initiate(t, e, "aborted")
	a.part(1, testContent(5000))
	if e.MultipartUploads() != 1 {
		t.Fatalf("%d uploads in progress", e.MultipartUploads())
	}
	if st, _, body := mustSend(t, "DELETE", presignOrg(t, e, "DELETE", "aborted", a.q()), nil, nil); st != 204 {
		t.Fatalf("abort: %d %s", st, body)
	}
	if st, _, body := a.list(); st != 404 || xmlCode(t, body) != "NoSuchUpload" {
		t.Fatalf("list after abort: %d %s", st, body)
	}
	if e.MultipartUploads() != 0 {
		t.Fatal("the aborted upload is still there")
	}
	e.bucket.mu.Lock()
	dir := e.bucket.dir
	e.bucket.mu.Unlock()
	entries, _ := os.ReadDir(filepath.Join(dir, "data"))
	if len(entries) != 1 { // the object small-parts alone
		t.Errorf("%d data files, want 1 (parts of the aborted upload and the unused part gone)", len(entries))
	}
}

func TestOrgBucketUploadFaults(t *testing.T) {
	e, _ := startClocked(t, Options{MinPartSize: 1})
	content := testContent(100 << 10)
	put := func(name string) (int, error) {
		st, _, _, err := send("PUT", presignOrg(t, e, "PUT", name, nil), content, nil)
		return st, err
	}
	for _, f := range []struct {
		spec   string
		status int // 0: the connection fails
	}{{"storage:503", 503}, {"storage:reset", 0}, {"storage:truncate", 0}} {
		if err := e.SetFaults(f.spec); err != nil {
			t.Fatal(err)
		}
		st, err := put("fault")
		if (f.status == 0) != (err != nil) || (f.status != 0 && st != f.status) {
			t.Errorf("%s: status %d, error %v", f.spec, st, err)
		}
		if _, _, ok := e.OrgObject("fault"); ok {
			t.Errorf("%s: an object was stored", f.spec)
		}
	}
	// corrupt: the upload "succeeds" but the stored bytes differ, and the
	// object's checksum says so.
	if err := e.SetFaults("storage:corrupt"); err != nil {
		t.Fatal(err)
	}
	if st, err := put("corrupt"); st != 200 || err != nil {
		t.Fatalf("corrupt PUT: %d %v", st, err)
	}
	// The multipart control documents are not corrupted, their parts are.
	m := initiate(t, e, "corrupt-mp")
	etag := m.part(1, content)
	if st, _, body := m.complete(completeDoc(1, etag)); st != 200 {
		t.Fatalf("complete under corrupt: %d %s", st, body)
	}
	_ = e.SetFaults("")
	for _, name := range []string{"corrupt", "corrupt-mp"} {
		size, crc, ok := e.OrgObject(name)
		if !ok || size != int64(len(content)) || crc == checksum.Encode(checksum.Sum(content)) {
			t.Errorf("%s: %d %s %v: want the same size and another CRC32C", name, size, crc, ok)
		}
	}
	// With a truncate fault, a part upload stores nothing.
	_ = e.SetFaults("storage:truncate")
	if _, _, _, err := send("PUT", presignOrg(t, e, "PUT", "corrupt-mp2", nil), content, nil); err == nil {
		t.Error("a truncated PUT answered")
	}
	_ = e.SetFaults("")
}

func TestOrgBucketKeptBesideState(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state.json")
	e, err := Start(Options{StateFile: state, MinPartSize: 1}, "127.0.0.1:0", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	content := testContent(5000)
	if st, _, body := mustSend(t, "PUT", presignOrg(t, e, "PUT", "kept", nil), content, nil); st != 200 {
		t.Fatalf("PUT: %d %s", st, body)
	}
	m := initiate(t, e, "pending")
	m.part(1, content)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(state + ".objects"); err != nil {
		t.Fatal(err)
	}
	// A leftover of a crash mid-write is removed at the next start.
	if err := os.WriteFile(filepath.Join(state+".objects", "data", "d-orphan"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	e2 := startTest(t, Options{StateFile: state, MinPartSize: 1})
	if size, crc, ok := e2.OrgObject("kept"); !ok || size != 5000 || crc != checksum.Encode(checksum.Sum(content)) {
		t.Fatalf("after restart: %d %s %v", size, crc, ok)
	}
	m.e = e2
	if st, l, body := m.list(); st != 200 || len(l.Part) != 1 {
		t.Fatalf("the pending upload after restart: %d %s", st, body)
	}
	if _, err := os.Stat(filepath.Join(state+".objects", "data", "d-orphan")); !os.IsNotExist(err) {
		t.Errorf("orphan data file kept: %v", err)
	}
}

func TestOrgBucketTemporaryDirRemoved(t *testing.T) {
	e, err := Start(Options{}, "127.0.0.1:0", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if st, _, _ := mustSend(t, "PUT", presignOrg(t, e, "PUT", "x", nil), []byte("x"), nil); st != 200 {
		t.Fatal(st)
	}
	e.bucket.mu.Lock()
	dir := e.bucket.dir
	e.bucket.mu.Unlock()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("%s is still there after Close: %v", dir, err)
	}
}

// TestRunInputsInOrgBucket: the platform reads each input in the
// organization bucket; a missing object or another CRC32C ends that item
// with USER_ERROR and says why.
func TestRunInputsInOrgBucket(t *testing.T) {
	e, clk := startClocked(t, Options{Speed: 100})
	content := testContent(4000)
	crc := checksum.Encode(checksum.Sum(content))
	if st, _, _ := mustSend(t, "PUT", presignOrg(t, e, "PUT", "slides/good.tiff", nil), content, nil); st != 200 {
		t.Fatal(st)
	}
	token, _, err := e.IssueToken("")
	if err != nil {
		t.Fatal(err)
	}
	item := func(ext, object, crc string) map[string]any {
		return map[string]any{"external_id": ext, "input_artifacts": []any{map[string]any{
			"name": "whole_slide_image", "download_url": presignOrg(t, e, "GET", object, nil),
			"metadata": map[string]any{"checksum_base64_crc32c": crc, "width_px": 10, "height_px": 10,
				"resolution_mpp": 0.25, "media_type": "image/tiff"}}}}
	}
	unsigned := item("unsigned", "slides/good.tiff", crc)
	unsigned["input_artifacts"].([]any)[0].(map[string]any)["download_url"] = e.StorageURL() + "/" + e.OrgBucket() + "/slides/good.tiff"
	body, _ := json.Marshal(map[string]any{"application_id": "test-app", "version_number": "1.0.0", "items": []any{
		item("good", "slides/good.tiff", crc),
		item("missing", "slides/missing.tiff", crc),
		item("changed", "slides/good.tiff", checksum.Encode(checksum.Sum([]byte("other")))),
		unsigned,
	}})
	auth := http.Header{"Authorization": {"Bearer " + token}, "Content-Type": {"application/json"}}
	st, _, resp := mustSend(t, "POST", e.URL()+"/api/v1/runs", body, auth)
	if st != 201 {
		t.Fatalf("create: %d %s", st, resp)
	}
	var created struct {
		RunID string `json:"run_id"`
	}
	_ = json.Unmarshal(resp, &created)
	clk.Advance(time.Hour)
	st, _, resp = mustSend(t, "GET", e.URL()+"/api/v1/runs/"+created.RunID+"/items", nil, auth)
	var items []struct {
		ExternalID        string  `json:"external_id"`
		TerminationReason *string `json:"termination_reason"`
		ErrorMessage      *string `json:"error_message"`
	}
	if err := json.Unmarshal(resp, &items); st != 200 || err != nil || len(items) != 4 {
		t.Fatalf("items: %d %s", st, resp)
	}
	want := map[string]string{"good": "", "missing": "does not exist", "changed": "has CRC32C " + crc, "unsigned": "refused"}
	for _, it := range items {
		msg := ""
		if it.ErrorMessage != nil {
			msg = *it.ErrorMessage
		}
		reason := *it.TerminationReason
		if w := want[it.ExternalID]; w == "" {
			if reason != "SUCCEEDED" {
				t.Errorf("%s: %s %s", it.ExternalID, reason, msg)
			}
		} else if reason != "USER_ERROR" || !strings.Contains(msg, w) {
			t.Errorf("%s: %s %q, want USER_ERROR with %q", it.ExternalID, reason, msg, w)
		}
	}
}

func FuzzParseComplete(f *testing.F) {
	f.Add([]byte(completeDoc(1, `"abc"`, 2, "def")))
	f.Add([]byte("<CompleteMultipartUpload><Part><PartNumber>x</PartNumber></Part></CompleteMultipartUpload>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		parts, err := parseComplete(bytes.NewReader(b))
		if err != nil {
			return
		}
		for _, p := range parts {
			if p.Number < 1 || p.Number > maxPartNumber || p.ETag == "" {
				t.Fatalf("accepted part %+v", p)
			}
		}
	})
}
