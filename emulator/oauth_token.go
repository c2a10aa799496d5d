package emulator

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// deviceGrantType is the RFC 8628 grant type.
const deviceGrantType = "urn:ietf:params:oauth:grant-type:device_code"

// oauthError is an RFC 6749 5.2 error answer.
type oauthError struct {
	status     int
	code, desc string
}

func (e *oauthError) Error() string { return e.code + ": " + e.desc }

func badRequest(code, desc string) *oauthError {
	return &oauthError{status: http.StatusBadRequest, code: code, desc: desc}
}

// writeOAuthError writes {"error","error_description"} with the error's status.
func writeOAuthError(w http.ResponseWriter, err error) {
	var oe *oauthError
	if !errors.As(err, &oe) {
		oe = &oauthError{status: http.StatusInternalServerError, code: "server_error", desc: err.Error()}
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	if oe.status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", `Basic realm="aignostics-emulator"`)
	}
	w.WriteHeader(oe.status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": oe.code, "error_description": oe.desc})
}

// sendJSON answers status with v encoded as JSON.
func sendJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// readForm reads an OAuth request body: form-encoded, or JSON as Auth0 also accepts.
func readForm(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	if r.Method != http.MethodPost {
		return nil, &oauthError{status: http.StatusMethodNotAllowed, code: "invalid_request", desc: "use POST"}
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return nil, badRequest("invalid_request", "the form body could not be read")
		}
		for k, v := range r.PostForm {
			if len(v) > 1 {
				return nil, badRequest("invalid_request", "parameter "+k+" was given more than once")
			}
		}
		return r.PostForm, nil
	case "application/json":
		var m map[string]any
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			return nil, badRequest("invalid_request", "the JSON body could not be read")
		}
		v := url.Values{}
		for k, x := range m {
			if s, ok := x.(string); ok {
				v.Set(k, s)
			}
		}
		return v, nil
	}
	return nil, badRequest("invalid_request", "send the parameters as application/x-www-form-urlencoded")
}

