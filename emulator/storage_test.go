package emulator

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aignostics/aignostics/checksum"
	"github.com/aignostics/aignostics/gcs"
)

// putObject makes the storage origin serve content at bucket/name.
func putObject(e *Emulator, bucket, name string, content []byte) storageObject {
	o := storageObject{Size: int64(len(content)), CRC32C: checksum.Sum(content), ETag: fmt.Sprintf(`"%08x"`, checksum.Sum(content)),
		ContentType: "image/tiff", Content: bytes.NewReader(content)}
	e.mu.Lock()
	if e.objects == nil {
		e.objects = map[string]storageObject{}
	}
	e.objects[bucket+"/"+name] = o
	e.mu.Unlock()
	return o
}

func testContent(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

// xmlCode reads the Code of a GCS XML error body.
func xmlCode(t *testing.T, body []byte) string {
	t.Helper()
	var x struct{ Code, Message string }
	if err := xml.Unmarshal(body, &x); err != nil {
		t.Fatalf("XML error body %q: %v", body, err)
	}
	return x.Code
}

func TestStorageServesSignedURLs(t *testing.T) {
	e, _ := startClocked(t, Options{})
	content := testContent(1000)
	obj := putObject(e, ResultsBucket, "runs/r1/items/a b/heatmap.tiff", content)
	signed := e.signURL(ResultsBucket, "runs/r1/items/a b/heatmap.tiff", time.Hour)
	if !strings.HasPrefix(signed, e.StorageURL()+"/"+ResultsBucket+"/runs/r1/") {
		t.Fatalf("signed URL %s is not path style on the storage origin", strings.Split(signed, "?")[0])
	}
	status, h, body := get(t, signed)
	if status != 200 || !bytes.Equal(body, content) {
		t.Fatalf("GET: %d, %d bytes", status, len(body))
	}
	want := map[string]string{
		"Content-Length": "1000", "ETag": obj.ETag, "Content-Type": "image/tiff", "Accept-Ranges": "bytes",
		"X-Goog-Hash": "crc32c=" + checksum.Encode(checksum.Sum(content)),
	}
	for k, v := range want {
		if h.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, h.Get(k), v)
		}
	}
	req, _ := http.NewRequest(http.MethodHead, signed, nil)
	// A HEAD needs its own signature (the method is signed): a GET URL answers 403.
	if status, _, _ := do(t, req); status != 403 {
		t.Errorf("HEAD with a GET signature: %d", status)
	}
	u, err := gcs.SignRSA(&gcs.ServiceAccount{ClientEmail: e.keys.saEmail, PrivateKey: e.keys.saKey}, gcs.SignOptions{
		Method: http.MethodHead, Bucket: ResultsBucket, Object: "runs/r1/items/a b/heatmap.tiff", Expires: time.Minute,
		Time: e.now(), Hostname: strings.TrimPrefix(e.StorageURL(), "http://"), Scheme: "http"})
	if err != nil {
		t.Fatal(err)
	}
	req, _ = http.NewRequest(http.MethodHead, u, nil)
	if status, h, body := do(t, req); status != 200 || h.Get("Content-Length") != "1000" || len(body) != 0 {
		t.Errorf("HEAD: %d %s %d", status, h.Get("Content-Length"), len(body))
	}
}

