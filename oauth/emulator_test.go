package oauth_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/emulator/emulatortest"
	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/internal/clock"
	"github.com/aignostics/aignostics/oauth"
)

// emulatorConfig is the local environment's configuration for emu.
func emulatorConfig(t *testing.T, emu *emulator.Emulator, clk *clock.Fake, stderr io.Writer) oauth.Config {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	u := emu.URL()
	return oauth.Config{
		AuthorizeURL: u + "/authorize", TokenURL: u + "/oauth/token", DeviceURL: u + "/oauth/device/code",
		JWKSURL: u + "/.well-known/jwks.json", Issuer: u + "/", Audience: u + "/api",
		ClientIDInteractive: emulator.ClientIDInteractive, ClientIDDevice: emulator.ClientIDDevice,
		RedirectURI: "http://localhost:" + strconv.Itoa(port) + "/", Scope: []string{"offline_access"},
		CacheDir: t.TempDir(), LoopbackSameHost: true, Stderr: stderr,
		Clock:       clk.Clock(),
		HasBrowser:  func() bool { return false },
		OpenBrowser: func(string) error { t.Error("a browser was opened"); return nil },
	}
}

// cachedRefreshToken is the refresh token in m's cache file (no returned
// value holds it).
func cachedRefreshToken(t *testing.T, m *oauth.Manager) string {
	t.Helper()
	data, err := os.ReadFile(m.CacheFile())
	if err != nil {
		t.Fatal(err)
	}
	var e struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.Unmarshal(data, &e); err != nil || e.RefreshToken == "" {
		t.Fatalf("no refresh token in the cache file: %v", err)
	}
	return e.RefreshToken
}

// lockedWriter collects stderr and reports the authorize URL once printed.
type lockedWriter struct {
	mu   sync.Mutex
	b    strings.Builder
	urls chan string
	root string
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.b.Write(p)
	for _, l := range strings.Split(string(p), "\n") {
		if strings.HasPrefix(l, w.root+"/authorize?") {
			w.urls <- l
		}
	}
	return len(p), nil
}

func TestAgainstEmulator(t *testing.T) {
	clk := clock.NewAutoFake(time.Now()) // shared by the emulator and the managers
	emu := emulatortest.StartTest(t, emulator.Options{Clock: clk.Clock()})
	ctx := context.Background()

	t.Run("device login, refresh with rotation, revocation", func(t *testing.T) {
		c := emulatorConfig(t, emu, clk, io.Discard)
		m := oauth.NewManager(c)
		tok, fresh, err := m.Login(ctx, oauth.LoginOptions{Device: true})
		if err != nil || !fresh {
			t.Fatalf("device login: %v", err)
		}
		firstRefresh := cachedRefreshToken(t, m)
		vt, err := m.Verify(ctx, tok.AccessToken)
		if err != nil || vt.Claims.Subject != emulator.DefaultSubject {
			t.Fatalf("verify: %v", err)
		}
		before := emu.Count("grant:refresh_token")
		m.Invalidate(tok.AccessToken)
		t2, err := oauth.NewManager(c).Current(ctx) // another process: cache is valid
		if err != nil || t2.AccessToken != tok.AccessToken {
			t.Fatalf("second manager: %v", err)
		}
		clk.Advance(time.Second)    // tokens of the same second are identical
		access, err := m.Token(ctx) // this one was told the token was refused
		if err != nil || access.AccessToken == tok.AccessToken || emu.Count("grant:refresh_token") != before+1 {
			t.Fatalf("refresh after Invalidate: %v", err)
		}
		if cachedRefreshToken(t, m) == firstRefresh {
			t.Error("the refresh token was not rotated")
		}
		emu.RevokeRefreshTokens()
		m.Invalidate(access.AccessToken)
		if _, err := m.Token(ctx); !errors.Is(err, oauth.ErrLoginRequired) {
			t.Fatalf("after revocation: %v", err)
		}
	})

	t.Run("PKCE login on localhost", func(t *testing.T) {
		w := &lockedWriter{urls: make(chan string, 1), root: emu.URL()}
		c := emulatorConfig(t, emu, clk, w)
		m := oauth.NewManager(c)
		type res struct {
			tok httpx.Token
			err error
		}
		done := make(chan res, 1)
		go func() {
			tok, _, err := m.Login(ctx, oauth.LoginOptions{NoBrowser: true})
			done <- res{tok, err}
		}()
		var u string
		select {
		case u = <-w.urls:
		case r := <-done:
			t.Fatalf("login ended before printing the URL: %v", r.err)
		}
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		r := <-done
		if r.err != nil {
			t.Fatalf("PKCE login: %v", r.err)
		}
		if resp.StatusCode != 200 {
			t.Errorf("callback page status %d", resp.StatusCode)
		}
		if _, err := m.Verify(ctx, r.tok.AccessToken); err != nil {
			t.Error(err)
		}
	})
}
