package oauth

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDeviceFlow(t *testing.T) {
	tests := []struct {
		name       string
		answers    []string
		body       map[string]any
		wantErr    string
		wantSleeps []time.Duration
	}{
		{name: "approved after pending", answers: []string{"authorization_pending"},
			wantSleeps: []time.Duration{time.Second, time.Second}},
		{name: "slow_down adds five seconds", answers: []string{"slow_down", "authorization_pending"},
			wantSleeps: []time.Duration{time.Second, 6 * time.Second, 6 * time.Second}},
		{name: "slow_down with the server's interval", answers: []string{"slow_down=9"},
			wantSleeps: []time.Duration{time.Second, 9 * time.Second}},
		{name: "server error while polling is retried", answers: []string{"500", "authorization_pending"},
			wantSleeps: []time.Duration{time.Second, time.Second, time.Second}},
		{name: "default interval is five seconds", body: map[string]any{"interval": nil},
			wantSleeps: []time.Duration{5 * time.Second}},
		{name: "denied", answers: []string{"authorization_pending", "access_denied"}, wantErr: "denied"},
		{name: "expired_token", answers: []string{"expired_token"}, wantErr: "expired"},
		{name: "unknown error", answers: []string{"invalid_client"}, wantErr: "invalid_client"},
		{name: "local expiry", answers: []string{"authorization_pending", "authorization_pending", "authorization_pending"},
			body: map[string]any{"expires_in": 2}, wantErr: "expired"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := newClock()
			f := newFakeAS(t, clk)
			f.deviceAnswers = tc.answers
			f.deviceBody = tc.body
			stderr := newSyncBuffer()
			c := f.config(t.TempDir())
			c.Stderr = stderr
			m := NewManager(c)
			tok, fresh, err := m.Login(context.Background(), LoginOptions{Device: true})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Login error = %v, want one containing %q", err, tc.wantErr)
				}
				var le *LoginError
				if !errors.As(err, &le) {
					t.Errorf("error %T is not a *LoginError", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Login: %v", err)
			}
			if !fresh || tok.AccessToken == "" || cached(t, m).RefreshToken == "" {
				t.Fatalf("Login = %+v, %v", tok, fresh)
			}
			if got := clk.Slept(); !slices.Equal(got, tc.wantSleeps) {
				t.Errorf("sleeps = %v, want %v", got, tc.wantSleeps)
			}
			out := stderr.String()
			if !strings.Contains(out, "ABCD-EFGH") || !strings.Contains(out, "/activate?user_code=ABCD-EFGH") {
				t.Errorf("stderr lacks the user code or complete URI:\n%s", out)
			}
			noSecrets(t, "stderr", out, tok.AccessToken, cached(t, m).RefreshToken)
			form := f.lastForm["device"]
			if form.Get("client_id") != "dev" || form.Get("scope") != "offline_access" || form.Get("audience") != f.srv.URL+"/api" {
				t.Errorf("device request form = %v", form)
			}
			if got := f.lastForm[deviceGrantType].Get("client_id"); got != "dev" {
				t.Errorf("poll client_id = %q", got)
			}
			fi, err := os.Stat(m.CacheFile())
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("cache file mode = %v, want 0600", fi.Mode().Perm())
			}
		})
	}
}

func TestDeviceWithoutClientID(t *testing.T) {
	f := newFakeAS(t, newClock())
	c := f.config(t.TempDir())
	c.ClientIDDevice = ""
	_, _, err := NewManager(c).Login(context.Background(), LoginOptions{Device: true})
	if err == nil || !strings.Contains(err.Error(), "AIGNOSTICS_CLIENT_ID_DEVICE") || !errors.Is(err, ErrNoDeviceClient) {
		t.Fatalf("err = %v", err)
	}
	if f.count("device") != 0 {
		t.Error("the device endpoint was called")
	}
}

func TestCacheDirMode(t *testing.T) {
	f := newFakeAS(t, newClock())
	dir := t.TempDir() + "/a/b"
	c := f.config(dir)
	if _, _, err := NewManager(c).Login(context.Background(), LoginOptions{Device: true}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("cache dir mode = %v, want 0700", fi.Mode().Perm())
	}
}

func TestLoginErrorIsLoginFailed(t *testing.T) {
	err := error(&LoginError{Flow: "device", Err: context.Canceled})
	if !errors.Is(err, ErrLoginFailed) || !errors.Is(err, context.Canceled) || errors.Is(err, ErrLoginRequired) {
		t.Errorf("errors.Is wrong for %v", err)
	}
}