func TestStorageAcceptsHMACAndWrittenCredentials(t *testing.T) {
	e := startTest(t, Options{})
	content := testContent(64)
	putObject(e, "aignostics-org-x", "slides/a.tiff", content)
	host := strings.TrimPrefix(e.StorageURL(), "http://")
	o := gcs.SignOptions{Method: "GET", Bucket: "aignostics-org-x", Object: "slides/a.tiff", Expires: time.Minute, Time: time.Now(), Hostname: host, Scheme: "http"}
	hu, err := gcs.SignHMAC(gcs.HMACKey{AccessID: e.keys.hmacID, Secret: e.keys.hmacSecret}, o)
	if err != nil {
		t.Fatal(err)
	}
	if status, _, body := get(t, hu); status != 200 || !bytes.Equal(body, content) {
		t.Errorf("HMAC URL: %d", status)
	}
	path := filepath.Join(t.TempDir(), "sa.json")
	if err := e.WriteCredentials(path); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file: %v %v", fi.Mode(), err)
	}
	data, _ := os.ReadFile(path)
	sa, err := gcs.ParseServiceAccount(data)
	if err != nil {
		t.Fatalf("parse written credentials: %v", err)
	}
	ru, err := gcs.SignRSA(sa, o)
	if err != nil {
		t.Fatal(err)
	}
	if status, _, _ := get(t, ru); status != 200 {
		t.Errorf("URL signed with the written credentials: %d", status)
	}
	// Another key with the same email, and an unknown HMAC id, are refused.
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	bad, _ := gcs.SignRSA(&gcs.ServiceAccount{ClientEmail: sa.ClientEmail, PrivateKey: other}, o)
	badH, _ := gcs.SignHMAC(gcs.HMACKey{AccessID: "GOOG1EUNKNOWN", Secret: "x"}, o)
	for u, code := range map[string]string{bad: "SignatureDoesNotMatch", badH: "AccessDenied"} {
		if status, _, body := get(t, u); status != 403 || xmlCode(t, body) != code {
			t.Errorf("foreign signature: %d %s, want 403 %s", status, body, code)
		}
	}
}

func TestStorageRefusals(t *testing.T) {
	e, clock := startClocked(t, Options{})
	putObject(e, ResultsBucket, "a/b.bin", testContent(10))
	signed := e.signURL(ResultsBucket, "a/b.bin", 10*time.Minute)
	u, _ := url.Parse(signed)
	q := u.Query()
	sig := []byte(q.Get("X-Goog-Signature"))
	sig[5] = map[bool]byte{true: '1', false: '0'}[sig[5] == '0']
	q.Set("X-Goog-Signature", string(sig))
	tamperedSig := *u
	tamperedSig.RawQuery = q.Encode()
	otherObject := strings.Replace(signed, "/a/b.bin?", "/a/c.bin?", 1)
	missing := e.signURL(ResultsBucket, "a/none.bin", time.Minute)
	for _, tc := range []struct {
		name, url string
		header    []string
		status    int
		code      string
	}{
		{"unsigned", e.StorageURL() + "/" + ResultsBucket + "/a/b.bin", nil, 403, "AccessDenied"},
		{"tampered signature", tamperedSig.String(), nil, 403, "SignatureDoesNotMatch"},
		{"other object", otherObject, nil, 403, "SignatureDoesNotMatch"},
		{"missing object", missing, nil, 404, "NoSuchKey"},
		{"leaked token", signed, []string{"Authorization", "Bearer abc"}, 400, "InvalidArgument"},
		{"malformed", signed + "&X-Goog-Expires=5", nil, 400, "InvalidArgument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, h, body := get(t, tc.url, tc.header...)
			if status != tc.status || xmlCode(t, body) != tc.code || !strings.HasPrefix(h.Get("Content-Type"), "application/xml") {
				t.Errorf("%d %s, want %d %s", status, body, tc.status, tc.code)
			}
		})
	}
	req, _ := http.NewRequest(http.MethodPut, signed, strings.NewReader("x"))
	if status, _, body := do(t, req); status != 405 || xmlCode(t, body) != "MethodNotAllowed" {
		t.Errorf("PUT: %d %s", status, body)
	}
	clock.Advance(10 * time.Minute)
	if status, _, body := get(t, signed); status != 400 || xmlCode(t, body) != "ExpiredToken" {
		t.Errorf("expired: %d %s", status, body)
	}
}

