package gcs

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// server is a loopback storage server that verifies each request with
// VerifyRequest at a fixed "now" and reports the error through the test.
type server struct {
	*httptest.Server
	errs chan error
}

func newServer(t *testing.T, keys VerifyKeys, now time.Time) *server {
	t.Helper()
	s := &server{errs: make(chan error, 1)}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := VerifyRequest(r, keys, now)
		s.errs <- err
		if err != nil {
			http.Error(w, "denied", http.StatusForbidden)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// do sends method to rawURL with headers and returns what VerifyRequest said.
func (s *server) do(t *testing.T, method, rawURL string, headers map[string]string) error {
	t.Helper()
	req, err := http.NewRequest(method, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return <-s.errs
}

func TestVerifyRoundTrip(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	sa := &ServiceAccount{ClientEmail: "sa@example.iam.gserviceaccount.com", PrivateKey: key}
	impostor := &ServiceAccount{ClientEmail: sa.ClientEmail, PrivateKey: other}
	stranger := &ServiceAccount{ClientEmail: "who@example.com", PrivateKey: other}
	hk := HMACKey{AccessID: "GOOG1EXAMPLE", Secret: "s3cr3t"}
	signedAt := time.Date(2026, 11, 27, 20, 0, 0, 0, time.UTC)
	now := signedAt.Add(30 * time.Minute)
	keys := VerifyKeys{
		RSA: func(email string) (*rsa.PublicKey, bool) {
			if email == sa.ClientEmail {
				return &key.PublicKey, true
			}
			return nil, false
		},
		HMAC: func(id string) (string, bool) { return hk.Secret, id == hk.AccessID },
	}
	srv := newServer(t, keys, now)
	host := strings.TrimPrefix(srv.URL, "http://")
	base := SignOptions{Bucket: "aignostics-results", Object: "run 1/item&1/tissue_qc:tiff_heatmap.tiff", Expires: time.Hour, Time: signedAt, Hostname: host, Scheme: "http"}
	with := func(f func(o *SignOptions)) SignOptions { o := base; f(&o); return o }

	rsaURL := func(sa *ServiceAccount, o SignOptions) string {
		u, err := SignRSA(sa, o)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	hmacURL := func(k HMACKey, o SignOptions) string {
		u, err := SignHMAC(k, o)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	good := rsaURL(sa, base)
	withQuery := rsaURL(sa, with(func(o *SignOptions) { o.Query = url.Values{"response-content-type": {"image/tiff"}} }))
	withHeader := rsaURL(sa, with(func(o *SignOptions) { o.Headers = map[string]string{"X-Goog-Meta-Run": "r 1"} }))

	tests := []struct {
		name    string
		method  string
		url     string
		headers map[string]string
		want    error
	}{
		{"rsa ok", "GET", good, nil, nil},
		{"hmac ok", "GET", hmacURL(hk, base), nil, nil},
		{"leading slash object", "GET", rsaURL(sa, with(func(o *SignOptions) { o.Object = "/a//b" })), nil, nil},
		{"put ok", "PUT", rsaURL(sa, with(func(o *SignOptions) { o.Method = "PUT" })), nil, nil},
		{"signed query ok", "GET", withQuery, nil, nil},
		{"signed header ok", "GET", withHeader, map[string]string{"X-Goog-Meta-Run": "  r   1 "}, nil},
		{"signed header missing", "GET", withHeader, nil, ErrSignatureMismatch},
		{"signed header changed", "GET", withHeader, map[string]string{"X-Goog-Meta-Run": "r 2"}, ErrSignatureMismatch},
		{"unsigned header added", "GET", good, map[string]string{"X-Other": "x"}, nil},
		{"tampered path", "GET", strings.Replace(good, "item%261", "item%262", 1), nil, ErrSignatureMismatch},
		{"tampered bucket", "GET", strings.Replace(good, "aignostics-results", "aignostics-resultz", 1), nil, ErrSignatureMismatch},
		{"query added", "GET", good + "&x=1", nil, ErrSignatureMismatch},
		{"signed query changed", "GET", strings.Replace(withQuery, "image%2Ftiff", "text%2Fhtml", 1), nil, ErrSignatureMismatch},
		{"signed query dropped", "GET", strings.Replace(withQuery, "&response-content-type=image%2Ftiff", "", 1), nil, ErrSignatureMismatch},
		{"expires raised", "GET", strings.Replace(good, "X-Goog-Expires=3600", "X-Goog-Expires=7200", 1), nil, ErrSignatureMismatch},
		{"wrong method", "DELETE", good, nil, ErrSignatureMismatch},
		{"head on get url", "HEAD", good, nil, ErrSignatureMismatch},
		{"wrong rsa key", "GET", rsaURL(impostor, base), nil, ErrSignatureMismatch},
		{"unknown email", "GET", rsaURL(stranger, base), nil, ErrUnknownKey},
		{"wrong hmac secret", "GET", hmacURL(HMACKey{AccessID: hk.AccessID, Secret: "guess"}, base), nil, ErrSignatureMismatch},
		{"unknown hmac id", "GET", hmacURL(HMACKey{AccessID: "GOOG1OTHER", Secret: "x"}, base), nil, ErrUnknownKey},
		{"expired", "GET", rsaURL(sa, with(func(o *SignOptions) { o.Expires = 30 * time.Minute })), nil, ErrExpired},
		{"just valid", "GET", rsaURL(sa, with(func(o *SignOptions) { o.Expires = 30*time.Minute + time.Second })), nil, nil},
		{"not yet valid", "GET", rsaURL(sa, with(func(o *SignOptions) { o.Time = now.Add(time.Second) })), nil, ErrNotYetValid},
		{"no signature", "GET", srv.URL + "/aignostics-results/x", nil, ErrMalformedSignature},
		{"signature not hex", "GET", good[:strings.Index(good, "X-Goog-Signature=")] + "X-Goog-Signature=zz", nil, ErrMalformedSignature},
		{"two signatures", "GET", good + "&X-Goog-Signature=00", nil, ErrMalformedSignature},
		{"bad algorithm", "GET", strings.Replace(good, AlgorithmRSA, "GOOG4-RSA-SHA1", 1), nil, ErrMalformedSignature},
		{"bad credential", "GET", strings.Replace(good, "%2Fauto%2Fstorage", "%2Fauto%2Fs3", 1), nil, ErrMalformedSignature},
		{"date mismatch", "GET", strings.Replace(good, "X-Goog-Date=20261127", "X-Goog-Date=20261126", 1), nil, ErrMalformedSignature},
		{"expires too long", "GET", strings.Replace(good, "X-Goog-Expires=3600", "X-Goog-Expires=604801", 1), nil, ErrMalformedSignature},
		{"signed headers without host", "GET", strings.Replace(good, "X-Goog-SignedHeaders=host", "X-Goog-SignedHeaders=x", 1), nil, ErrMalformedSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := srv.do(t, tt.method, tt.url, tt.headers)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("VerifyRequest = %v", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("VerifyRequest = %v, want %v", err, tt.want)
			}
			sig := tt.url[strings.LastIndex(tt.url, "=")+1:]
			if len(sig) > 16 && strings.Contains(err.Error(), sig) {
				t.Fatalf("error leaks the signature: %v", err)
			}
		})
	}
}

// A signer that includes the port in the signed host header (not the conformance
// form) is accepted too, since r.Host carries the port.
func TestVerifyHostWithPort(t *testing.T) {
	hk := HMACKey{AccessID: "id", Secret: "secret"}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	srv := newServer(t, VerifyKeys{HMAC: func(id string) (string, bool) { return hk.Secret, id == hk.AccessID }}, now)
	host := strings.TrimPrefix(srv.URL, "http://")
	o := SignOptions{Bucket: "abc", Object: "o", Expires: time.Minute, Time: now, Hostname: host, Scheme: "http"}
	p, err := Prepare(AlgorithmHMAC, hk.AccessID, o)
	if err != nil {
		t.Fatal(err)
	}
	_, query, _ := strings.Cut(p.URL, "?")
	canon := canonicalRequest("GET", "/abc/o", query, "host:"+host+"\n", "host", unsignedPayload)
	sts := stringToSign(AlgorithmHMAC, p.Time.Format(timeFormat), p.Time.Format(dateFormat)+"/auto/storage/goog4_request", canon)
	sig := hmacSHA256(signingKey("GOOG4", hk.Secret, p.Time.Format(dateFormat), "auto", "storage", "goog4_request"), sts)
	if err := srv.do(t, "GET", p.SignedURL(hex.EncodeToString(sig)), nil); err != nil {
		t.Fatalf("VerifyRequest = %v", err)
	}
}

func FuzzVerifyRequest(f *testing.F) {
	f.Add("/abc/o", "X-Goog-Algorithm=GOOG4-HMAC-SHA256&X-Goog-Credential=id%2F20260102%2Fauto%2Fstorage%2Fgoog4_request&X-Goog-Date=20260102T030405Z&X-Goog-Expires=60&X-Goog-SignedHeaders=host&X-Goog-Signature=00")
	f.Add("/", "X-Goog-Signature=%zz")
	keys := VerifyKeys{HMAC: func(id string) (string, bool) { return "secret", id == "id" }}
	now := time.Date(2026, 1, 2, 3, 4, 30, 0, time.UTC)
	f.Fuzz(func(t *testing.T, path, query string) {
		r := &http.Request{Method: "GET", Host: "127.0.0.1:1", URL: &url.URL{Path: path, RawQuery: query}, Header: http.Header{}}
		// Nothing here carries a valid signature, so every request must be refused.
		if err := VerifyRequest(r, keys, now); err == nil {
			t.Fatalf("accepted %q?%q", path, query)
		}
	})
}
