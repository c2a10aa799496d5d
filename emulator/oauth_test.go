package emulator

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aignostics/aignostics/jwt"
)

func TestAuthorizationCodeFlowIssuesVerifiableTokens(t *testing.T) {
	e, clock := startClocked(t, Options{TokenLifetime: 30 * time.Minute})
	tok := loginCode(t, e, "openid offline_access")
	if str(tok, "token_type") != "Bearer" || str(tok, "refresh_token") == "" || str(tok, "id_token") == "" {
		t.Fatalf("token response %v: want Bearer with refresh and id tokens", keys(tok))
	}
	if tok["expires_in"] != float64(1800) || str(tok, "scope") != "openid offline_access" {
		t.Errorf("expires_in %v scope %q", tok["expires_in"], str(tok, "scope"))
	}
	// The JWKS served over HTTP verifies the token.
	status, _, body := get(t, e.URL()+"/.well-known/jwks.json")
	if status != http.StatusOK {
		t.Fatalf("jwks: %d", status)
	}
	ks, err := jwt.ParseJWKS(body)
	if err != nil {
		t.Fatalf("parse jwks: %v", err)
	}
	pub := e.URL()
	at, err := jwt.Verify(context.Background(), str(tok, "access_token"), jwt.StaticKeys(ks),
		jwt.VerifyOptions{Audience: pub + "/api", Issuer: pub + "/", Now: clock.Now()})
	if err != nil {
		t.Fatalf("verify access token: %v", err)
	}
	c := at.Claims
	if c.Subject != DefaultSubject || c.AuthorizedParty != ClientIDInteractive || c.Scope != "openid offline_access" ||
		c.OrgID == "" || c.ExpiresAt-c.IssuedAt != 1800 || at.Header.Kid == "" {
		t.Errorf("claims %+v header %+v", c, at.Header)
	}
	if !c.Audience.Contains(pub+"/api") || !c.Audience.Contains(pub+"/userinfo") {
		t.Errorf("aud %v", c.Audience)
	}
	if string(c.Raw[pub+"/api/role"]) != `"member"` {
		t.Errorf("role claim %s", c.Raw[pub+"/api/role"])
	}
	if e.Count("grant:authorization_code") != 1 {
		t.Errorf("grant count %d", e.Count("grant:authorization_code"))
	}
	// The token works on the API.
	if status, _, _ := get(t, pub+"/api/v1/applications", "Authorization", "Bearer "+str(tok, "access_token")); status != http.StatusOK {
		t.Errorf("API with token: %d", status)
	}
}

func TestTokenWithoutOfflineAccessHasNoRefreshToken(t *testing.T) {
	e := startTest(t, Options{})
	tok := loginCode(t, e, "openid")
	if _, ok := tok["refresh_token"]; ok {
		t.Errorf("refresh token issued without offline_access")
	}
}

func TestAuthorizeRejectsBadRequestsWithPage(t *testing.T) {
	e := startTest(t, Options{})
	_, challenge := pkcePair()
	for name, mod := range map[string]func(url.Values){
		"unknown client":     func(v url.Values) { v.Set("client_id", "other") },
		"device client":      func(v url.Values) { v.Set("client_id", ClientIDDevice) },
		"https redirect":     func(v url.Values) { v.Set("redirect_uri", "https://127.0.0.1:8989/") },
		"remote redirect":    func(v url.Values) { v.Set("redirect_uri", "http://evil.example:8989/") },
		"fragment redirect":  func(v url.Values) { v.Set("redirect_uri", "http://localhost:8989/#x") },
		"missing redirect":   func(v url.Values) { v.Del("redirect_uri") },
		"repeated parameter": func(v url.Values) { v.Add("state", "again") },
	} {
		t.Run(name, func(t *testing.T) {
			v := authorizeParams(challenge)
			mod(v)
			status, loc, body := authorize(t, e, v)
			if status != http.StatusBadRequest || loc != nil || !strings.Contains(string(body), "<html") {
				t.Errorf("status %d location %v: want a 400 page", status, loc)
			}
		})
	}
}

