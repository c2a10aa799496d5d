package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aignostics/aignostics/internal/clock"
)

// loggedIn returns a manager whose cache holds a device-flow login.
func loggedIn(t *testing.T, f *fakeAS, c Config) (*Manager, tokens) {
	t.Helper()
	m := NewManager(c)
	tok, _, err := m.Login(context.Background(), LoginOptions{Device: true})
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	got := cached(t, m)
	if got.AccessToken != tok.AccessToken {
		t.Fatal("Login returned another token than it stored")
	}
	return m, got
}

func TestTokenWithoutLoginNeverContactsServer(t *testing.T) {
	f := newFakeAS(t, newClock())
	c := f.config(t.TempDir())
	c.LoginHint = "aignostics platform login"
	_, err := access(NewManager(c).Token(context.Background()))
	var le *LoginRequiredError
	if !errors.As(err, &le) || !errors.Is(err, ErrLoginRequired) {
		t.Fatalf("err = %v, want *LoginRequiredError", err)
	}
	if !strings.Contains(err.Error(), "aignostics platform login") {
		t.Errorf("error %q does not name the command", err)
	}
	if n := f.count("grant:refresh_token") + f.count("device") + f.count("authorize"); n != 0 {
		t.Errorf("%d requests reached the authorization server", n)
	}
}

