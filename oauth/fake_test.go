package oauth

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aignostics/aignostics/internal/clock"
	"github.com/aignostics/aignostics/jwt"
)

var testKey = func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}()

// fakeAS is a small authorization server for the package's own tests.
type fakeAS struct {
	t     *testing.T
	srv   *httptest.Server
	clock *clock.Fake

	mu          sync.Mutex
	counts      map[string]int
	codes       map[string]string // code -> challenge
	refresh     map[string]bool   // live refresh tokens
	devicePolls int
	// knobs
	deviceAnswers []string // error codes answered before success, in order
	deviceBody    map[string]any
	noRotate      bool
	lifetime      time.Duration
	refreshStatus int // when non-zero, refresh answers this status with invalid_grant
	lastForm      map[string]url.Values
	seq           int
}

func newFakeAS(t *testing.T, clk *clock.Fake) *fakeAS {
	f := &fakeAS{t: t, clock: clk, counts: map[string]int{}, codes: map[string]string{}, refresh: map[string]bool{},
		lifetime: time.Hour, lastForm: map[string]url.Values{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/jwks.json", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(jwt.JWKS{Keys: []jwt.JWK{jwt.PublicJWK("k1", &testKey.PublicKey)}})
	})
	mux.HandleFunc("GET /authorize", f.authorize)
	mux.HandleFunc("POST /oauth/token", f.token)
	mux.HandleFunc("POST /oauth/device/code", f.device)
	mux.HandleFunc("POST /oauth/revoke", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		f.mu.Lock()
		f.counts["revoke"]++
		delete(f.refresh, r.PostForm.Get("token"))
		f.mu.Unlock()
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAS) count(k string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts[k]
}

func (f *fakeAS) config(dir string) Config {
	u := f.srv.URL
	return Config{
		AuthorizeURL: u + "/authorize", TokenURL: u + "/oauth/token", DeviceURL: u + "/oauth/device/code",
		JWKSURL: u + "/.well-known/jwks.json", Issuer: u + "/", Audience: u + "/api",
		ClientIDInteractive: "cli", ClientIDDevice: "dev", RedirectURI: "http://127.0.0.1:0/",
		Scope: []string{"offline_access"}, CacheDir: dir, Clock: f.clock.Clock(),
		HasBrowser: func() bool { return false },
		OpenBrowser: func(string) error {
			f.t.Error("a browser was opened")
			return nil
		},
	}
}

func (f *fakeAS) issue(w http.ResponseWriter, client string) {
	f.seq++
	now := f.clock.Now()
	access, err := jwt.Sign(testKey, "k1", map[string]any{
		"iss": f.srv.URL + "/", "aud": []string{f.srv.URL + "/api"}, "sub": "user-1",
		"iat": now.Unix(), "exp": now.Add(f.lifetime).Unix(), "scope": "offline_access", "azp": client,
		"org_id": "org-1", "seq": f.seq,
	})
	if err != nil {
		f.t.Error(err)
	}
	rt := "rt-" + randHex()
	f.refresh[rt] = true
	writeJSON(w, 200, map[string]any{"access_token": access, "token_type": "Bearer", "refresh_token": rt, "expires_in": int(f.lifetime.Seconds())})
}

func randHex() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (f *fakeAS) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f.mu.Lock()
	f.counts["authorize"]++
	f.lastForm["authorize"] = q
	code := "code-" + randHex()
	f.codes[code] = q.Get("code_challenge")
	f.mu.Unlock()
	target, _ := url.Parse(q.Get("redirect_uri"))
	v := url.Values{"code": {code}, "state": {q.Get("state")}}
	target.RawQuery = v.Encode()
	http.Redirect(w, r, target.String(), http.StatusFound)
}

func (f *fakeAS) device(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.counts["device"]++
	f.lastForm["device"] = r.PostForm
	body := map[string]any{"device_code": "dc-1", "user_code": "ABCD-EFGH", "verification_uri": f.srv.URL + "/activate",
		"verification_uri_complete": f.srv.URL + "/activate?user_code=ABCD-EFGH", "expires_in": 600, "interval": 1}
	for k, v := range f.deviceBody {
		body[k] = v
	}
	writeJSON(w, 200, body)
}

func (f *fakeAS) token(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	form := r.PostForm
	f.mu.Lock()
	defer f.mu.Unlock()
	gt := form.Get("grant_type")
	f.counts["grant:"+gt]++
	f.lastForm[gt] = form
	switch gt {
	case "authorization_code":
		ch, ok := f.codes[form.Get("code")]
		delete(f.codes, form.Get("code"))
		if !ok || s256(form.Get("code_verifier")) != ch {
			writeJSON(w, 400, map[string]string{"error": "invalid_grant"})
			return
		}
		f.issue(w, form.Get("client_id"))
	case "refresh_token":
		if f.refreshStatus != 0 {
			writeJSON(w, f.refreshStatus, map[string]string{"error": "invalid_grant", "error_description": "refused"})
			return
		}
		rt := form.Get("refresh_token")
		if !f.refresh[rt] {
			writeJSON(w, 400, map[string]string{"error": "invalid_grant"})
			return
		}
		if f.noRotate {
			f.seq++
			now := f.clock.Now()
			access, _ := jwt.Sign(testKey, "k1", map[string]any{"iss": f.srv.URL + "/", "aud": f.srv.URL + "/api", "sub": "user-1",
				"iat": now.Unix(), "exp": now.Add(f.lifetime).Unix(), "seq": f.seq})
			writeJSON(w, 200, map[string]any{"access_token": access, "token_type": "Bearer", "expires_in": 3600})
			return
		}
		delete(f.refresh, rt)
		f.issue(w, form.Get("client_id"))
	case "urn:ietf:params:oauth:grant-type:device_code":
		if f.devicePolls < len(f.deviceAnswers) {
			a := f.deviceAnswers[f.devicePolls]
			f.devicePolls++
			if a == "500" {
				w.WriteHeader(500)
				return
			}
			body := map[string]any{"error": a}
			if strings.HasPrefix(a, "slow_down=") {
				body = map[string]any{"error": "slow_down", "interval": strings.TrimPrefix(a, "slow_down=")}
			}
			writeJSON(w, 400, body)
			return
		}
		f.issue(w, form.Get("client_id"))
	default:
		writeJSON(w, 400, map[string]string{"error": "unsupported_grant_type"})
	}
}
