package emulator

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aignostics/aignostics/emulator/internal/testkeys"
	"github.com/aignostics/aignostics/internal/clock"
)

// startTest is emulatortest.StartTest for this package's tests, which
// cannot import it: keys made once per process, closed when the test ends.
func startTest(tb testing.TB, o Options) *Emulator {
	tb.Helper()
	if o.GenerateKey == nil {
		o.GenerateKey = testkeys.Generator()
	}
	e, err := Start(o, "127.0.0.1:0", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("start emulator: %v", err)
	}
	tb.Cleanup(func() {
		if err := e.Close(); err != nil {
			tb.Errorf("close emulator: %v", err)
		}
	})
	return e
}

// newFakeClock returns a clock that only moves when told.
func newFakeClock() *clock.Fake {
	return clock.NewFake(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
}

// startClocked starts an emulator whose clock the test controls.
func startClocked(t *testing.T, o Options) (*Emulator, *clock.Fake) {
	t.Helper()
	c := newFakeClock()
	o.Clock = c.Clock()
	return startTest(t, o), c
}

// noRedirect is a client that returns redirects instead of following them.
func noRedirect() *http.Client {
	return &http.Client{
		Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// pkcePair returns a verifier and its S256 challenge.
func pkcePair() (verifier, challenge string) {
	verifier = randomToken(32)
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

// do sends a request and returns the status, headers and body.
func do(t *testing.T, req *http.Request) (int, http.Header, []byte) {
	t.Helper()
	resp, err := noRedirect().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s %s: %v", req.Method, req.URL.Path, err)
	}
	return resp.StatusCode, resp.Header, b
}

func get(t *testing.T, u string, header ...string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return do(t, req)
}

// postForm posts a form and decodes a JSON object answer.
func postForm(t *testing.T, u string, v url.Values) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(v.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	status, _, body := do(t, req)
	m := map[string]any{}
	if len(body) > 0 && json.Unmarshal(body, &m) != nil {
		m["_body"] = string(body)
	}
	return status, m
}

// authorizeParams are the parameters of a valid /authorize request.
func authorizeParams(challenge string) url.Values {
	return url.Values{
		"client_id":             {ClientIDInteractive},
		"redirect_uri":          {"http://127.0.0.1:8989/"},
		"response_type":         {"code"},
		"code_challenge":        {challenge},
		"code_challenge_method": {"S256"},
		"state":                 {"st-123"},
		"scope":                 {"openid offline_access"},
	}
}

// authorize calls /authorize and returns the status and the parsed Location.
func authorize(t *testing.T, e *Emulator, v url.Values) (int, *url.URL, []byte) {
	t.Helper()
	status, h, body := get(t, e.URL()+"/authorize?"+v.Encode())
	var loc *url.URL
	if l := h.Get("Location"); l != "" {
		var err error
		if loc, err = url.Parse(l); err != nil {
			t.Fatalf("parse Location %q: %v", l, err)
		}
	}
	return status, loc, body
}

// loginCode runs /authorize and exchanges the code; it returns the token response.
func loginCode(t *testing.T, e *Emulator, scope string) map[string]any {
	t.Helper()
	verifier, challenge := pkcePair()
	p := authorizeParams(challenge)
	p.Set("scope", scope)
	status, loc, _ := authorize(t, e, p)
	if status != http.StatusFound || loc == nil {
		t.Fatalf("authorize: status %d, want 302", status)
	}
	status, tok := postForm(t, e.URL()+"/oauth/token", url.Values{
		"grant_type": {"authorization_code"}, "client_id": {ClientIDInteractive},
		"code": {loc.Query().Get("code")}, "code_verifier": {verifier}, "redirect_uri": {"http://127.0.0.1:8989/"},
	})
	if status != http.StatusOK {
		t.Fatalf("exchange code: status %d %v", status, tok)
	}
	return tok
}

// str reads a string field of a decoded JSON object.
func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}