func TestStorageRanges(t *testing.T) {
	e := startTest(t, Options{})
	content := testContent(100)
	obj := putObject(e, ResultsBucket, "r.bin", content)
	signed := e.signURL(ResultsBucket, "r.bin", time.Hour)
	for _, tc := range []struct {
		name, rng, ifRange string
		status             int
		contentRange       string
		body               []byte
	}{
		{"closed", "bytes=10-19", "", 206, "bytes 10-19/100", content[10:20]},
		{"open", "bytes=95-", "", 206, "bytes 95-99/100", content[95:]},
		{"suffix", "bytes=-5", "", 206, "bytes 95-99/100", content[95:]},
		{"past end clipped", "bytes=90-500", "", 206, "bytes 90-99/100", content[90:]},
		{"whole suffix", "bytes=-500", "", 206, "bytes 0-99/100", content},
		{"unsatisfiable", "bytes=100-", "", 416, "bytes */100", nil},
		{"empty suffix", "bytes=-0", "", 416, "bytes */100", nil},
		{"multiple ignored", "bytes=0-1,5-6", "", 200, "", content},
		{"malformed ignored", "bytes=x-y", "", 200, "", content},
		{"if-range match", "bytes=50-", obj.ETag, 206, "bytes 50-99/100", content[50:]},
		{"if-range stale", "bytes=50-", `"other"`, 200, "", content},
		{"if-range date", "bytes=50-", "Wed, 21 Oct 2015 07:28:00 GMT", 200, "", content},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hdr := []string{"Range", tc.rng}
			if tc.ifRange != "" {
				hdr = append(hdr, "If-Range", tc.ifRange)
			}
			status, h, body := get(t, signed, hdr...)
			if status != tc.status || h.Get("Content-Range") != tc.contentRange {
				t.Fatalf("%d %q, want %d %q", status, h.Get("Content-Range"), tc.status, tc.contentRange)
			}
			if tc.body != nil && !bytes.Equal(body, tc.body) {
				t.Errorf("body %d bytes differs", len(body))
			}
			if tc.body != nil && h.Get("Content-Length") != fmt.Sprint(len(tc.body)) {
				t.Errorf("Content-Length %s", h.Get("Content-Length"))
			}
			if status == 416 && xmlCode(t, body) != "InvalidRange" {
				t.Errorf("416 body %s", body)
			}
		})
	}
}

func TestParseRange(t *testing.T) {
	for _, tc := range []struct {
		h             string
		size          int64
		start, length int64
		res           rangeResult
	}{
		{"bytes=0-0", 10, 0, 1, rangeOK},
		{"bytes=0-", 10, 0, 10, rangeOK},
		{" bytes=2-4 ", 10, 2, 3, rangeOK},
		{"bytes=-3", 10, 7, 3, rangeOK},
		{"bytes=10-", 10, 0, 0, rangeUnsatisfiable},
		{"bytes=0-", 0, 0, 0, rangeUnsatisfiable},
		{"bytes=-1", 0, 0, 0, rangeUnsatisfiable},
		{"bytes=5-2", 10, 0, 0, rangeIgnored},
		{"bytes=+1-2", 10, 0, 0, rangeIgnored},
		{"items=0-1", 10, 0, 0, rangeIgnored},
		{"bytes=1", 10, 0, 0, rangeIgnored},
		{"bytes=-", 10, 0, 0, rangeIgnored},
		{"bytes=99999999999999999999-", 10, 0, 0, rangeIgnored},
	} {
		s, n, res := parseRange(tc.h, tc.size)
		if s != tc.start || n != tc.length || res != tc.res {
			t.Errorf("parseRange(%q, %d) = %d, %d, %v; want %d, %d, %v", tc.h, tc.size, s, n, res, tc.start, tc.length, tc.res)
		}
	}
}

func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"bytes=0-1", "bytes=-5", "bytes=3-", "bytes=1-2,3-4", "bytes=x"} {
		f.Add(s, int64(10))
	}
	f.Fuzz(func(t *testing.T, h string, size int64) {
		if size < 0 {
			size = -size
		}
		if size < 0 {
			return
		}
		s, n, res := parseRange(h, size)
		if res == rangeOK && (s < 0 || n <= 0 || s+n > size) {
			t.Errorf("parseRange(%q, %d) = %d, %d outside the object", h, size, s, n)
		}
	})
}