func TestAuthorizeRedirectsErrors(t *testing.T) {
	e := startTest(t, Options{})
	_, challenge := pkcePair()
	for _, tc := range []struct {
		name, code string
		mod        func(url.Values)
	}{
		{"token response type", "unsupported_response_type", func(v url.Values) { v.Set("response_type", "token") }},
		{"missing challenge", "invalid_request", func(v url.Values) { v.Del("code_challenge") }},
		{"plain method", "invalid_request", func(v url.Values) { v.Set("code_challenge_method", "plain") }},
		{"missing method", "invalid_request", func(v url.Values) { v.Del("code_challenge_method") }},
		{"short challenge", "invalid_request", func(v url.Values) { v.Set("code_challenge", "abc") }},
		{"wrong audience", "invalid_request", func(v url.Values) { v.Set("audience", "https://aignostics-platform-samia") }},
		{"unknown scope", "invalid_scope", func(v url.Values) { v.Set("scope", "openid admin") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := authorizeParams(challenge)
			tc.mod(v)
			status, loc, _ := authorize(t, e, v)
			if status != http.StatusFound || loc == nil {
				t.Fatalf("status %d: want 302", status)
			}
			q := loc.Query()
			if loc.Host != "127.0.0.1:8989" || q.Get("error") != tc.code || q.Get("error_description") == "" ||
				q.Get("state") != "st-123" || q.Get("code") != "" {
				t.Errorf("redirect %s: want error %s with state", loc.Redacted(), tc.code)
			}
		})
	}
}

func TestAuthorizeAcceptsLoopbackVariants(t *testing.T) {
	e := startTest(t, Options{})
	_, challenge := pkcePair()
	for _, ru := range []string{"http://localhost:50123/callback", "http://[::1]:8989/", "http://127.0.0.2/"} {
		v := authorizeParams(challenge)
		v.Set("redirect_uri", ru)
		v.Set("audience", strings.Replace(e.URL(), "127.0.0.1", "localhost", 1)+"/api")
		status, loc, _ := authorize(t, e, v)
		if status != http.StatusFound || loc == nil || loc.Query().Get("code") == "" {
			t.Errorf("%s: status %d location %v", ru, status, loc)
		}
	}
}

func TestCodeExchangeErrors(t *testing.T) {
	e, clock := startClocked(t, Options{})
	type step struct {
		status int
		code   string
	}
	for _, tc := range []struct {
		name string
		mod  func(v url.Values)
		pre  func()
		want step
	}{
		{"wrong verifier", func(v url.Values) { w, _ := pkcePair(); v.Set("code_verifier", w) }, nil, step{400, "invalid_grant"}},
		{"missing verifier", func(v url.Values) { v.Del("code_verifier") }, nil, step{400, "invalid_request"}},
		{"malformed verifier", func(v url.Values) { v.Set("code_verifier", "short") }, nil, step{400, "invalid_request"}},
		{"other redirect", func(v url.Values) { v.Set("redirect_uri", "http://127.0.0.1:9999/") }, nil, step{400, "invalid_grant"}},
		{"unknown code", func(v url.Values) { v.Set("code", "nope") }, nil, step{400, "invalid_grant"}},
		{"missing code", func(v url.Values) { v.Del("code") }, nil, step{400, "invalid_request"}},
		{"other client", func(v url.Values) { v.Set("client_id", ClientIDDevice) }, nil, step{400, "invalid_grant"}},
		{"unknown client", func(v url.Values) { v.Set("client_id", "nobody") }, nil, step{401, "invalid_client"}},
		{"unknown grant", func(v url.Values) { v.Set("grant_type", "password") }, nil, step{400, "unsupported_grant_type"}},
		{"missing grant", func(v url.Values) { v.Del("grant_type") }, nil, step{400, "invalid_request"}},
		{"expired code", nil, func() { clock.Advance(61 * time.Second) }, step{400, "invalid_grant"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			verifier, challenge := pkcePair()
			_, loc, _ := authorize(t, e, authorizeParams(challenge))
			v := url.Values{"grant_type": {"authorization_code"}, "client_id": {ClientIDInteractive},
				"code": {loc.Query().Get("code")}, "code_verifier": {verifier}, "redirect_uri": {"http://127.0.0.1:8989/"}}
			if tc.mod != nil {
				tc.mod(v)
			}
			if tc.pre != nil {
				tc.pre()
			}
			status, body := postForm(t, e.URL()+"/oauth/token", v)
			if status != tc.want.status || str(body, "error") != tc.want.code || str(body, "error_description") == "" {
				t.Errorf("got %d %v, want %d %s", status, body, tc.want.status, tc.want.code)
			}
		})
	}
	if n := e.Count("grant:authorization_code"); n != 0 {
		t.Errorf("%d codes exchanged, want 0", n)
	}
}

