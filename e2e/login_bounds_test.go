package e2e

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The device flow stays within the code's lifetime and sane polling bounds
// whatever interval and expires_in the server sends: a huge interval does
// not outlive the code, a tiny or absurd one does not hammer the server.
func TestDeviceFlowBounds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name              string
		interval, expires any
		maxPolls          int
	}{
		// Polls at least 1 s apart within a 3 s code: at most 4.
		{"tiny interval", 1e-9, 3, 4},
		{"negative interval", -5, 3, 4},
		{"interval not a number", "NaN", 3, 4},
		{"interval infinite", "Inf", 3, 4},
		// The one poll left comes when the code expires, not in 30 years.
		{"huge interval", 1e9, 2, 2},
		{"huge interval as a string", "1e300", 2, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel() // each waits out a code of a few seconds
			h := newHostileServer(t)
			h.handle("POST /oauth/device/code", func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, 200, map[string]any{"device_code": "dc", "user_code": "ABCD", "verification_uri": h.URL + "/activate",
					"interval": tt.interval, "expires_in": tt.expires})
			})
			h.handle("POST /oauth/token", func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, 400, map[string]any{"error": "authorization_pending"})
			})
			c := newAuthCLI(t, h)
			r := c.run(nil, "", "platform", "login", "--device")
			if r.code != 4 || !strings.Contains(r.stderr, "expired") {
				t.Errorf("exit %d, stderr %q; want 4 saying the code expired", r.code, r.stderr)
			}
			if n := h.count("POST /oauth/token"); n < 1 || n > tt.maxPolls {
				t.Errorf("%d polls, want 1 to %d", n, tt.maxPolls)
			}
		})
	}
}

// The PKCE loopback listener ignores callbacks without its state (a page
// or another local process can reach the port) and completes the login
// with the real one.
func TestBrowserLoginIgnoresForeignCallbacks(t *testing.T) {
	t.Parallel()
	h := newHostileServer(t)
	a := newAuthServer(t, h)
	h.handle("POST /oauth/token", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		if r.PostForm.Get("grant_type") == "authorization_code" && r.PostForm.Get("code") != "the-real-code" {
			writeJSON(w, 400, map[string]any{"error": "invalid_grant"})
			return
		}
		r.PostForm.Set("grant_type", "urn:ietf:params:oauth:grant-type:device_code")
		status, body := a.grant(r)
		writeJSON(w, status, body)
	})
	c := newAuthCLI(t, h)
	port := freePort(t)
	c.env["AIGNOSTICS_REDIRECT_URI"] = "http://127.0.0.1:" + port + "/"
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "platform", "login", "--no-browser")
	cmd.Env = c.environ(nil)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	var authURL string
	for sc.Scan() {
		if m := regexp.MustCompile(`https?://\S+/authorize\?\S+`).FindString(sc.Text()); m != "" {
			authURL = m
			break
		}
	}
	go io.Copy(io.Discard, stderr)
	u, err := url.Parse(authURL)
	if err != nil || authURL == "" {
		t.Fatalf("no authorize URL on stderr: %q %v", authURL, err)
	}
	state := u.Query().Get("state")
	cb := "http://127.0.0.1:" + port + "/"
	get := func(q string) int {
		for range 100 {
			resp, err := http.Get(cb + "?" + q)
			if err == nil {
				resp.Body.Close()
				return resp.StatusCode
			}
			time.Sleep(20 * time.Millisecond) // the listener may not be up yet
		}
		t.Fatalf("the callback listener never answered")
		return 0
	}
	for _, q := range []string{"code=forged&state=wrong", "code=forged", "error=access_denied"} {
		if s := get(q); s != 400 {
			t.Errorf("forged callback %s: %d, want 400", q, s)
		}
	}
	if s := get("code=the-real-code&state=" + url.QueryEscape(state)); s != 200 {
		t.Errorf("real callback: %d, want 200", s)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("login after forged callbacks: %v", err)
	}
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}
