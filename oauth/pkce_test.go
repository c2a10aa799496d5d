package oauth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/internal/clock"
)

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
}

// browse plays the browser: GET the URL, follow redirects, return status and page.
func browse(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Errorf("browser GET: %v", err)
		return 0, ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

type pkceRun struct {
	m      *Manager
	f      *fakeAS
	stderr *syncBuffer
	done   chan struct{}
	tok    httpx.Token
	err    error
}

func startPKCE(t *testing.T, mutate func(*Config), o LoginOptions) *pkceRun {
	t.Helper()
	f := newFakeAS(t, newClock())
	c := f.config(t.TempDir())
	c.RedirectURI = "http://127.0.0.1:" + freePort(t) + "/callback"
	c.Organization = "org-9"
	c.Scope = []string{"openid", "offline_access"}
	r := &pkceRun{f: f, stderr: newSyncBuffer(), done: make(chan struct{})}
	c.Stderr = r.stderr
	if mutate != nil {
		mutate(&c)
	}
	r.m = NewManager(c)
	go func() {
		defer close(r.done)
		r.tok, _, r.err = r.m.Login(context.Background(), o)
	}()
	return r
}

func (r *pkceRun) wait(t *testing.T) {
	t.Helper()
	<-r.done
}

func (r *pkceRun) authURL(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return r.stderr.waitLine(t, ctx, r.f.srv.URL+"/authorize")
}

func TestPKCELoginWithPrintedURL(t *testing.T) {
	r := startPKCE(t, nil, LoginOptions{NoBrowser: true})
	u := r.authURL(t)
	status, body := browse(t, u)
	r.wait(t)
	if r.err != nil {
		t.Fatalf("Login: %v", r.err)
	}
	if status != 200 || !strings.Contains(body, "Login successful") {
		t.Errorf("page = %d %q", status, body)
	}
	q := r.f.lastForm["authorize"]
	want := map[string]string{"client_id": "cli", "response_type": "code", "redirect_uri": r.m.c.RedirectURI,
		"scope": "openid offline_access", "audience": r.f.srv.URL + "/api", "access_type": "offline",
		"organization": "org-9", "code_challenge_method": "S256"}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("authorize %s = %q, want %q", k, q.Get(k), v)
		}
	}
	if len(q.Get("code_challenge")) != 43 || len(q.Get("state")) < 16 {
		t.Errorf("challenge %q / state %q too short", q.Get("code_challenge"), q.Get("state"))
	}
	ex := r.f.lastForm["authorization_code"]
	if ex.Get("redirect_uri") != r.m.c.RedirectURI || ex.Get("client_id") != "cli" || len(ex.Get("code_verifier")) != 43 {
		t.Errorf("exchange form = %v", ex)
	}
	noSecrets(t, "stderr", r.stderr.String(), r.tok.AccessToken, cached(t, r.m).RefreshToken)
	if strings.Contains(r.stderr.String(), "ssh -L") {
		t.Error("ssh hint printed with --no-browser")
	}
}

func TestPKCEOpensBrowser(t *testing.T) {
	var r *pkceRun
	opened := make(chan string, 1)
	r = startPKCE(t, func(c *Config) {
		c.HasBrowser = func() bool { return true }
		c.OpenBrowser = func(u string) error { opened <- u; return nil }
	}, LoginOptions{})
	u := <-opened
	if status, _ := browse(t, u); status != 200 {
		t.Errorf("status %d", status)
	}
	r.wait(t)
	if r.err != nil {
		t.Fatal(r.err)
	}
	if !strings.Contains(r.stderr.String(), u) {
		t.Error("the URL was not printed to stderr as well")
	}
}