func TestCodeIsSingleUse(t *testing.T) {
	e := startTest(t, Options{})
	verifier, challenge := pkcePair()
	_, loc, _ := authorize(t, e, authorizeParams(challenge))
	v := url.Values{"grant_type": {"authorization_code"}, "client_id": {ClientIDInteractive},
		"code": {loc.Query().Get("code")}, "code_verifier": {verifier}, "redirect_uri": {"http://127.0.0.1:8989/"}}
	if status, body := postForm(t, e.URL()+"/oauth/token", v); status != http.StatusOK {
		t.Fatalf("first exchange: %d %v", status, body)
	}
	status, body := postForm(t, e.URL()+"/oauth/token", v)
	if status != http.StatusBadRequest || str(body, "error") != "invalid_grant" {
		t.Errorf("reuse: %d %v, want 400 invalid_grant", status, body)
	}
}

func TestTokenEndpointRefusesGETAndOtherBodies(t *testing.T) {
	e := startTest(t, Options{})
	status, _, body := get(t, e.URL()+"/oauth/token")
	if status != http.StatusMethodNotAllowed || !strings.Contains(string(body), "invalid_request") {
		t.Errorf("GET: %d %s", status, body)
	}
	req, _ := http.NewRequest(http.MethodPost, e.URL()+"/oauth/token", strings.NewReader("grant_type=refresh_token"))
	req.Header.Set("Content-Type", "text/plain")
	if status, _, body := do(t, req); status != http.StatusBadRequest || !strings.Contains(string(body), "invalid_request") {
		t.Errorf("text/plain: %d %s", status, body)
	}
	// JSON bodies are accepted, as Auth0 does.
	req, _ = http.NewRequest(http.MethodPost, e.URL()+"/oauth/token", strings.NewReader(`{"grant_type":"refresh_token","client_id":"`+ClientIDInteractive+`","refresh_token":"x"}`))
	req.Header.Set("Content-Type", "application/json")
	if status, _, body := do(t, req); status != http.StatusBadRequest || !strings.Contains(string(body), "invalid_grant") {
		t.Errorf("json: %d %s", status, body)
	}
}

func TestRefreshRotationAndReuseRefusal(t *testing.T) {
	e := startTest(t, Options{})
	first := str(loginCode(t, e, "openid offline_access"), "refresh_token")
	refresh := func(rt string) (int, map[string]any) {
		return postForm(t, e.URL()+"/oauth/token", url.Values{"grant_type": {"refresh_token"},
			"client_id": {ClientIDInteractive}, "refresh_token": {rt}})
	}
	status, tok := refresh(first)
	second := str(tok, "refresh_token")
	if status != http.StatusOK || str(tok, "access_token") == "" || second == "" || second == first {
		t.Fatalf("refresh: %d, new token rotated=%v", status, second != first)
	}
	// The rotated token is refused, and its reuse revokes the whole family.
	if status, body := refresh(first); status != http.StatusBadRequest || str(body, "error") != "invalid_grant" {
		t.Errorf("reuse: %d %v", status, body)
	}
	if status, body := refresh(second); status != http.StatusBadRequest || str(body, "error") != "invalid_grant" {
		t.Errorf("successor after reuse: %d %v, want invalid_grant", status, body)
	}
	if n := e.Count("grant:refresh_token"); n != 1 {
		t.Errorf("refresh count %d, want 1", n)
	}
	// An independent login is not affected.
	other := str(loginCode(t, e, "offline_access"), "refresh_token")
	if status, body := refresh(other); status != http.StatusOK {
		t.Errorf("independent login: %d %v", status, body)
	}
	for name, v := range map[string]url.Values{
		"missing token": {"grant_type": {"refresh_token"}, "client_id": {ClientIDInteractive}},
		"unknown token": {"grant_type": {"refresh_token"}, "client_id": {ClientIDInteractive}, "refresh_token": {"nope"}},
	} {
		status, body := postForm(t, e.URL()+"/oauth/token", v)
		want := map[string]string{"missing token": "invalid_request", "unknown token": "invalid_grant"}[name]
		if status != http.StatusBadRequest || str(body, "error") != want {
			t.Errorf("%s: %d %v", name, status, body)
		}
	}
}