// handleToken serves POST /oauth/token.
func (a *authServer) handleToken(w http.ResponseWriter, r *http.Request) {
	form, err := readForm(w, r)
	if err != nil {
		writeOAuthError(w, err)
		return
	}
	var tr tokenResponse
	switch gt := form.Get("grant_type"); gt {
	case "":
		err = badRequest("invalid_request", "grant_type is required")
	case "authorization_code", "refresh_token", deviceGrantType:
		client := form.Get("client_id")
		if client != ClientIDInteractive && client != ClientIDDevice {
			err = &oauthError{status: http.StatusUnauthorized, code: "invalid_client", desc: "unknown client_id"}
			break
		}
		switch gt {
		case "authorization_code":
			tr, err = a.exchangeCode(form)
		case "refresh_token":
			tr, err = a.exchangeRefresh(form)
		default:
			tr, err = a.pollDevice(form)
		}
		if err == nil {
			name := gt
			if gt == deviceGrantType {
				name = "device_code"
			}
			a.e.count("grant:" + name)
		}
	default:
		err = badRequest("unsupported_grant_type", fmt.Sprintf("grant_type %q is not supported", gt))
	}
	if err != nil {
		writeOAuthError(w, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	sendJSON(w, http.StatusOK, tr)
}

// exchangeCode is the authorization_code grant with the PKCE verifier.
func (a *authServer) exchangeCode(form url.Values) (tokenResponse, error) {
	code, verifier := form.Get("code"), form.Get("code_verifier")
	if code == "" {
		return tokenResponse{}, badRequest("invalid_request", "code is required")
	}
	if verifier == "" {
		return tokenResponse{}, badRequest("invalid_request", "code_verifier is required (PKCE)")
	}
	a.mu.Lock()
	c, ok := a.codes[code]
	var used bool
	if ok {
		used = c.Used
		c.Used = true // single use: any presentation consumes the code
	}
	a.mu.Unlock()
	switch {
	case !ok:
		return tokenResponse{}, badRequest("invalid_grant", "unknown authorization code")
	case used:
		return tokenResponse{}, badRequest("invalid_grant", "authorization code was already used")
	case a.e.now().After(c.Expires):
		return tokenResponse{}, badRequest("invalid_grant", "authorization code expired")
	case form.Get("client_id") != c.ClientID:
		return tokenResponse{}, badRequest("invalid_grant", "authorization code was issued to another client")
	case form.Get("redirect_uri") != c.RedirectURI:
		return tokenResponse{}, badRequest("invalid_grant", "redirect_uri does not match the authorization request")
	case !validVerifier(verifier):
		return tokenResponse{}, badRequest("invalid_request", "code_verifier must be 43-128 unreserved characters")
	case !pkceMatches(verifier, c.Challenge):
		return tokenResponse{}, badRequest("invalid_grant", "code_verifier does not match the code_challenge")
	}
	return a.issue(tokenGrant{Subject: c.Subject, ClientID: c.ClientID, Scope: c.Scope})
}

// exchangeRefresh is the refresh_token grant with rotation: the presented
// token stops working; presenting a rotated token revokes its whole family.
func (a *authServer) exchangeRefresh(form url.Values) (tokenResponse, error) {
	rt := form.Get("refresh_token")
	if rt == "" {
		return tokenResponse{}, badRequest("invalid_request", "refresh_token is required")
	}
	a.mu.Lock()
	g, ok := a.refresh[hashSecret(rt)]
	var err error
	switch {
	case !ok:
		err = badRequest("invalid_grant", "unknown refresh token")
	case g.Revoked:
		err = badRequest("invalid_grant", "refresh token was revoked")
	case g.Rotated:
		a.revokeFamilyLocked(g.Family)
		err = badRequest("invalid_grant", "refresh token was already used; every token of this login is revoked")
	case form.Get("client_id") != g.ClientID:
		err = badRequest("invalid_grant", "refresh token was issued to another client")
	}
	if err == nil {
		if s := form.Get("scope"); s != "" {
			have := strings.Fields(g.Scope)
			for _, x := range strings.Fields(s) {
				if !slices.Contains(have, x) {
					err = badRequest("invalid_scope", fmt.Sprintf("scope %q was not granted", x))
				}
			}
		}
	}
	var gr tokenGrant
	if err == nil {
		g.Rotated = true
		gr = tokenGrant{Subject: g.Subject, ClientID: g.ClientID, Scope: g.Scope, Family: g.Family}
	}
	a.mu.Unlock()
	a.e.markDirty()
	if err != nil {
		return tokenResponse{}, err
	}
	return a.issue(gr)
}

// validVerifier checks RFC 7636 4.1: 43-128 characters of [A-Za-z0-9-._~].
func validVerifier(v string) bool {
	if len(v) < 43 || len(v) > 128 {
		return false
	}
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-._~", r)) {
			return false
		}
	}
	return true
}

// pkceMatches checks BASE64URL(SHA256(verifier)) == challenge.
func pkceMatches(verifier, challenge string) bool {
	sum := sha256.Sum256([]byte(verifier))
	want := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(want), []byte(challenge)) == 1
}

// handleRevoke serves POST /oauth/revoke (RFC 7009): a refresh token's whole
// family is revoked; unknown tokens are accepted silently.
func (a *authServer) handleRevoke(w http.ResponseWriter, r *http.Request) {
	form, err := readForm(w, r)
	if err != nil {
		writeOAuthError(w, err)
		return
	}
	tok := form.Get("token")
	if tok == "" {
		writeOAuthError(w, badRequest("invalid_request", "token is required"))
		return
	}
	a.mu.Lock()
	if g, ok := a.refresh[hashSecret(tok)]; ok {
		a.revokeFamilyLocked(g.Family)
	}
	a.mu.Unlock()
	a.e.markDirty()
	w.WriteHeader(http.StatusOK)
}
