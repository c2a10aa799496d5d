package e2e

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aignostics/aignostics/jwt"
)

// signingKey is the RSA key of every authServer in this test process.
var signingKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// authServer is a small OAuth server on a hostileServer, written for these
// tests (not the emulator): refresh tokens rotate, and a refresh token
// presented after it was spent is recorded as a reuse (a real server would
// revoke the whole login). Faults are set per test through tokenFault and
// jwksDown.
type authServer struct {
	h *hostileServer
	t *testing.T

	mu       sync.Mutex
	live     map[string]bool // refresh tokens that may be used
	spent    map[string]bool // refresh tokens used once
	reuses   []string
	received []string // refresh tokens presented, in order
	lifetime time.Duration
	// tokenFault, when set, answers a grant instead of the normal flow;
	// it may call a.grant itself to take the grant first.
	tokenFault func(w http.ResponseWriter, r *http.Request)
	jwksDown   bool
}

func newAuthServer(t *testing.T, h *hostileServer) *authServer {
	a := &authServer{h: h, t: t, live: map[string]bool{}, spent: map[string]bool{}, lifetime: time.Hour}
	h.handle("GET /.well-known/jwks.json", func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		down := a.jwksDown
		a.mu.Unlock()
		if down {
			writeJSON(w, 503, map[string]string{"detail": "down"})
			return
		}
		writeJSON(w, 200, jwt.JWKS{Keys: []jwt.JWK{jwt.PublicJWK("k1", &signingKey().PublicKey)}})
	})
	h.handle("POST /oauth/token", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			writeJSON(w, 400, map[string]string{"error": "invalid_request"})
			return
		}
		a.mu.Lock()
		fault := a.tokenFault
		a.mu.Unlock()
		if fault != nil {
			fault(w, r)
			return
		}
		status, body := a.grant(r)
		writeJSON(w, status, body)
	})
	h.handle("POST /oauth/device/code", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"device_code": "dc-secret-device-code", "user_code": "ABCD-EFGH",
			"verification_uri": h.URL + "/activate", "interval": 1, "expires_in": 600})
	})
	return a
}

// newRefresh makes a new live refresh token.
func (a *authServer) newRefresh() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	rt := "rt-" + hex.EncodeToString(b)
	a.mu.Lock()
	a.live[rt] = true
	a.mu.Unlock()
	return rt
}

// grant runs the normal token endpoint on a parsed request: a live refresh
// token is spent and rotated; a device code is approved at once.
func (a *authServer) grant(r *http.Request) (int, map[string]any) {
	a.mu.Lock()
	defer a.mu.Unlock()
	switch r.PostForm.Get("grant_type") {
	case "refresh_token":
		rt := r.PostForm.Get("refresh_token")
		a.received = append(a.received, rt)
		if a.spent[rt] {
			a.reuses = append(a.reuses, rt)
		}
		if !a.live[rt] {
			return 400, map[string]any{"error": "invalid_grant", "error_description": "unknown or reused refresh token"}
		}
		delete(a.live, rt)
		a.spent[rt] = true
	case "urn:ietf:params:oauth:grant-type:device_code":
	default:
		return 400, map[string]any{"error": "unsupported_grant_type"}
	}
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	next := "rt-" + hex.EncodeToString(b)
	a.live[next] = true
	now := time.Now()
	access, err := jwt.Sign(signingKey(), "k1", jwt.Claims{Issuer: a.h.URL + "/", Subject: "user-1", Audience: jwt.Audience{a.h.URL + "/api"},
		IssuedAt: now.Unix(), ExpiresAt: now.Add(a.lifetime).Unix(), Scope: "offline_access"})
	if err != nil {
		a.t.Error(err)
		return 500, nil
	}
	return 200, map[string]any{"access_token": access, "refresh_token": next, "token_type": "Bearer", "expires_in": int(a.lifetime.Seconds())}
}

// set changes the server's behaviour under its lock.
func (a *authServer) set(fn func(a *authServer)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	fn(a)
}

// check fails the test when a spent refresh token was presented again.
func (a *authServer) checkNoReuse(t *testing.T) {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.reuses) > 0 {
		t.Errorf("a spent refresh token was sent again %d times (a real server would revoke the login)", len(a.reuses))
	}
}

// receivedCount is how many refresh grants reached the normal flow.
func (a *authServer) receivedCount() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.received)
}

// newAuthCLI runs the binary against a with no token provider.
func newAuthCLI(t *testing.T, h *hostileServer) *cli {
	c := newCLI(t, nil)
	c.env["AIGNOSTICS_API_ROOT"] = h.URL
	c.env["AIGNOSTICS_AUTHORIZATION_BACKOFF_SECONDS"] = "0.01"
	return c
}

var _ = fmt.Sprint