func TestTokenCachedRefreshedAndRotated(t *testing.T) {
	clk := newClock()
	f := newFakeAS(t, clk)
	c := f.config(t.TempDir())
	m, first := loggedIn(t, f, c)

	// A second process (manager) uses the cached token without a request.
	m2 := NewManager(c)
	got, err := access(m2.Token(context.Background()))
	if err != nil || got != first.AccessToken {
		t.Fatalf("cached Token = %v, %v", got != "", err)
	}
	if n := f.count("grant:refresh_token"); n != 0 {
		t.Fatalf("refresh grants = %d, want 0", n)
	}

	// 56 minutes later less than 5 minutes remain: refresh, rotate.
	clk.Advance(56 * time.Minute)
	got, err = access(NewManager(c).Token(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	if got == first.AccessToken {
		t.Fatal("the old access token was returned")
	}
	if n := f.count("grant:refresh_token"); n != 1 {
		t.Fatalf("refresh grants = %d, want 1", n)
	}
	if f.lastForm["refresh_token"].Get("refresh_token") != first.RefreshToken {
		t.Error("refresh did not send the stored refresh token")
	}
	if f.lastForm["refresh_token"].Get("client_id") != "dev" {
		t.Errorf("refresh client_id = %q, want the device client that obtained it", f.lastForm["refresh_token"].Get("client_id"))
	}
	e, _ := readCache(m.CacheFile())
	if e == nil || e.RefreshToken == first.RefreshToken || e.AccessToken != got {
		t.Fatalf("the cache does not hold the rotated tokens")
	}

	// The first manager still holds the old token in memory but it is
	// about to expire, so it re-reads the cache and finds the new one.
	got1, err := access(m.Token(context.Background()))
	if err != nil || got1 != got {
		t.Fatalf("Token of first manager = %v (same=%v)", err, got1 == got)
	}
	if n := f.count("grant:refresh_token"); n != 1 {
		t.Fatalf("refresh grants = %d, want 1", n)
	}
}

func TestRefreshWithoutRotationKeepsRefreshToken(t *testing.T) {
	clk := newClock()
	f := newFakeAS(t, clk)
	c := f.config(t.TempDir())
	m, first := loggedIn(t, f, c)
	f.noRotate = true
	clk.Advance(time.Hour)
	tok, err := m.Current(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if now := cached(t, m); now.RefreshToken != first.RefreshToken || tok.AccessToken == first.AccessToken || now.AccessToken != tok.AccessToken {
		t.Error("the refresh token was not kept or the access token not replaced")
	}
}

func TestInvalidateForcesRefresh(t *testing.T) {
	f := newFakeAS(t, newClock())
	m, first := loggedIn(t, f, f.config(t.TempDir()))
	m.Invalidate(first.AccessToken)
	got, err := access(m.Token(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	if got == first.AccessToken || f.count("grant:refresh_token") != 1 {
		t.Errorf("Invalidate did not force one refresh (grants %d)", f.count("grant:refresh_token"))
	}
	if _, err := access(m.Token(context.Background())); err != nil || f.count("grant:refresh_token") != 1 {
		t.Errorf("a second Token refreshed again (grants %d, err %v)", f.count("grant:refresh_token"), err)
	}
}

func TestRefusedRefreshIsLoginRequired(t *testing.T) {
	clk := newClock()
	f := newFakeAS(t, clk)
	c := f.config(t.TempDir())
	m, first := loggedIn(t, f, c)
	f.refreshStatus = 400
	clk.Advance(time.Hour)
	_, err := access(NewManager(c).Token(context.Background()))
	if !errors.Is(err, ErrLoginRequired) {
		t.Fatalf("err = %v, want login required", err)
	}
	noSecrets(t, "error", err.Error(), first.AccessToken, first.RefreshToken)
	if _, err := os.Stat(m.CacheFile()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the dead cache file is still there: %v", err)
	}
	// Now nothing is stored: no further request reaches the server.
	before := f.count("grant:refresh_token")
	if _, err := access(NewManager(c).Token(context.Background())); !errors.Is(err, ErrLoginRequired) {
		t.Fatal(err)
	}
	if f.count("grant:refresh_token") != before {
		t.Error("the server was contacted without a refresh token")
	}
}

// TestRefreshServerErrorNotResent: a refresh grant that reached the server
// is never sent again (with rotation that would be a reuse): a 503 is
// reported at once, and the next command may try again.
func TestRefreshServerErrorNotResent(t *testing.T) {
	clk := newClock()
	f := newFakeAS(t, clk)
	c := f.config(t.TempDir())
	c.Backoff = time.Second
	_, first := loggedIn(t, f, c)
	f.refreshStatus = 503
	clk.Advance(time.Hour)
	slept := len(clk.Slept())
	_, err := access(NewManager(c).Token(context.Background()))
	if err == nil || errors.Is(err, ErrLoginRequired) {
		t.Fatalf("err = %v, want a server error", err)
	}
	noSecrets(t, "error", err.Error(), first.RefreshToken)
	if n := f.count("grant:refresh_token"); n != 1 {
		t.Errorf("refresh attempts = %d, want 1", n)
	}
	if got := clk.Slept()[slept:]; len(got) != 0 {
		t.Errorf("waited %v to send the refresh again", got)
	}
	f.refreshStatus = 0
	if _, err := access(NewManager(c).Token(context.Background())); err != nil {
		t.Fatalf("the next command after a 503: %v", err)
	}
}

func TestInteractiveTokenStartsLogin(t *testing.T) {
	f := newFakeAS(t, newClock())
	c := f.config(t.TempDir())
	c.Interactive = func() bool { return true }
	stderr := newSyncBuffer()
	c.Stderr = stderr
	got, err := access(NewManager(c).Token(context.Background()))
	if err != nil || got == "" {
		t.Fatalf("Token = %v", err)
	}
	if f.count("device") != 1 {
		t.Error("no device login ran")
	}
	if !strings.Contains(stderr.String(), "Not logged in; starting a login") {
		t.Errorf("stderr = %q", stderr.String())
	}
}

func TestLoginKeepsValidToken(t *testing.T) {
	f := newFakeAS(t, newClock())
	c := f.config(t.TempDir())
	_, first := loggedIn(t, f, c)
	tok, fresh, err := NewManager(c).Login(context.Background(), LoginOptions{})
	if err != nil || fresh || tok.AccessToken != first.AccessToken {
		t.Fatalf("Login = fresh %v, err %v", fresh, err)
	}
	tok, fresh, err = NewManager(c).Login(context.Background(), LoginOptions{Relogin: true, Device: true})
	if err != nil || !fresh || tok.AccessToken == first.AccessToken {
		t.Fatalf("Relogin = fresh %v, err %v", fresh, err)
	}
}

func TestSeed(t *testing.T) {
	clk := newClock()
	f := newFakeAS(t, clk)
	dir := t.TempDir()
	// Obtain two live refresh tokens to use as seeds.
	f.mu.Lock()
	f.refresh["seed-A"], f.refresh["seed-B"] = true, true
	f.mu.Unlock()
	c := f.config(dir)
	c.RefreshTokenSeed = "seed-A"
	a, err := access(NewManager(c).Token(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	if f.count("grant:refresh_token") != 1 || f.lastForm["refresh_token"].Get("refresh_token") != "seed-A" {
		t.Fatal("the seed was not exchanged")
	}
	data, _ := os.ReadFile(NewManager(c).CacheFile())
	if !strings.Contains(string(data), seedHash("seed-A")) || strings.Contains(string(data), "seed-A\"") {
		t.Error("the cache does not record the seed's hash (or stores the seed itself)")
	}
	// Same seed: the cache (holding a rotated token) wins.
	got, err := access(NewManager(c).Token(context.Background()))
	if err != nil || got != a || f.count("grant:refresh_token") != 1 {
		t.Fatalf("same seed: err %v, same %v, grants %d", err, got == a, f.count("grant:refresh_token"))
	}
	// A different seed replaces it.
	c.RefreshTokenSeed = "seed-B"
	got, err = access(NewManager(c).Token(context.Background()))
	if err != nil || got == a || f.lastForm["refresh_token"].Get("refresh_token") != "seed-B" {
		t.Fatalf("new seed: err %v", err)
	}
	// A refused seed is login required and says why, without the value.
	c.RefreshTokenSeed = "seed-dead"
	_, err = access(NewManager(c).Token(context.Background()))
	if !errors.Is(err, ErrLoginRequired) || !strings.Contains(err.Error(), "AIGNOSTICS_REFRESH_TOKEN") {
		t.Fatalf("dead seed: %v", err)
	}
	noSecrets(t, "error", err.Error(), "seed-dead")
}

func TestCorruptCacheIsReplaced(t *testing.T) {
	for _, content := range []string{"", "{", "null", "[]", `{"access_token": 5}`, "\x00\x01garbage"} {
		t.Run(fmt.Sprintf("%q", content), func(t *testing.T) {
			f := newFakeAS(t, newClock())
			c := f.config(t.TempDir())
			m := NewManager(c)
			os.MkdirAll(c.CacheDir, 0o700)
			os.WriteFile(m.CacheFile(), []byte(content), 0o600)
			if _, err := access(m.Token(context.Background())); !errors.Is(err, ErrLoginRequired) {
				t.Fatalf("Token on a corrupt cache = %v, want login required", err)
			}
			if _, _, err := m.Login(context.Background(), LoginOptions{Device: true}); err != nil {
				t.Fatal(err)
			}
			data, _ := os.ReadFile(m.CacheFile())
			if parseCache(data) == nil {
				t.Error("the corrupt file was not replaced")
			}
		})
	}
}

func TestLockBreaksStaleAndWaitsForLive(t *testing.T) {
	clk := newClock()
	f := newFakeAS(t, clk)
	c := f.config(t.TempDir())
	m, _ := loggedIn(t, f, c)
	lockPath := m.CacheFile() + ".lock"

	// A lock from a process that no longer exists is broken at once.
	os.WriteFile(lockPath, []byte(fmt.Sprintf("%d %d\n", 1<<22+12345, clk.Now().UnixNano())), 0o600)
	if _, err := NewManager(c).Current(context.Background()); err != nil {
		t.Fatalf("dead-process lock: %v", err)
	}
	// A lock older than two minutes is broken even if its process lives.
	os.WriteFile(lockPath, []byte(fmt.Sprintf("%d %d\n", os.Getpid(), clk.Now().Add(-3*time.Minute).UnixNano())), 0o600)
	if _, err := NewManager(c).Current(context.Background()); err != nil {
		t.Fatalf("stale lock: %v", err)
	}
	if _, err := os.Stat(lockPath); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the lock file remains: %v", err)
	}
	// A fresh lock of a live process is waited for 30 s, then reported.
	os.WriteFile(lockPath, []byte(fmt.Sprintf("%d %d\n", os.Getpid(), clk.Now().UnixNano())), 0o600)
	before := len(clk.Slept())
	_, err := NewManager(c).Current(context.Background())
	if err == nil || !strings.Contains(err.Error(), "locked by process") {
		t.Fatalf("live lock: err = %v", err)
	}
	var total time.Duration
	for _, d := range clk.Slept()[before:] {
		total += d
	}
	if total != lockWait {
		t.Errorf("waited %v, want %v", total, lockWait)
	}
	os.Remove(lockPath)
}

// TestConcurrentManagersRefreshOnce plays 16 processes (managers sharing
// only the cache directory) with an expired token: one refresh grant.
func TestConcurrentManagersRefreshOnce(t *testing.T) {
	clk := newClock()
	f := newFakeAS(t, clk)
	c := f.config(t.TempDir())
	m, first := loggedIn(t, f, c)
	clk.Advance(time.Hour)
	lockPath := m.CacheFile() + ".lock"
	// Waiting for the lock means waiting for its file to go: the clock
	// moves on only once the holder released it, so no wait counts as
	// long and no lock looks stale.
	manual := clock.NewFake(clk.Now())
	c.Clock = manual.Clock()
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	go func() {
		for manual.BlockUntilContext(ctx, 1) == nil {
			for ctx.Err() == nil {
				if _, err := os.Stat(lockPath); err != nil {
					break
				}
				runtime.Gosched()
			}
			manual.Advance(lockPoll)
		}
	}()
	var wg sync.WaitGroup
	results := make([]string, 16)
	errs := make([]error, 16)
	for i := range 16 {
		wg.Go(func() { results[i], errs[i] = access(NewManager(c).Token(context.Background())) })
	}
	wg.Wait()
	for i := range 16 {
		if errs[i] != nil {
			t.Fatalf("manager %d: %v", i, errs[i])
		}
		if results[i] != results[0] || results[i] == first.AccessToken {
			t.Fatalf("manager %d got a different or the expired token", i)
		}
	}
	if n := f.count("grant:refresh_token"); n != 1 {
		t.Errorf("refresh grants = %d, want 1", n)
	}
	data, _ := os.ReadFile(m.CacheFile())
	var v map[string]any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Errorf("cache is not valid JSON: %v", err)
	}
	left, _ := filepath.Glob(filepath.Join(c.CacheDir, "*"))
	if len(left) != 1 {
		t.Errorf("cache dir holds %v, want only the cache file", left)
	}
}

func TestLogout(t *testing.T) {
	f := newFakeAS(t, newClock())
	c := f.config(t.TempDir())
	m, first := loggedIn(t, f, c)
	other := c
	other.Audience = "other"
	os.WriteFile(filepath.Join(c.CacheDir, strings.Repeat("ab", 32)+".json"), []byte("{}"), 0o600)
	os.WriteFile(filepath.Join(c.CacheDir, "someone-else.json"), []byte("{}"), 0o600)

	n, err := NewManager(c).Logout(false)
	if err != nil || n != 1 {
		t.Fatalf("Logout = %d, %v", n, err)
	}
	if f.count("revoke") != 1 {
		t.Errorf("revocations = %d, want 1", f.count("revoke"))
	}
	f.mu.Lock()
	live := f.refresh[first.RefreshToken]
	f.mu.Unlock()
	if live {
		t.Error("the refresh token was not revoked")
	}
	if n, err := m.Logout(false); err != nil || n != 0 {
		t.Fatalf("second Logout = %d, %v", n, err)
	}
	if _, err := access(m.Token(context.Background())); !errors.Is(err, ErrLoginRequired) {
		t.Errorf("Token after logout = %v", err)
	}
	loggedIn(t, f, c)
	n, err = m.Logout(true)
	if err != nil || n != 2 {
		t.Fatalf("Logout(all) = %d, %v; want 2", n, err)
	}
	if _, err := os.Stat(filepath.Join(c.CacheDir, "someone-else.json")); err != nil {
		t.Errorf("Logout(all) removed a file that is not a token cache: %v", err)
	}
}

func TestLogoutIgnoresRevocationFailure(t *testing.T) {
	f := newFakeAS(t, newClock())
	c := f.config(t.TempDir())
	m, _ := loggedIn(t, f, c)
	f.srv.Close()
	if n, err := m.Logout(false); err != nil || n != 1 {
		t.Fatalf("Logout = %d, %v", n, err)
	}
}

func TestShortLifetimeRefreshedOncePerManager(t *testing.T) {
	clk := newClock()
	f := newFakeAS(t, clk)
	f.lifetime = 4 * time.Minute
	c := f.config(t.TempDir())
	m, _ := loggedIn(t, f, c)
	for range 3 {
		if _, err := access(m.Token(context.Background())); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.count("grant:refresh_token"); n != 0 {
		t.Fatalf("the manager that logged in refreshed %d times", n)
	}
	m2 := NewManager(c)
	for range 3 {
		if _, err := access(m2.Token(context.Background())); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.count("grant:refresh_token"); n != 1 {
		t.Fatalf("a new manager refreshed %d times, want 1 (under the 5 min margin)", n)
	}
	clk.Advance(3*time.Minute + 40*time.Second)
	if _, err := access(m2.Token(context.Background())); err != nil {
		t.Fatal(err)
	}
	if n := f.count("grant:refresh_token"); n != 2 {
		t.Fatalf("refreshes = %d, want 2 once under 30 s remain", n)
	}
}

// TestRefreshNeverSentIsRetried: a refresh grant that found no server (no
// connection was made) cannot have been spent, so it is sent again after
// the backoff.
func TestRefreshNeverSentIsRetried(t *testing.T) {
	clk := newClock()
	f := newFakeAS(t, clk)
	target, err := url.Parse(f.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	serve := func(ln net.Listener) *http.Server {
		s := &http.Server{Handler: httputil.NewSingleHostReverseProxy(target)}
		go s.Serve(ln)
		t.Cleanup(func() { s.Close() })
		return s
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	proxy := serve(ln)
	tr := &http.Transport{}
	c := f.config(t.TempDir())
	c.TokenURL = "http://" + addr + "/oauth/token" // part of the cache key: login through it too
	c.HTTPClient = &http.Client{Transport: tr}
	c.Backoff = time.Second
	loggedIn(t, f, c)
	proxy.Close()
	tr.CloseIdleConnections()

	clk.Advance(time.Hour)
	manual := clock.NewFake(clk.Now())
	c.Clock = manual.Clock()
	go func() {
		manual.BlockUntil(1) // the first refresh found nobody listening
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			t.Error(err)
			return
		}
		serve(ln)
		manual.Advance(c.Backoff)
	}()
	if _, err := access(NewManager(c).Token(context.Background())); err != nil {
		t.Fatalf("Token: %v", err)
	}
	if n := f.count("grant:refresh_token"); n != 1 {
		t.Errorf("refresh grants = %d, want 1", n)
	}
	if got := manual.Slept(); !sleepsMatch(got, []time.Duration{-c.Backoff}) {
		t.Errorf("waits %v, want one backoff", got)
	}
}
