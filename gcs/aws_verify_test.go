package gcs

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

const testSecret = "s3cr3t/Value+With=Chars"

var testKey = HMACKey{AccessID: "GOOG1EXAMPLEACCESS", Secret: testSecret}

func testSecretOf(id string) (string, bool) { return testSecret, id == testKey.AccessID }

// verifyServer answers 200 with the verified payload hash, or the error
// code (and message) of a failed verification, over real HTTP.
func verifyServer(t *testing.T, now func() time.Time) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := VerifyAWSRequest(r, testSecretOf, now())
		if err != nil {
			status, code := ErrorCode(err)
			WriteXMLError(w, status, code, err.Error())
			return
		}
		_, _ = io.WriteString(w, v.AccessID+" "+v.PayloadHash)
	}))
	t.Cleanup(s.Close)
	return s
}

func do(t *testing.T, method, u string, h http.Header, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range h {
		req.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestVerifyAWSRoundTrip(t *testing.T) {
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	now := at.Add(time.Minute)
	srv := verifyServer(t, func() time.Time { return now })
	for _, method := range []string{"GET", "HEAD", "PUT", "POST", "DELETE"} {
		for _, q := range []url.Values{nil, {"uploads": {""}}, {"partNumber": {"3"}, "uploadId": {"u/p+id="}}} {
			o := S3Request{Method: method, Bucket: "aignostics-org-1", Object: "me/slides/1a2b3c4d-10/a b+c%.svs",
				Query: q, Endpoint: srv.URL, Time: at, Expires: time.Hour}
			ps, err := PresignS3(testKey, o)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(ps.URL, testSecret) || strings.Contains(ps.URL, url.QueryEscape(testSecret)) {
				t.Fatal("the secret is in the URL")
			}
			if code, body := do(t, method, ps.URL, nil, "data"); code != 200 || (method != "HEAD" && body != testKey.AccessID+" UNSIGNED-PAYLOAD") {
				t.Errorf("presigned %s %v: %d %s", method, q, code, body)
			}
			hs, err := SignS3Header(testKey, o)
			if err != nil {
				t.Fatal(err)
			}
			if code, body := do(t, method, hs.URL, hs.Header, "data"); code != 200 {
				t.Errorf("header-signed %s %v: %d %s", method, q, code, body)
			}
		}
	}
}

func TestVerifyAWSRefuses(t *testing.T) {
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	now := at.Add(30 * time.Minute)
	srv := verifyServer(t, func() time.Time { return now })
	base := S3Request{Method: "PUT", Bucket: "aignostics-org-1", Object: "o", Endpoint: srv.URL, Time: at, Expires: time.Hour}
	presign := func(o S3Request) string {
		s, err := PresignS3(testKey, o)
		if err != nil {
			t.Fatal(err)
		}
		return s.URL
	}
	good := presign(base)
	expired := base
	expired.Expires = 10 * time.Minute
	future := base
	future.Time = now.Add(time.Minute)
	wrongKey, _ := PresignS3(HMACKey{AccessID: testKey.AccessID, Secret: "other"}, base)
	unknownKey, _ := PresignS3(HMACKey{AccessID: "nobody", Secret: testSecret}, base)
	header, _ := SignS3Header(testKey, base)
	tests := []struct {
		name, method, url string
		h                 http.Header
		code              int
		msg               string
	}{
		{"method changed", "GET", good, nil, 403, "SignatureDoesNotMatch"},
		{"object changed", "PUT", strings.Replace(good, "/o?", "/p?", 1), nil, 403, "SignatureDoesNotMatch"},
		{"query added", "PUT", good + "&uploads=", nil, 403, "SignatureDoesNotMatch"},
		{"expired", "PUT", presign(expired), nil, 400, "ExpiredToken"},
		{"not yet valid", "PUT", presign(future), nil, 400, "not valid yet"},
		{"wrong secret", "PUT", wrongKey.URL, nil, 403, "SignatureDoesNotMatch"},
		{"unknown key", "PUT", unknownKey.URL, nil, 403, "AccessDenied"},
		{"no expires", "PUT", strings.Replace(good, "X-Amz-Expires=3600", "X-Amz-Expires=", 1), nil, 400, "X-Amz-Expires"},
		{"header form skewed", "PUT", header.URL, header.Header, 400, "15 minutes"},
		{"bad authorization", "PUT", srv.URL + "/aignostics-org-1/o", http.Header{"Authorization": {"AWS4-HMAC-SHA256 Credential=x"}}, 400, "Authorization needs"},
	}
	for _, tt := range tests {
		code, body := do(t, tt.method, tt.url, tt.h, "")
		if code != tt.code || !strings.Contains(body, tt.msg) {
			t.Errorf("%s: %d %s, want %d with %q", tt.name, code, body, tt.code, tt.msg)
		}
		sig := ""
		if u, err := url.Parse(tt.url); err == nil {
			sig = u.Query().Get("X-Amz-Signature")
		}
		if sig != "" && strings.Contains(body, sig) {
			t.Errorf("%s: the error holds the signature", tt.name)
		}
		if strings.Contains(body, testSecret) {
			t.Errorf("%s: the error holds the secret", tt.name)
		}
	}
}

func TestVerifyAWSPayloadHash(t *testing.T) {
	at := time.Now().UTC()
	srv := verifyServer(t, time.Now)
	u, _ := url.Parse(srv.URL + "/aignostics-org-1/obj")
	body := "hello"
	s, err := SignAWSHeader(testKey, AWSRequest{Method: "PUT", URL: u, Region: "auto", Service: S3Service, Time: at,
		PayloadHash: PayloadSHA256([]byte(body)), ContentSHA256Header: true})
	if err != nil {
		t.Fatal(err)
	}
	code, got := do(t, "PUT", s.URL, s.Header, body)
	if code != 200 || got != testKey.AccessID+" "+PayloadSHA256([]byte(body)) {
		t.Fatalf("%d %s", code, got)
	}
}

func TestSignAWSErrors(t *testing.T) {
	u, _ := url.Parse("https://storage.googleapis.com/b/o")
	ok := AWSRequest{URL: u, Region: S3Region, Service: S3Service, Expires: time.Hour}
	tests := []struct {
		name string
		k    HMACKey
		mod  func(*AWSRequest)
		msg  string
	}{
		{"no id", HMACKey{Secret: "s"}, nil, "access id is empty"},
		{"no secret", HMACKey{AccessID: "a"}, nil, "secret is empty"},
		{"no url", testKey, func(r *AWSRequest) { r.URL = nil }, "no host"},
		{"scheme", testKey, func(r *AWSRequest) { r.URL = &url.URL{Scheme: "ftp", Host: "h"} }, "scheme"},
		{"region", testKey, func(r *AWSRequest) { r.Region = "" }, "region"},
		{"expires", testKey, func(r *AWSRequest) { r.Expires = 8 * 24 * time.Hour }, "168h"},
		{"signature in url", testKey, func(r *AWSRequest) {
			r.URL = &url.URL{Scheme: "https", Host: "h", Path: "/b/o", RawQuery: "X-Amz-Signature=x"}
		}, "already has"},
	}
	for _, tt := range tests {
		r := ok
		if tt.mod != nil {
			tt.mod(&r)
		}
		_, err := PresignAWS(tt.k, r)
		if err == nil || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.msg)
		}
		if err != nil && strings.Contains(err.Error(), testSecret) {
			t.Errorf("%s: the error holds the secret", tt.name)
		}
	}
	if _, err := PresignS3(testKey, S3Request{Bucket: "b", Object: "o", Expires: time.Hour}); err == nil {
		t.Error("a bad bucket name was signed")
	}
	if _, err := PresignS3(testKey, S3Request{Bucket: "bucket", Object: "o", Endpoint: "ftp://x", Expires: time.Hour}); err == nil {
		t.Error("a bad endpoint was signed")
	}
}

