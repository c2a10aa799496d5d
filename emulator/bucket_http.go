package emulator

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/aignostics/aignostics/checksum"
	"github.com/aignostics/aignostics/gcs"
)

// OrgBucket is the name of the organization's bucket (what /v1/me returns
// as aignostics_bucket_name).
func (e *Emulator) OrgBucket() string { return orgBucket(e.keys.orgID) }

// serveOrgBucket serves the organization bucket's XML API: PUT, GET, HEAD
// and DELETE of objects and the multipart calls, for requests signed with
// AWS4-HMAC-SHA256 (query or header form) or a V4 signed URL.
func (e *Emulator) serveOrgBucket(w http.ResponseWriter, r *http.Request, object string) {
	auth := r.Header.Get("Authorization")
	if auth != "" && !strings.HasPrefix(auth, gcs.AlgorithmAWS4+" ") {
		writeXMLError(w, http.StatusBadRequest, "InvalidArgument",
			"A signed URL must not be sent with an Authorization header (the client leaked its token to storage).")
		return
	}
	payload := "UNSIGNED-PAYLOAD"
	switch {
	case gcs.IsAWSSigned(r):
		v, err := gcs.VerifyAWSRequest(r, e.verifyKeys().HMAC, e.now())
		if err != nil {
			writeSignatureError(w, err)
			return
		}
		payload = v.PayloadHash
	case r.URL.Query().Has("X-Goog-Signature"):
		if err := gcs.VerifyRequest(r, e.verifyKeys(), e.now()); err != nil {
			writeSignatureError(w, err)
			return
		}
	default:
		writeXMLError(w, http.StatusForbidden, "AccessDenied",
			"Anonymous caller does not have storage.objects access to the Google Cloud Storage bucket. Sign requests with the organization's HMAC key.")
		return
	}
	if object == "" {
		writeXMLError(w, http.StatusNotImplemented, "NotImplemented", "The emulator serves objects only; listing the bucket is not implemented.")
		return
	}
	if err := gcs.ValidateObject(object); err != nil {
		writeXMLError(w, http.StatusBadRequest, "InvalidArgument", "Invalid object name: "+err.Error())
		return
	}
	q := r.URL.Query()
	id := q.Get("uploadId")
	switch {
	case r.Method == http.MethodPost && q.Has("uploads"):
		e.initiateUpload(w, r, object)
	case r.Method == http.MethodPost && id != "":
		e.completeUpload(w, r, object, id)
	case r.Method == http.MethodPut && id != "":
		e.putPart(w, r, object, id, payload)
	case r.Method == http.MethodPut:
		e.putObject(w, r, object, payload)
	case r.Method == http.MethodGet && id != "":
		e.listParts(w, r, object, id)
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		e.getOrgObject(w, r, object)
	case r.Method == http.MethodDelete && id != "":
		e.abortUpload(w, object, id)
	case r.Method == http.MethodDelete:
		e.deleteOrgObject(w, object)
	default:
		w.Header().Set("Allow", "GET, HEAD, PUT, POST, DELETE")
		writeXMLError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.")
	}
}