func TestPKCESSHHint(t *testing.T) {
	r := startPKCE(t, func(c *Config) { c.ClientIDDevice = "" }, LoginOptions{})
	u := r.authURL(t)
	browse(t, u)
	r.wait(t)
	if r.err != nil {
		t.Fatal(r.err)
	}
	port := strings.TrimSuffix(strings.TrimPrefix(r.m.c.RedirectURI, "http://127.0.0.1:"), "/callback")
	if !strings.Contains(r.stderr.String(), "ssh -L "+port+":localhost:"+port) {
		t.Errorf("no ssh hint in %q", r.stderr.String())
	}
}

func TestPKCECallbackErrors(t *testing.T) {
	r := startPKCE(t, nil, LoginOptions{NoBrowser: true})
	u, err := url.Parse(r.authURL(t))
	if err != nil {
		t.Fatal(err)
	}
	state := u.Query().Get("state")
	status, body := browse(t, r.m.c.RedirectURI+"?error=access_denied&error_description=User+said+no&state="+url.QueryEscape(state))
	r.wait(t)
	if r.err == nil || !strings.Contains(r.err.Error(), "access_denied: User said no") {
		t.Fatalf("err = %v, want the server's error", r.err)
	}
	var le *LoginError
	if !errors.As(r.err, &le) {
		t.Errorf("%T is not a LoginError", r.err)
	}
	if status != 400 || !strings.Contains(body, "Login failed") {
		t.Errorf("page = %d %q", status, body)
	}
	if r.f.count("grant:authorization_code") != 0 {
		t.Error("a code was exchanged")
	}
}

// TestPKCEIgnoresCallbacksOfOtherLogins: a page or another local process
// can reach the loopback port; callbacks without this login's state are
// answered 400 and ignored, and the real callback still completes it.
func TestPKCEIgnoresCallbacksOfOtherLogins(t *testing.T) {
	r := startPKCE(t, nil, LoginOptions{NoBrowser: true})
	u := r.authURL(t)
	for _, q := range []string{"code=abc&state=forged", "code=abc", "error=access_denied", "error=access_denied&state=forged"} {
		status, body := browse(t, r.m.c.RedirectURI+"?"+q)
		if status != 400 || !strings.Contains(body, "Not this login") {
			t.Errorf("%s: page = %d %q, want 400 ignored", q, status, body)
		}
	}
	browse(t, u)
	r.wait(t)
	if r.err != nil {
		t.Fatalf("the real callback after forged ones: %v", r.err)
	}
	if n := r.f.count("grant:authorization_code"); n != 1 {
		t.Errorf("%d codes exchanged, want 1", n)
	}
}

func TestPKCEOtherPathsAndEmptyCallback(t *testing.T) {
	r := startPKCE(t, nil, LoginOptions{NoBrowser: true})
	u := r.authURL(t)
	base := strings.TrimSuffix(r.m.c.RedirectURI, "/callback")
	if s, _ := browse(t, base+"/favicon.ico"); s != 404 {
		t.Errorf("other path: %d", s)
	}
	if s, _ := browse(t, r.m.c.RedirectURI); s != 400 {
		t.Errorf("empty callback: %d", s)
	}
	browse(t, u)
	r.wait(t)
	if r.err != nil {
		t.Fatal(r.err)
	}
}

func TestPKCEPastedURL(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	r := startPKCE(t, func(c *Config) {
		c.Interactive = func() bool { return true }
		c.Stdin = pr
	}, LoginOptions{NoBrowser: true})
	u := r.authURL(t)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	fmt.Fprintf(pw, "not a url\nhttp://127.0.0.1:1/callback?code=x&state=forged\n  %s  \n", loc)
	r.wait(t)
	if r.err != nil {
		t.Fatal(r.err)
	}
	if !strings.Contains(r.stderr.String(), "paste") {
		t.Error("no paste prompt")
	}
	if !strings.Contains(r.stderr.String(), "does not belong to this login") {
		t.Error("a pasted URL of another login was not named")
	}
}

