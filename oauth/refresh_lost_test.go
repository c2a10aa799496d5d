package oauth_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/emulator/emulatortest"
	"github.com/aignostics/aignostics/internal/clock"
	"github.com/aignostics/aignostics/oauth"
)

// answerLosingProxy forwards token requests to the emulator, but hangs up
// on the client after the emulator answered a refresh grant: the refresh
// token is spent (rotated) and its answer never arrives.
type answerLosingProxy struct {
	srv      *httptest.Server
	refreshs atomic.Int32
}

func newAnswerLosingProxy(t *testing.T, upstream string) *answerLosingProxy {
	p := &answerLosingProxy{}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Error(err)
			return
		}
		req, _ := http.NewRequestWithContext(r.Context(), r.Method, upstream+r.URL.RequestURI(), strings.NewReader(string(body)))
		req.Header = r.Header.Clone()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			return
		}
		answer, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if form, _ := url.ParseQuery(string(body)); form.Get("grant_type") == "refresh_token" {
			p.refreshs.Add(1)
			if resp.StatusCode != http.StatusOK {
				t.Errorf("the emulator refused the refresh: %d %s", resp.StatusCode, answer)
			}
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close() // the answer is lost
			}
			return
		}
		w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
		w.WriteHeader(resp.StatusCode)
		w.Write(answer)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

// TestRefreshAnswerLost: the server spends the refresh token and the answer
// is lost. The refresh is not sent again (with rotation that reuse would
// revoke the login); the still valid access token is kept, in this process
// and in the cache file, so the next command works without a new login.
func TestRefreshAnswerLost(t *testing.T) {
	clk := clock.NewAutoFake(time.Now())
	emu := emulatortest.StartTest(t, emulator.Options{Clock: clk.Clock()})
	ctx := context.Background()
	c := emulatorConfig(t, emu, clk, io.Discard)
	proxy := newAnswerLosingProxy(t, emu.URL())
	c.TokenURL = proxy.srv.URL + "/oauth/token"
	first, _, err := oauth.NewManager(c).Login(ctx, oauth.LoginOptions{Device: true})
	if err != nil {
		t.Fatalf("device login: %v", err)
	}
	var stderr strings.Builder
	c.Stderr = &stderr

	clk.Advance(57 * time.Minute) // 3 minutes left: due for a refresh
	before := emu.Count("grant:refresh_token")
	m := oauth.NewManager(c)
	access, err := m.Token(ctx)
	if err != nil {
		t.Fatalf("Token after a lost refresh answer: %v", err)
	}
	if access.AccessToken != first.AccessToken {
		t.Error("the still valid access token was not kept")
	}
	if n := proxy.refreshs.Load(); n != 1 || emu.Count("grant:refresh_token") != before+1 {
		t.Fatalf("refresh grants sent: %d (emulator counted %d), want exactly 1", n, emu.Count("grant:refresh_token")-before)
	}
	if !strings.Contains(stderr.String(), "using the current one until it expires") {
		t.Errorf("stderr %q does not say the current token is used", stderr.String())
	}
	if _, err := m.Token(ctx); err != nil || proxy.refreshs.Load() != 1 {
		t.Fatalf("the same process asked again: %v, %d refresh grants", err, proxy.refreshs.Load())
	}

	// The cache file still holds the login, marked so that no process
	// sends the spent refresh token again.
	data, err := os.ReadFile(m.CacheFile())
	if err != nil {
		t.Fatal(err)
	}
	var cached struct {
		AccessToken       string    `json:"access_token"`
		RefreshToken      string    `json:"refresh_token"`
		RefreshUnanswered time.Time `json:"refresh_unanswered_at"`
	}
	if err := json.Unmarshal(data, &cached); err != nil || cached.AccessToken != first.AccessToken || cached.RefreshToken == "" || cached.RefreshUnanswered.IsZero() {
		t.Fatalf("cache file after the lost answer: %v\n%s", err, data)
	}

	// The next command: the cached token, no refresh, and the API takes it.
	next, err := oauth.NewManager(c).Token(ctx)
	if err != nil || next.AccessToken != first.AccessToken || proxy.refreshs.Load() != 1 {
		t.Fatalf("next command: %v (same token %v, %d refresh grants)", err, next.AccessToken == first.AccessToken, proxy.refreshs.Load())
	}
	req, _ := http.NewRequestWithContext(ctx, "GET", emu.URL()+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+next.AccessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/v1/me with the kept token: %d", resp.StatusCode)
	}

	// Once it expires, a new login is asked for; the spent refresh token
	// still is not sent.
	clk.Advance(3 * time.Minute)
	if _, err := oauth.NewManager(c).Token(ctx); !errors.Is(err, oauth.ErrLoginRequired) || proxy.refreshs.Load() != 1 {
		t.Fatalf("after expiry: %v, %d refresh grants; want a login required and no refresh", err, proxy.refreshs.Load())
	}
	if strings.Contains(stderr.String(), first.AccessToken) || strings.Contains(stderr.String(), cached.RefreshToken) {
		t.Error("stderr holds a token")
	}
}
