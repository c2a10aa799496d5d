package httpx

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Authorization: Bearer abc.def-ghi", "Authorization: Bearer REDACTED"},
		{"authorization=Basic Zm9vOmJhcg==", "authorization=Basic REDACTED"},
		{`{"Authorization": "Bearer x1"}`, `{"Authorization": "Bearer REDACTED"}`},
		{"sent bearer tok_123", "sent bearer REDACTED"},
		{"GET https://h/cb?code=abc123&state=s1", "GET https://h/cb?code=REDACTED&state=s1"},
		{"grant_type=refresh_token&refresh_token=r1&client_id=c", "grant_type=refresh_token&refresh_token=REDACTED&client_id=c"},
		{"code_verifier=v&client_secret=cs&device_code=dc", "code_verifier=REDACTED&client_secret=REDACTED&device_code=REDACTED"},
		{"https://storage/b/o?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Credential=sa%40p.iam%2F20260101&X-Goog-Signature=deadbeef",
			"https://storage/b/o?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Credential=REDACTED&X-Goog-Signature=REDACTED"},
		{"https://s3/x?Signature=abc&Expires=1", "https://s3/x?Signature=REDACTED&Expires=1"},
		{`{"access_token": "a\"b", "refresh_token":"r", "id_token" : "i", "token_type": "Bearer"}`,
			`{"access_token": "REDACTED", "refresh_token":"REDACTED", "id_token" : "REDACTED", "token_type": "Bearer"}`},
		{"token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln here", "token REDACTED here"},
		{"http://user:hunter2@proxy:3128", "http://user:REDACTED@proxy:3128"},
		{"no secrets: client_id=abc&state=xyz&scope=offline_access", "no secrets: client_id=abc&state=xyz&scope=offline_access"},
		{"zipcode=12345&barcode=9", "zipcode=12345&barcode=9"},
	}
	for _, tt := range tests {
		if got := Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

func TestDebugLogRedacted(t *testing.T) {
	const token = "secret-access-token-123"
	s := newScript(t, 503, 200)
	var log bytes.Buffer
	c, _ := testClient(t, Options{Debug: &log, Token: &fakeTokens{tokens: []string{token}}, AuthOrigin: s.srv.URL})
	url := s.srv.URL + "/file?X-Goog-Signature=sig-value-456&code=code-789&page=2"
	req, _ := http.NewRequest("GET", url, nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	out := log.String()
	for _, secret := range []string{token, "sig-value-456", "code-789"} {
		if strings.Contains(out, secret) {
			t.Errorf("log leaks %q:\n%s", secret, out)
		}
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	wantPrefixes := []string{"-> GET " + s.srv.URL + "/file?", "<- 503 GET ", "retry 1/4 in 3s: GET ", "-> GET ", "<- 200 GET "}
	if len(lines) != len(wantPrefixes) {
		t.Fatalf("log has %d lines, want %d:\n%s", len(lines), len(wantPrefixes), out)
	}
	for i, p := range wantPrefixes {
		if !strings.HasPrefix(lines[i], p) {
			t.Errorf("line %d = %q, want prefix %q", i, lines[i], p)
		}
	}
	if !strings.Contains(lines[4], "page=2") || !strings.HasSuffix(lines[4], "ms)") && !strings.HasSuffix(lines[4], "s)") {
		t.Errorf("answer line %q", lines[4])
	}
	// The APIError of a failed request is redacted too.
	s2 := newScript(t, 404)
	c2, _ := testClient(t, Options{})
	err = c2.JSON(context.Background(), "GET", s2.srv.URL+"/x?refresh_token=rt-secret", nil, nil)
	if err == nil || strings.Contains(err.Error(), "rt-secret") {
		t.Errorf("error %v", err)
	}
}

func TestShareTokenRedacted(t *testing.T) {
	const value = "ast_Sh4re+T0ken/value=="
	if got := Redact("GET https://h/api/v1/runs/r?share_token=" + value + "&page=1"); strings.Contains(got, "T0ken") {
		t.Errorf("Redact leaks the share_token query value: %s", got)
	}
	if got := Redact(`{"share_token": "` + value + `"}`); strings.Contains(got, "T0ken") {
		t.Errorf("Redact leaks the share_token JSON value: %s", got)
	}
	if got := RedactValues("bare "+value+" and escaped "+url.QueryEscape(value), value, ""); strings.Contains(got, "T0ken") {
		t.Errorf("RedactValues leaks: %s", got)
	}
	// The debug log masks a listed secret wherever it appears, also in a
	// path where no query name announces it.
	s := newScript(t, 503, 200)
	var log bytes.Buffer
	var notes []string
	c, _ := testClient(t, Options{Debug: &log, Secrets: []string{value}, Notify: func(l string) { notes = append(notes, l) }})
	req, _ := http.NewRequest("GET", s.srv.URL+"/x/"+url.PathEscape(value)+"?share_token="+url.QueryEscape(value), nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	all := log.String() + strings.Join(notes, "\n")
	if strings.Contains(all, "T0ken") || !strings.Contains(log.String(), "REDACTED") {
		t.Errorf("log leaks the share token:\n%s", all)
	}
}

// TestJSONAnswerBounded: an answer larger than MaxAnswer is not read
// whole (a hostile or broken server cannot make the client allocate
// without end) and is not retried.
func TestJSONAnswerBounded(t *testing.T) {
	var hits int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `[`+strings.Repeat(`{"name":"doc"},`, 1000)+`{}]`)
	}))
	t.Cleanup(srv.Close)
	c, _ := testClient(t, Options{MaxAnswer: 4 << 10})
	var out []map[string]any
	err := c.JSON(context.Background(), "GET", srv.URL+"/documents", nil, &out)
	if err == nil || !errors.Is(err, ErrAnswerTooLarge) || hits != 1 || out != nil {
		t.Fatalf("err %v, %d requests, out %d; want one request refused as too large", err, hits, len(out))
	}
	c, _ = testClient(t, Options{})
	if err := c.JSON(context.Background(), "GET", srv.URL+"/documents", nil, &out); err != nil || len(out) != 1001 {
		t.Fatalf("default bound: %v, %d", err, len(out))
	}
}

func TestRedactOtherSpellings(t *testing.T) {
	for in, want := range map[string]string{
		"dial user:s3cret@proxy.corp:3128 failed":       "dial user:REDACTED@proxy.corp:3128 failed",
		`"https_proxy": "u:s3cret@10.0.0.1:3128"`:       `"https_proxy": "u:REDACTED@10.0.0.1:3128"`,
		"https://u:s3cret@proxy:1":                      "https://u:REDACTED@proxy:1",
		"/runs/1?shareToken=s3cret":                     "/runs/1?shareToken=REDACTED",
		"/runs/1?share-token=s3cret&x=1":                "/runs/1?share-token=REDACTED&x=1",
		"/runs/1?share_token%3Ds3cret":                  "/runs/1?share_token%3DREDACTED",
		"refreshToken=s3cret":                           "refreshToken=REDACTED",
		"dial tcp 127.0.0.1:3128: connection refused":   "dial tcp 127.0.0.1:3128: connection refused",
		"git@github.com:owner/repo and 12:30 at 10.0.0": "git@github.com:owner/repo and 12:30 at 10.0.0",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRedactValues(t *testing.T) {
	got := RedactValues("token opaque-secret/+= and opaque-secret%2F%2B%3D and abc", "opaque-secret/+=", "abc", "")
	if want := "token REDACTED and REDACTED and abc"; got != want {
		t.Errorf("RedactValues = %q, want %q", got, want)
	}
}