func TestRefreshChecksClientAndScope(t *testing.T) {
	e := startTest(t, Options{})
	rt := str(loginCode(t, e, "openid offline_access"), "refresh_token")
	status, body := postForm(t, e.URL()+"/oauth/token", url.Values{"grant_type": {"refresh_token"},
		"client_id": {ClientIDInteractive}, "refresh_token": {rt}, "scope": {"offline_access email"}})
	if status != http.StatusBadRequest || str(body, "error") != "invalid_scope" {
		t.Errorf("wider scope: %d %v", status, body)
	}
	status, body = postForm(t, e.URL()+"/oauth/token", url.Values{"grant_type": {"refresh_token"},
		"client_id": {ClientIDDevice}, "refresh_token": {rt}})
	if status != http.StatusBadRequest || str(body, "error") != "invalid_grant" {
		t.Errorf("other client: %d %v", status, body)
	}
}

func TestRevokeRefreshTokens(t *testing.T) {
	e := startTest(t, Options{})
	_, rt, err := e.IssueToken("")
	if err != nil {
		t.Fatal(err)
	}
	_, rt2, _ := e.IssueToken("auth0|someone")
	// RFC 7009 revocation of one token.
	if status, _ := postForm(t, e.URL()+"/oauth/revoke", url.Values{"token": {rt2}, "client_id": {ClientIDInteractive}}); status != http.StatusOK {
		t.Errorf("revoke: %d", status)
	}
	e.RevokeRefreshTokens()
	for _, tok := range []string{rt, rt2} {
		status, body := postForm(t, e.URL()+"/oauth/token", url.Values{"grant_type": {"refresh_token"},
			"client_id": {ClientIDInteractive}, "refresh_token": {tok}})
		if status != http.StatusBadRequest || str(body, "error") != "invalid_grant" {
			t.Errorf("after revocation: %d %v", status, body)
		}
	}
}

func TestConsentPage(t *testing.T) {
	e := startTest(t, Options{Consent: true})
	verifier, challenge := pkcePair()
	status, loc, body := authorize(t, e, authorizeParams(challenge))
	if status != http.StatusOK || loc != nil || !strings.Contains(string(body), `action="/authorize/decision"`) {
		t.Fatalf("consent page: %d %s", status, body)
	}
	id := between(string(body), `name="request" value="`, `"`)
	decide := func(id, decision string) (int, *url.URL) {
		req, _ := http.NewRequest(http.MethodPost, e.URL()+"/authorize/decision",
			strings.NewReader(url.Values{"request": {id}, "decision": {decision}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		status, h, _ := do(t, req)
		l, _ := url.Parse(h.Get("Location"))
		return status, l
	}
	status, l := decide(id, "approve")
	if status != http.StatusFound || l.Query().Get("code") == "" || l.Query().Get("state") != "st-123" {
		t.Fatalf("approve: %d %v", status, l)
	}
	if status, _ := decide(id, "approve"); status != http.StatusBadRequest {
		t.Errorf("second decision: %d, want 400", status)
	}
	status, tok := postForm(t, e.URL()+"/oauth/token", url.Values{"grant_type": {"authorization_code"}, "client_id": {ClientIDInteractive},
		"code": {l.Query().Get("code")}, "code_verifier": {verifier}, "redirect_uri": {"http://127.0.0.1:8989/"}})
	if status != http.StatusOK || str(tok, "access_token") == "" {
		t.Errorf("exchange after consent: %d %v", status, tok)
	}
	_, _, body = authorize(t, e, authorizeParams(challenge))
	status, l = decide(between(string(body), `name="request" value="`, `"`), "deny")
	if status != http.StatusFound || l.Query().Get("error") != "access_denied" || l.Query().Get("state") != "st-123" {
		t.Errorf("deny: %d %v", status, l)
	}
}

func between(s, a, b string) string {
	_, rest, _ := strings.Cut(s, a)
	v, _, _ := strings.Cut(rest, b)
	return v
}

func TestDiscoveryDocument(t *testing.T) {
	e := startTest(t, Options{})
	status, _, body := get(t, e.URL()+"/.well-known/openid-configuration")
	var d map[string]any
	if status != http.StatusOK || json.Unmarshal(body, &d) != nil {
		t.Fatalf("discovery: %d %s", status, body)
	}
	for k, want := range map[string]string{
		"issuer": e.URL() + "/", "authorization_endpoint": e.URL() + "/authorize", "token_endpoint": e.URL() + "/oauth/token",
		"device_authorization_endpoint": e.URL() + "/oauth/device/code", "jwks_uri": e.URL() + "/.well-known/jwks.json",
	} {
		if d[k] != want {
			t.Errorf("%s = %v, want %s", k, d[k], want)
		}
	}
}

func keys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}