func TestPKCEBusyPort(t *testing.T) {
	port := freePort(t)
	busy, err := net.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	clk := newClock()
	f := newFakeAS(t, clk)
	c := f.config(t.TempDir())
	c.RedirectURI = "http://127.0.0.1:" + port + "/"
	c.Backoff = 2 * time.Second
	_, _, err = NewManager(c).Login(context.Background(), LoginOptions{NoBrowser: true})
	if err == nil || !strings.Contains(err.Error(), "still in use after 10 retries") || !errors.Is(err, ErrPortInUse) {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "--") {
		t.Errorf("err = %v names a command-line flag", err)
	}
	got := clk.Slept()
	if !sleepsMatch(got, slices.Repeat([]time.Duration{-2 * time.Second}, 10)) {
		t.Errorf("sleeps = %v, want 10 of 1s to 2s", got)
	}

	// Freed during the retries: the login goes on.
	manual := clock.NewFake(clk.Now())
	go func() {
		for n := 1; n <= 3; n++ {
			manual.BlockUntil(1) // waiting for the port
			if n == 3 {
				busy.Close()
			}
			manual.Advance(c.Backoff)
		}
	}()
	r := startPKCE(t, func(c2 *Config) {
		c2.RedirectURI = c.RedirectURI
		c2.Backoff = c.Backoff
		c2.Clock = manual.Clock()
	}, LoginOptions{NoBrowser: true})
	// The new fake server differs: find its URL from stderr.
	browse(t, r.authURL(t))
	r.wait(t)
	if r.err != nil {
		t.Fatal(r.err)
	}
	if n := len(manual.Slept()); n != 3 {
		t.Errorf("sleeps = %d, want 3", n)
	}
}

func TestPKCETimeout(t *testing.T) {
	r := startPKCE(t, func(c *Config) { c.LoginTimeout = time.Nanosecond }, LoginOptions{NoBrowser: true})
	r.wait(t)
	if r.err == nil || !strings.Contains(r.err.Error(), "no login callback within") {
		t.Fatalf("err = %v", r.err)
	}
}

func TestLoopbackAddrs(t *testing.T) {
	tests := []struct {
		in, req, path, err string
		opt                int
	}{
		{in: "http://localhost:8989/", req: "127.0.0.1:8989", path: "/", opt: 1},
		{in: "http://127.0.0.1:8989", req: "127.0.0.1:8989", path: "/"},
		{in: "http://[::1]:8989/cb", req: "[::1]:8989", path: "/cb"},
		{in: "http://example.com:8989/", err: "loopback"},
		{in: "http://localhost/", err: "no port"},
		{in: "https://localhost:8989/", err: "only http"},
	}
	for _, tc := range tests {
		req, opt, path, err := loopbackAddrs(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !errors.Is(err, ErrBadRedirectURI) {
				t.Errorf("%s: err = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || req != tc.req || path != tc.path || len(opt) != tc.opt {
			t.Errorf("%s = %q %v %q %v", tc.in, req, opt, path, err)
		}
	}
}

func TestParsePasted(t *testing.T) {
	for _, tc := range []struct {
		in   string
		ok   bool
		code string
	}{
		{"http://127.0.0.1:8989/?code=c1&state=s", true, "c1"},
		{"  http://127.0.0.1:8989/?error=access_denied  ", true, ""},
		{"hello", false, ""},
		{"", false, ""},
	} {
		cb, ok := parsePasted(tc.in)
		if ok != tc.ok || cb.code != tc.code {
			t.Errorf("parsePasted(%q) = %+v, %v", tc.in, cb, ok)
		}
	}
}

func TestAuthorizeURLKeepsExistingQuery(t *testing.T) {
	m := NewManager(Config{AuthorizeURL: "https://h/authorize?x=1", ClientIDInteractive: "c", RedirectURI: "http://localhost:8989/", Scope: []string{"a", "b"}})
	s, err := m.authorizeURL("ch", "st")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(s)
	if u.Query().Get("x") != "1" || u.Query().Get("scope") != "a b" || u.Query().Has("organization") || u.Query().Has("audience") {
		t.Errorf("URL = %s", s)
	}
}
