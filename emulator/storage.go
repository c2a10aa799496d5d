package emulator

import (
	"crypto/rsa"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aignostics/aignostics/checksum"
	"github.com/aignostics/aignostics/gcs"
)

// serveObject serves GET and HEAD /{bucket}/{object} on the storage origin
// for V4-signed URLs that are valid now.
func (e *Emulator) serveObject(w http.ResponseWriter, r *http.Request) {
	if bucket, object, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/"); bucket == e.OrgBucket() {
		e.serveOrgBucket(w, r, object)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeXMLError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.")
		return
	}
	if r.Header.Get("Authorization") != "" {
		writeXMLError(w, http.StatusBadRequest, "InvalidArgument",
			"A signed URL must not be sent with an Authorization header (the client leaked its token to storage).")
		return
	}
	q := r.URL.Query()
	if q.Get("X-Goog-Signature") == "" {
		writeXMLError(w, http.StatusForbidden, "AccessDenied",
			"Anonymous caller does not have storage.objects.get access to the Google Cloud Storage object. Only V4-signed URLs are served.")
		return
	}
	if err := gcs.VerifyRequest(r, e.verifyKeys(), e.now()); err != nil {
		writeSignatureError(w, err)
		return
	}
	bucket, object, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	obj, ok := e.lookupObject(bucket, object)
	if !ok {
		writeXMLError(w, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		return
	}
	serveContent(w, r, obj)
}

// lookupObject finds an object: first among those put by tests, then the platform's.
func (e *Emulator) lookupObject(bucket, object string) (storageObject, bool) {
	if bucket == "" || object == "" {
		return storageObject{}, false
	}
	e.mu.Lock()
	o, ok := e.objects[bucket+"/"+object]
	p := e.platform
	e.mu.Unlock()
	if ok || p == nil {
		return o, ok
	}
	return p.object(bucket, object)
}

// serveContent writes obj honouring a single Range and If-Range.
func serveContent(w http.ResponseWriter, r *http.Request, obj storageObject) {
	etag := obj.ETag
	if etag != "" && !strings.HasPrefix(etag, `"`) && !strings.HasPrefix(etag, `W/"`) {
		etag = `"` + etag + `"`
	}
	h := w.Header()
	ct := obj.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	h.Set("Content-Type", ct)
	if etag != "" {
		h.Set("ETag", etag)
	}
	if obj.Hashes != "" {
		h.Set("x-goog-hash", obj.Hashes)
	} else {
		h.Set("x-goog-hash", "crc32c="+checksum.Encode(obj.CRC32C))
	}
	h.Set("x-goog-stored-content-length", strconv.FormatInt(obj.Size, 10))
	h.Set("Accept-Ranges", "bytes")
	h.Set("Cache-Control", "private, max-age=0")
	if cd := r.URL.Query().Get("response-content-disposition"); cd != "" {
		h.Set("Content-Disposition", cd) // as GCS answers a signed URL asking for it
	}
	start, length, status := int64(0), obj.Size, http.StatusOK
	if rh := r.Header.Get("Range"); rh != "" && ifRangeMatches(r.Header.Get("If-Range"), etag) {
		s, n, res := parseRange(rh, obj.Size)
		switch res {
		case rangeUnsatisfiable:
			h.Set("Content-Range", fmt.Sprintf("bytes */%d", obj.Size))
			h.Del("x-goog-hash")
			h.Del("x-goog-stored-content-length")
			writeXMLError(w, http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "The requested range cannot be satisfied.")
			return
		case rangeOK:
			start, length, status = s, n, http.StatusPartialContent
			h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", s, s+n-1, obj.Size))
		}
	}
	h.Set("Content-Length", strconv.FormatInt(length, 10))
	w.WriteHeader(status)
	if r.Method == http.MethodHead || length == 0 {
		return
	}
	// Large writes straight to the connection: net/http's ReadFrom path would
	// copy in 32 KiB pieces.
	buf := make([]byte, min(length, 256<<10))
	_, _ = io.CopyBuffer(struct{ io.Writer }{w}, io.NewSectionReader(obj.Content, start, length), buf)
}

