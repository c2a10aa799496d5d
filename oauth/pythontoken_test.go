package oauth_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/emulator/emulatortest"
	"github.com/aignostics/aignostics/internal/clock"
	"github.com/aignostics/aignostics/jwt"
	"github.com/aignostics/aignostics/oauth"
)

// pythonTokenFile writes the Python SDK's .token ("JWT:EXP", no newline, as
// the SDK writes it) into dir.
func pythonTokenFile(t *testing.T, dir, token string, exp int64) string {
	t.Helper()
	p := filepath.Join(dir, ".token")
	if err := os.WriteFile(p, []byte(fmt.Sprintf("%s:%d", token, exp)), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPythonSDKToken(t *testing.T) {
	clk := clock.NewAutoFake(time.Now())
	here := emulatortest.StartTest(t, emulator.Options{Clock: clk.Clock()})
	other := emulatortest.StartTest(t, emulator.Options{Clock: clk.Clock()})
	ctx := context.Background()
	claimsExp := func(tok string) int64 {
		pt, err := jwt.Parse(tok)
		if err != nil {
			t.Fatal(err)
		}
		return pt.Claims.ExpiresAt
	}
	good, _, err := here.IssueToken(emulator.DefaultSubject)
	if err != nil {
		t.Fatal(err)
	}
	foreign, _, err := other.IssueToken(emulator.DefaultSubject)
	if err != nil {
		t.Fatal(err)
	}
	// Claims of this environment, signed by a key that is not its own but
	// under the kid of its key.
	pt, _ := jwt.Parse(good)
	stranger, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	forged, err := jwt.Sign(stranger, pt.Header.Kid, map[string]any{
		"iss": here.URL() + "/", "aud": []string{here.URL() + "/api"}, "sub": "auth0|mallory",
		"iat": clk.Now().Unix(), "exp": clk.Now().Add(time.Hour).Unix(),
	})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("this environment's token is used, never written", func(t *testing.T) {
		c := emulatorConfig(t, here, clk, io.Discard)
		path := pythonTokenFile(t, c.CacheDir, good, claimsExp(good))
		before, _ := os.ReadFile(path)
		m := oauth.NewManager(c)
		tok, err := m.Token(ctx)
		if err != nil || tok.AccessToken != good {
			t.Fatalf("token: %v", err)
		}
		if origin, file := m.Origin(); origin != oauth.OriginPythonSDK || file != path {
			t.Errorf("origin %q %q", origin, file)
		}
		after, _ := os.ReadFile(path)
		if string(after) != string(before) {
			t.Error("the Python SDK's .token was changed")
		}
		if _, err := os.Stat(m.CacheFile()); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("our cache file was written from the Python token: %v", err)
		}
		// A token the API refused is not offered again.
		m.Invalidate(good)
		if _, err := m.Token(ctx); !errors.Is(err, oauth.ErrLoginRequired) {
			t.Errorf("after the API refused it: %v", err)
		}
	})

	t.Run("our own login wins, and login ignores the Python token", func(t *testing.T) {
		c := emulatorConfig(t, here, clk, io.Discard)
		pythonTokenFile(t, c.CacheDir, good, claimsExp(good))
		m := oauth.NewManager(c)
		tok, fresh, err := m.Login(ctx, oauth.LoginOptions{Device: true})
		if err != nil || !fresh || tok.AccessToken == good {
			t.Fatalf("login: fresh %v, err %v", fresh, err)
		}
		m2 := oauth.NewManager(c)
		if tok2, err := m2.Token(ctx); err != nil || tok2.AccessToken != tok.AccessToken {
			t.Fatalf("cached login: %v", err)
		}
		if origin, _ := m2.Origin(); origin != oauth.OriginCache {
			t.Errorf("origin %q, want cache", origin)
		}
	})

	for _, tc := range []struct {
		name, content, why string
	}{
		{"another environment (audience, key id)", fmt.Sprintf("%s:%d", foreign, claimsExp(foreign)), "verify access token"},
		{"signed by another key", fmt.Sprintf("%s:%d", forged, claimsExp(forged)), "signature"},
		{"expiry in the file differs", fmt.Sprintf("%s:%d", good, claimsExp(good)+3600), "does not match"},
		{"not JWT:EXP", good, `not "JWT:EXP"`},
		{"garbage", "x:y:z", `not "JWT:EXP"`},
		{"too large", strings.Repeat("a", 70<<10), "larger than"},
	} {
		t.Run("refused: "+tc.name, func(t *testing.T) {
			c := emulatorConfig(t, here, clk, io.Discard)
			path := filepath.Join(c.CacheDir, ".token")
			if err := os.WriteFile(path, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := oauth.NewManager(c).Current(ctx)
			if !errors.Is(err, oauth.ErrLoginRequired) || !strings.Contains(err.Error(), tc.why) ||
				!strings.Contains(err.Error(), path) {
				t.Fatalf("error %v, want login required naming %q", err, tc.why)
			}
			for _, secret := range []string{good, foreign, forged} {
				if strings.Contains(err.Error(), secret) {
					t.Fatal("the error quotes the token")
				}
			}
		})
	}

	t.Run("refused: expires within five minutes", func(t *testing.T) {
		c := emulatorConfig(t, here, clk, io.Discard)
		pythonTokenFile(t, c.CacheDir, good, claimsExp(good))
		late := clk.Now().Add(time.Until(time.Unix(claimsExp(good), 0)) - 4*time.Minute)
		c.Clock = clock.NewFake(late).Clock()
		_, err := oauth.NewManager(c).Current(ctx)
		if !errors.Is(err, oauth.ErrLoginRequired) || !strings.Contains(err.Error(), "less than 5 minutes") {
			t.Fatalf("error %v", err)
		}
	})

	t.Run("refused: a FIFO is not read", func(t *testing.T) {
		c := emulatorConfig(t, here, clk, io.Discard)
		if err := mkfifo(filepath.Join(c.CacheDir, ".token")); err != nil {
			t.Skip("no FIFOs here:", err)
		}
		_, err := oauth.NewManager(c).Current(ctx)
		if !errors.Is(err, oauth.ErrLoginRequired) || !strings.Contains(err.Error(), "regular file") {
			t.Fatalf("error %v", err)
		}
	})
}

func FuzzParsePythonToken(f *testing.F) {
	f.Add([]byte("eyJh.eyJz.c2ln:1700000000"))
	f.Add([]byte("a.b.c:12\n"))
	f.Add([]byte(":"))
	f.Add([]byte("a.b.c:-1"))
	f.Add([]byte("a.b.c:1:2"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tok, exp, err := oauth.ParsePythonToken(data)
		if err != nil {
			return
		}
		if strings.Count(tok, ".") != 2 || strings.Contains(tok, ":") || exp.Unix() <= 0 {
			t.Fatalf("accepted %q as %q, %v", data, tok, exp)
		}
	})
}