// writeStoreError answers a store error in GCS's style. A failed read of the
// request body (the client went away, or a truncate fault) closes the
// connection without an answer.
func writeStoreError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, errNoSuchKey):
		writeXMLError(w, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
	case errors.Is(err, errNoSuchUpload):
		writeXMLError(w, http.StatusNotFound, "NoSuchUpload", "The specified multipart upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.")
	case errors.Is(err, errInvalidPart):
		writeXMLError(w, http.StatusBadRequest, "InvalidPart", capitalize(err.Error())+".")
	case errors.Is(err, errInvalidOrder):
		writeXMLError(w, http.StatusBadRequest, "InvalidPartOrder", "The list of parts was not in ascending order.")
	case errors.Is(err, errEntityTooSmall):
		writeXMLError(w, http.StatusBadRequest, "EntityTooSmall", capitalize(err.Error())+".")
	case errors.Is(err, errMalformedXML):
		writeXMLError(w, http.StatusBadRequest, "MalformedXML", capitalize(err.Error())+".")
	case errors.Is(err, errPayloadMismatch):
		writeXMLError(w, http.StatusBadRequest, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.")
	case errors.Is(err, errTooLarge):
		writeXMLError(w, http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size.")
	case isBodyReadError(err):
		abortConn(w, false)
	default:
		writeXMLError(w, http.StatusInternalServerError, "InternalError", "We encountered an internal error: "+err.Error())
	}
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// errTooLarge wraps a body over the size limit.
var errTooLarge = errors.New("entity too large")

// bodyError marks an error reading the request body.
type bodyError struct{ err error }

func (b *bodyError) Error() string { return "read request body: " + b.err.Error() }
func (b *bodyError) Unwrap() error { return b.err }

func isBodyReadError(err error) bool {
	var be *bodyError
	return errors.As(err, &be)
}

// bodyReader tags read errors of a request body.
type bodyReader struct{ r io.Reader }

func (b bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		err = &bodyError{err}
	}
	return n, err
}

// receiveBody stores the request body with a size limit.
func (e *Emulator) receiveBody(r *http.Request, max int64, payload string) (received, error) {
	if r.ContentLength > max {
		return received{}, errTooLarge
	}
	rc, err := e.bucket.receive(bodyReader{r.Body}, max, payload)
	if err != nil && strings.Contains(err.Error(), "the body is larger than") {
		return received{}, errTooLarge
	}
	return rc, err
}

// putObject stores a single-PUT object.
func (e *Emulator) putObject(w http.ResponseWriter, r *http.Request, object, payload string) {
	rc, err := e.receiveBody(r, maxObjectSize, payload)
	if err != nil {
		writeStoreError(w, err)
		return
	}
	o, err := e.bucket.put(object, contentType(r), rc)
	if err != nil {
		writeStoreError(w, err)
		return
	}
	e.count("bucket:put")
	setObjectHeaders(w.Header(), o)
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
}

func contentType(r *http.Request) string {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		return ct
	}
	return "application/octet-stream"
}

// setObjectHeaders sets the XML API's object headers.
func setObjectHeaders(h http.Header, o *orgObject) {
	h.Set("ETag", `"`+o.ETag+`"`)
	hashes := "crc32c=" + checksum.Encode(o.CRC32C)
	if b, err := hex.DecodeString(o.MD5); err == nil && len(b) > 0 {
		hashes += ",md5=" + base64.StdEncoding.EncodeToString(b)
	}
	h.Set("x-goog-hash", hashes)
	h.Set("x-goog-generation", strconv.FormatInt(o.Generation, 10))
	h.Set("x-goog-metageneration", "1")
	h.Set("x-goog-stored-content-length", strconv.FormatInt(o.Size, 10))
	h.Set("x-goog-storage-class", "STANDARD")
	h.Set("Last-Modified", o.Updated.UTC().Format(http.TimeFormat))
}

// getOrgObject serves GET and HEAD of an object (Range and If-Range honoured).
func (e *Emulator) getOrgObject(w http.ResponseWriter, r *http.Request, object string) {
	o, sr, err := e.bucket.open(object)
	if err != nil {
		writeStoreError(w, err)
		return
	}
	defer sr.Close()
	setObjectHeaders(w.Header(), &o)
	serveContent(w, r, storageObject{Size: o.Size, CRC32C: o.CRC32C, ETag: `"` + o.ETag + `"`,
		ContentType: o.ContentType, Content: sr, Hashes: w.Header().Get("x-goog-hash")})
}

// deleteOrgObject answers 204 once the object is gone.
func (e *Emulator) deleteOrgObject(w http.ResponseWriter, object string) {
	if err := e.bucket.remove(object); err != nil {
		writeStoreError(w, err)
		return
	}
	e.count("bucket:delete")
	w.WriteHeader(http.StatusNoContent)
}

// initiateUpload serves POST ?uploads.
func (e *Emulator) initiateUpload(w http.ResponseWriter, r *http.Request, object string) {
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
	id, err := e.bucket.initiate(object, contentType(r))
	if err != nil {
		writeStoreError(w, err)
		return
	}
	e.count("bucket:initiate")
	writeXMLDoc(w, http.StatusOK, initiateResult{Xmlns: s3Namespace, Bucket: e.OrgBucket(), Key: object, UploadID: id})
}