// ifRangeMatches reports whether a Range may be honoured: no If-Range, or an
// If-Range naming the current strong ETag (a date or another tag: full body).
func ifRangeMatches(ifRange, etag string) bool {
	if ifRange == "" {
		return true
	}
	return etag != "" && !strings.HasPrefix(etag, "W/") && strings.TrimSpace(ifRange) == etag
}

// rangeResult classifies a Range header.
type rangeResult int

const (
	rangeIgnored       rangeResult = iota // absent, malformed or multiple: serve everything
	rangeOK                               // one satisfiable range
	rangeUnsatisfiable                    // 416
)

// parseRange parses a single "bytes=a-b", "bytes=a-" or "bytes=-n" range
// against size. Malformed and multi-range headers are ignored (RFC 9110 14.2).
func parseRange(h string, size int64) (start, length int64, res rangeResult) {
	spec, ok := strings.CutPrefix(strings.TrimSpace(h), "bytes=")
	if !ok || strings.Contains(spec, ",") {
		return 0, 0, rangeIgnored
	}
	a, b, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return 0, 0, rangeIgnored
	}
	num := func(s string) (int64, bool) {
		if s == "" || strings.TrimLeft(s, "0123456789") != "" {
			return 0, false
		}
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err == nil
	}
	if a == "" { // suffix: the last n bytes
		n, ok := num(b)
		if !ok {
			return 0, 0, rangeIgnored
		}
		if n == 0 || size == 0 {
			return 0, 0, rangeUnsatisfiable
		}
		n = min(n, size)
		return size - n, n, rangeOK
	}
	first, ok := num(a)
	if !ok {
		return 0, 0, rangeIgnored
	}
	last := size - 1
	if b != "" {
		l, ok := num(b)
		if !ok || l < first {
			return 0, 0, rangeIgnored
		}
		last = min(l, size-1)
	}
	if first >= size {
		return 0, 0, rangeUnsatisfiable
	}
	return first, last - first + 1, rangeOK
}

// writeSignatureError answers a failed signature check as GCS does
// (status and code from gcs.ErrorCode; the message never holds the signature).
func writeSignatureError(w http.ResponseWriter, err error) {
	status, code := gcs.ErrorCode(err)
	writeXMLError(w, status, code, "Access denied: "+err.Error())
}

// verifyKeys are the keys signed URLs may use: the service account (also
// written by WriteCredentials) and the organization's HMAC pair.
func (e *Emulator) verifyKeys() gcs.VerifyKeys {
	k := e.keys
	return gcs.VerifyKeys{
		RSA: func(email string) (*rsa.PublicKey, bool) {
			if email != k.saEmail {
				return nil, false
			}
			return &k.saKey.PublicKey, true
		},
		HMAC: func(id string) (string, bool) {
			if id != k.hmacID {
				return "", false
			}
			return k.hmacSecret, true
		},
	}
}

// signURL returns a GET URL for bucket/object signed with the service
// account for the storage public origin ("" when signing fails).
func (e *Emulator) signURL(bucket, object string, expires time.Duration) string {
	return e.signURLQuery(bucket, object, expires, nil)
}

// signURLQuery is signURL with extra signed query parameters (such as GCS's
// response-content-disposition).
func (e *Emulator) signURLQuery(bucket, object string, expires time.Duration, q url.Values) string {
	u, err := url.Parse(e.StorageURL())
	if err != nil {
		return ""
	}
	s, err := gcs.SignRSA(&gcs.ServiceAccount{ClientEmail: e.keys.saEmail, PrivateKey: e.keys.saKey}, gcs.SignOptions{
		Method: http.MethodGet, Bucket: bucket, Object: object, Expires: expires, Time: e.now(),
		Style: gcs.PathStyle, Hostname: u.Host, Scheme: u.Scheme, Query: q,
	})
	if err != nil {
		return ""
	}
	return s
}

// xmlError is GCS's XML error document.
type xmlError struct {
	XMLName xml.Name `xml:"Error"`
	Code    string   `xml:"Code"`
	Message string   `xml:"Message"`
}

// writeXMLError answers status with a GCS-style XML error.
func writeXMLError(w http.ResponseWriter, status int, code, msg string) {
	b, _ := xml.Marshal(xmlError{Code: code, Message: msg})
	body := append([]byte(xml.Header), b...)
	w.Header().Set("Content-Type", "application/xml; charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
