package gcs

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// awsCase is one case folder of the AWS SigV4 test suite (aws-c-auth's
// tests/aws-signing-test-suite/v4, copied to testdata/aws-sigv4).
type awsCase struct {
	name string
	ctx  struct {
		Credentials struct {
			AccessKeyID     string `json:"access_key_id"`
			SecretAccessKey string `json:"secret_access_key"`
			Token           string `json:"token"`
		} `json:"credentials"`
		Expiration       int64  `json:"expiration_in_seconds"`
		Normalize        bool   `json:"normalize"`
		Region           string `json:"region"`
		Service          string `json:"service"`
		SignBody         bool   `json:"sign_body"`
		Timestamp        string `json:"timestamp"`
		OmitSessionToken bool   `json:"omit_session_token"`
	}
	req AWSRequest
}

func readCaseFile(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// parseRawRequest reads request.txt: "METHOD TARGET HTTP/1.1", headers (a
// line starting with white space continues the previous value), a blank
// line, the body. Paths are raw (spaces, UTF-8), as the suite writes them.
func parseRawRequest(t *testing.T, raw string) (method string, u *url.URL, h http.Header, body string) {
	t.Helper()
	head, body, _ := strings.Cut(raw, "\n\n")
	sc := bufio.NewScanner(strings.NewReader(head))
	sc.Scan()
	line := sc.Text()
	method, rest, _ := strings.Cut(line, " ")
	target := strings.TrimSuffix(rest, " HTTP/1.1")
	u = &url.URL{Scheme: "https"}
	u.Path, u.RawQuery, _ = strings.Cut(target, "?")
	h = http.Header{}
	var last string
	for sc.Scan() {
		l := sc.Text()
		if l == "" {
			continue
		}
		if l[0] == ' ' || l[0] == '\t' {
			vs := h[last]
			vs[len(vs)-1] += "\n" + l
			continue
		}
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			t.Fatalf("header line %q", l)
		}
		if strings.EqualFold(name, "host") {
			u.Host = strings.TrimSpace(value)
			continue
		}
		last = http.CanonicalHeaderKey(name)
		h[last] = append(h[last], value)
	}
	return method, u, h, body
}

func loadAWSCases(t *testing.T) []awsCase {
	t.Helper()
	root := filepath.Join("testdata", "aws-sigv4")
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var cases []awsCase
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(root, e.Name())
		c := awsCase{name: e.Name()}
		if err := json.Unmarshal([]byte(readCaseFile(t, dir, "context.json")), &c.ctx); err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		at, err := time.Parse(time.RFC3339, c.ctx.Timestamp)
		if err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		method, u, h, body := parseRawRequest(t, readCaseFile(t, dir, "request.txt"))
		c.req = AWSRequest{Method: method, URL: u, Header: h, Region: c.ctx.Region, Service: c.ctx.Service,
			Time: at, Expires: time.Duration(c.ctx.Expiration) * time.Second,
			PayloadHash: PayloadSHA256([]byte(body)), NormalizePath: c.ctx.Normalize,
			ContentSHA256Header: c.ctx.SignBody}
		c.req.SessionToken = c.ctx.Credentials.Token
		c.req.SessionTokenUnsigned = c.ctx.OmitSessionToken
		cases = append(cases, c)
	}
	if len(cases) != 38 {
		t.Fatalf("%d cases, want the 38 of the copied suite", len(cases))
	}
	return cases
}

// TestAWSVectors checks every case of the suite in both forms: canonical
// request, string to sign, signature, and the signed request's Authorization
// header or query parameters.
func TestAWSVectors(t *testing.T) {
	for _, c := range loadAWSCases(t) {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join("testdata", "aws-sigv4", c.name)
			key := HMACKey{AccessID: c.ctx.Credentials.AccessKeyID, Secret: c.ctx.Credentials.SecretAccessKey}
			for _, form := range []string{"header", "query"} {
				sign := SignAWSHeader
				if form == "query" {
					sign = PresignAWS
				}
				got, err := sign(key, c.req)
				if err != nil {
					t.Fatalf("%s: %v", form, err)
				}
				for _, f := range []struct{ file, value string }{
					{form + "-canonical-request.txt", got.CanonicalRequest},
					{form + "-string-to-sign.txt", got.StringToSign},
					{form + "-signature.txt", got.Signature},
				} {
					if want := readCaseFile(t, dir, f.file); f.value != want {
						t.Errorf("%s:\n%s\nwant:\n%s", f.file, f.value, want)
					}
				}
				_, wu, wh, _ := parseRawRequest(t, readCaseFile(t, dir, form+"-signed-request.txt"))
				if form == "header" {
					for _, name := range []string{"Authorization", "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-Sha256"} {
						if g, w := got.Header.Get(name), strings.TrimSpace(wh.Get(name)); g != w {
							t.Errorf("%s = %q, want %q", name, g, w)
						}
					}
					continue
				}
				gu, err := url.Parse(got.URL)
				if err != nil {
					t.Fatal(err)
				}
				gq, _ := url.ParseQuery(gu.RawQuery)
				wq, _ := url.ParseQuery(wu.RawQuery)
				if gq.Encode() != wq.Encode() {
					t.Errorf("presigned query:\n%s\nwant:\n%s", gq.Encode(), wq.Encode())
				}
			}
		})
	}
}

// TestS3DocumentationVector is the presigned GET of the Amazon S3
// documentation ("Authenticating Requests: Using Query Parameters").
func TestS3DocumentationVector(t *testing.T) {
	key := HMACKey{AccessID: "AKIAIOSFODNN7EXAMPLE", Secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
	at := time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)
	got, err := PresignAWS(key, AWSRequest{
		URL:    &url.URL{Scheme: "https", Host: "examplebucket.s3.amazonaws.com", Path: "/test.txt"},
		Region: "us-east-1", Service: "s3", Time: at, Expires: 86400 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	const want = "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
	if got.Signature != want {
		t.Fatalf("signature %s, want %s\ncanonical request:\n%s", got.Signature, want, got.CanonicalRequest)
	}
	wantURL := "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256" +
		"&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" +
		"&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=" + want
	if got.URL != wantURL {
		t.Fatalf("URL\n%s\nwant\n%s", got.URL, wantURL)
	}
}