// putPart serves PUT ?partNumber=N&uploadId=U.
func (e *Emulator) putPart(w http.ResponseWriter, r *http.Request, object, id, payload string) {
	n, err := strconv.Atoi(r.URL.Query().Get("partNumber"))
	if err != nil || n < 1 || n > maxPartNumber {
		writeXMLError(w, http.StatusBadRequest, "InvalidArgument", fmt.Sprintf("Part number must be an integer between 1 and %d, inclusive.", maxPartNumber))
		return
	}
	if _, err := e.bucket.upload(id, object); err != nil {
		writeStoreError(w, err)
		return
	}
	rc, err := e.receiveBody(r, maxPartSize, payload)
	if err != nil {
		writeStoreError(w, err)
		return
	}
	p, err := e.bucket.putPart(id, object, n, rc)
	if err != nil {
		writeStoreError(w, err)
		return
	}
	e.count("bucket:part")
	w.Header().Set("ETag", `"`+p.MD5+`"`)
	w.Header().Set("x-goog-hash", "crc32c="+checksum.Encode(p.CRC32C))
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
}

// listParts serves GET ?uploadId=U[&max-parts=N][&part-number-marker=M].
func (e *Emulator) listParts(w http.ResponseWriter, r *http.Request, object, id string) {
	q := r.URL.Query()
	max, marker := maxListParts, 0
	if v := q.Get("max-parts"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeXMLError(w, http.StatusBadRequest, "InvalidArgument", "max-parts must be a non-negative integer.")
			return
		}
		max = min(n, maxListParts)
	}
	if v := q.Get("part-number-marker"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeXMLError(w, http.StatusBadRequest, "InvalidArgument", "part-number-marker must be a non-negative integer.")
			return
		}
		marker = n
	}
	list, truncated, err := e.bucket.parts(id, object, marker, max)
	if err != nil {
		writeStoreError(w, err)
		return
	}
	res := listPartsResult{Xmlns: s3Namespace, Bucket: e.OrgBucket(), Key: object, UploadID: id,
		PartNumberMarker: marker, MaxParts: max, IsTruncated: truncated, Parts: []listedPart{}}
	for _, p := range list {
		res.Parts = append(res.Parts, listedPart{PartNumber: p.Number, LastModified: s3Time(p.Modified),
			ETag: `"` + p.MD5 + `"`, Size: p.Size})
		res.NextPartNumberMarker = p.Number
	}
	writeXMLDoc(w, http.StatusOK, res)
}

// completeUpload serves POST ?uploadId=U with a CompleteMultipartUpload document.
func (e *Emulator) completeUpload(w http.ResponseWriter, r *http.Request, object, id string) {
	list, err := parseComplete(bodyReader{r.Body})
	if err != nil {
		writeStoreError(w, err)
		return
	}
	o, err := e.bucket.complete(id, object, list)
	if err != nil {
		writeStoreError(w, err)
		return
	}
	e.count("bucket:complete")
	setObjectHeaders(w.Header(), o)
	loc := e.StorageURL() + "/" + e.OrgBucket() + "/" + (&url.URL{Path: object}).EscapedPath()
	writeXMLDoc(w, http.StatusOK, completeResult{Xmlns: s3Namespace, Location: loc, Bucket: e.OrgBucket(),
		Key: object, ETag: `"` + o.ETag + `"`})
}

// abortUpload serves DELETE ?uploadId=U (204).
func (e *Emulator) abortUpload(w http.ResponseWriter, object, id string) {
	if err := e.bucket.abort(id, object); err != nil {
		writeStoreError(w, err)
		return
	}
	e.count("bucket:abort")
	w.WriteHeader(http.StatusNoContent)
}

// MultipartUploads is the number of multipart uploads in progress in the
// organization bucket (neither completed nor aborted).
func (e *Emulator) MultipartUploads() int { return e.bucket.uploadCount() }

// OrgObject reports an object of the organization bucket: its size and
// CRC32C (GCS base64), or ok false when there is none.
func (e *Emulator) OrgObject(name string) (size int64, crc32c string, ok bool) {
	o, ok := e.bucket.stat(name)
	if !ok {
		return 0, "", false
	}
	return o.Size, checksum.Encode(o.CRC32C), true
}