func TestParseEndpoint(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{"", "https://storage.googleapis.com", ""},
		{"127.0.0.1:8781", "http://127.0.0.1:8781", ""},
		{"http://localhost:9000/", "http://localhost:9000", ""},
		{"https://[::1]:9000", "https://[::1]:9000", ""},
		{"ftp://x", "", "want host:port"},
		{"http://x/path", "", "want host:port"},
		{"http://u:p@x", "", "want host:port"},
		{"http://x?q", "", "want host:port"},
	}
	for _, tt := range tests {
		u, err := ParseEndpoint(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: %v", tt.in, err)
			}
			continue
		}
		if err != nil || u.String() != tt.want {
			t.Errorf("%q: %v %v, want %s", tt.in, u, err, tt.want)
		}
	}
}

func FuzzVerifyAWSRequest(f *testing.F) {
	f.Add("/b/o", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a%2F20260301%2Fr%2Fs3%2Faws4_request&X-Amz-Date=20260301T100000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=00", "")
	f.Add("/b/o", "", "AWS4-HMAC-SHA256 Credential=a/20260301/r/s3/aws4_request, SignedHeaders=host, Signature=00")
	f.Fuzz(func(t *testing.T, path, query, auth string) {
		r := httptest.NewRequest("GET", "http://h/", nil)
		r.URL.Path, r.URL.RawQuery = path, query
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		r.Header.Set("X-Amz-Date", "20260301T100000Z")
		r.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
		_, err := VerifyAWSRequest(r, testSecretOf, time.Date(2026, 3, 1, 10, 0, 30, 0, time.UTC))
		if err == nil {
			t.Fatal("a request without a valid signature verified")
		}
		if !errors.Is(err, ErrMalformedSignature) && !errors.Is(err, ErrSignatureMismatch) && !errors.Is(err, ErrExpired) &&
			!errors.Is(err, ErrNotYetValid) && !errors.Is(err, ErrUnknownKey) {
			t.Fatalf("unclassified error: %v", err)
		}
	})
}
