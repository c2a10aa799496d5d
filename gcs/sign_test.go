package gcs

import (
	"crypto/rand"
	"crypto/rsa"
	"strings"
	"testing"
	"time"
)

func TestPrepareRefuses(t *testing.T) {
	ok := SignOptions{Bucket: "abc", Object: "o", Expires: time.Hour}
	tests := []struct {
		name string
		f    func(o *SignOptions)
		want string
	}{
		{"expiry over 7 days", func(o *SignOptions) { o.Expires = MaxExpires + time.Second }, "7 days"},
		{"zero expiry", func(o *SignOptions) { o.Expires = 0 }, "positive"},
		{"negative expiry", func(o *SignOptions) { o.Expires = -time.Hour }, "positive"},
		{"sub-second expiry", func(o *SignOptions) { o.Expires = time.Millisecond }, "one second"},
		{"bad bucket", func(o *SignOptions) { o.Bucket = "AB" }, "bucket name"},
		{"bad object", func(o *SignOptions) { o.Object = ".." }, "object name"},
		{"bad method", func(o *SignOptions) { o.Method = "PATCH" }, "method"},
		{"bad scheme", func(o *SignOptions) { o.Scheme = "ftp" }, "scheme"},
		{"bad hostname", func(o *SignOptions) { o.Hostname = "http://x" }, "bare host"},
		{"bucket bound without host", func(o *SignOptions) { o.Style = BucketBoundHostname }, "Hostname"},
		{"host header", func(o *SignOptions) { o.Headers = map[string]string{"Host": "x"} }, "host"},
		{"duplicate header", func(o *SignOptions) { o.Headers = map[string]string{"A": "1", "a": "2"} }, "twice"},
		{"signature param", func(o *SignOptions) { o.Query = map[string][]string{"x-goog-signature": {"1"}} }, "X-Goog-Signature"},
	}
	for _, tt := range tests {
		o := ok
		tt.f(&o)
		_, err := Prepare(AlgorithmRSA, "sa@x", o)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want mention of %q", tt.name, err, tt.want)
		}
	}
	if _, err := Prepare(AlgorithmRSA, "sa@x", ok); err != nil {
		t.Fatalf("valid options refused: %v", err)
	}
	o := ok
	o.Expires = MaxExpires
	p, err := Prepare(AlgorithmRSA, "sa@x", o)
	if err != nil || !strings.Contains(p.URL, "X-Goog-Expires=604800") {
		t.Fatalf("7 days exactly: %v %v", p, err)
	}
}

func TestSignDefaults(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	u, err := SignRSA(&ServiceAccount{ClientEmail: "sa@x", PrivateKey: key}, SignOptions{Bucket: "abc", Object: "o", Expires: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(u, "https://storage.googleapis.com/abc/o?X-Goog-Algorithm=GOOG4-RSA-SHA256&") {
		t.Fatalf("default URL %s", u)
	}
	if _, err := SignHMAC(HMACKey{AccessID: "a"}, SignOptions{Bucket: "abc", Expires: time.Minute}); err == nil {
		t.Fatal("empty HMAC secret accepted")
	}
	if _, err := SignRSA(nil, SignOptions{}); err == nil {
		t.Fatal("nil service account accepted")
	}
	if s := (HMACKey{AccessID: "id", Secret: "topsecret"}); strings.Contains(s.String()+s.GoString(), "topsecret") {
		t.Fatal("HMACKey prints its secret")
	}
}
