package emulator

import (
	"net"
	"net/http"
	"net/url"
	"strings"
)

// handleAuthorize serves GET /authorize (RFC 6749 4.1.1 with RFC 7636 PKCE).
// Errors about the client or the redirect URI are shown as a 400 page; the
// others are sent back to the redirect URI with error, error_description and state.
func (a *authServer) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		renderPage(w, http.StatusMethodNotAllowed, page{Title: "Method not allowed", Message: "Use GET /authorize."})
		return
	}
	q := r.URL.Query()
	for _, k := range []string{"client_id", "redirect_uri", "response_type", "code_challenge", "code_challenge_method", "state", "scope", "audience"} {
		if len(q[k]) > 1 {
			renderPage(w, http.StatusBadRequest, page{Title: "Invalid request", Message: "Parameter " + k + " was given more than once."})
			return
		}
	}
	if q.Get("client_id") != ClientIDInteractive {
		renderPage(w, http.StatusBadRequest, page{Title: "Invalid request", Message: "Unknown client_id; the emulator knows " + ClientIDInteractive + "."})
		return
	}
	redirect := q.Get("redirect_uri")
	if !validLoopbackRedirect(redirect) {
		renderPage(w, http.StatusBadRequest, page{Title: "Invalid request", Message: "redirect_uri must be an http URL on a loopback host (any port), without fragment."})
		return
	}
	state := q.Get("state")
	fail := func(code, desc string) {
		redirectWith(w, r, redirect, url.Values{"error": {code}, "error_description": {desc}}, state)
	}
	if rt := q.Get("response_type"); rt != "code" {
		fail("unsupported_response_type", "response_type must be code")
		return
	}
	challenge := q.Get("code_challenge")
	if challenge == "" {
		fail("invalid_request", "code_challenge is required (PKCE with S256)")
		return
	}
	if m := q.Get("code_challenge_method"); m != "S256" {
		fail("invalid_request", "code_challenge_method must be S256")
		return
	}
	if !validChallenge(challenge) {
		fail("invalid_request", "code_challenge must be 43 base64url characters")
		return
	}
	if aud := q.Get("audience"); aud != "" && !sameLoopbackURL(aud, a.e.URL()+"/api") {
		fail("invalid_request", "unknown audience")
		return
	}
	scope, err := checkScope(q.Get("scope"))
	if err != nil {
		fail("invalid_scope", err.Error())
		return
	}
	req := &authRequest{ClientID: ClientIDInteractive, RedirectURI: redirect, Challenge: challenge, Scope: scope, State: state}
	if a.e.opts.Consent {
		id := randomToken(16)
		a.mu.Lock()
		a.pending[id] = req
		a.mu.Unlock()
		renderPage(w, http.StatusOK, page{Title: "Authorize aignostics", Consent: id, Scope: scope,
			Message: "The application " + ClientIDInteractive + " asks to access the Aignostics Platform emulator as " + DefaultSubject + "."})
		return
	}
	a.approveCode(w, r, req)
}

// handleDecision serves POST /authorize/decision from the consent page.
func (a *authServer) handleDecision(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		renderPage(w, http.StatusMethodNotAllowed, page{Title: "Method not allowed", Message: "Use POST."})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		renderPage(w, http.StatusBadRequest, page{Title: "Invalid request", Message: "The form could not be read."})
		return
	}
	id := r.PostForm.Get("request")
	a.mu.Lock()
	req, ok := a.pending[id]
	delete(a.pending, id)
	a.mu.Unlock()
	if !ok {
		renderPage(w, http.StatusBadRequest, page{Title: "Invalid request", Message: "This authorization request is unknown or was already answered."})
		return
	}
	if r.PostForm.Get("decision") != "approve" {
		redirectWith(w, r, req.RedirectURI, url.Values{"error": {"access_denied"}, "error_description": {"The user denied the request"}}, req.State)
		return
	}
	a.approveCode(w, r, req)
}

// approveCode issues an authorization code for req and redirects to the client.
func (a *authServer) approveCode(w http.ResponseWriter, r *http.Request, req *authRequest) {
	code := randomToken(32)
	now := a.e.now()
	a.mu.Lock()
	for c, ac := range a.codes { // forget expired codes
		if now.After(ac.Expires) {
			delete(a.codes, c)
		}
	}
	a.codes[code] = &authCode{authRequest: *req, Subject: DefaultSubject, Expires: now.Add(codeLifetime)}
	a.mu.Unlock()
	redirectWith(w, r, req.RedirectURI, url.Values{"code": {code}}, req.State)
}

// redirectWith sends a 302 to target with params (and state when not empty) added.
func redirectWith(w http.ResponseWriter, r *http.Request, target string, params url.Values, state string) {
	u, err := url.Parse(target)
	if err != nil { // validated before; keep a safe answer anyway
		renderPage(w, http.StatusBadRequest, page{Title: "Invalid request", Message: "Bad redirect_uri."})
		return
	}
	q := u.Query()
	for k, vs := range params {
		q[k] = vs
	}
	if state != "" {
		q.Set("state", state)
	}
	u.RawQuery = q.Encode()
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// validLoopbackRedirect accepts http URLs on a loopback host with any port (RFC 8252 7.3).
func validLoopbackRedirect(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "http" || u.User != nil || u.Fragment != "" || u.Opaque != "" {
		return false
	}
	return isLoopbackHost(u.Hostname())
}

// isLoopbackHost reports whether h is localhost, 127.0.0.0/8 or ::1.
func isLoopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// sameLoopbackURL compares two URLs, treating every loopback host name as the same host.
func sameLoopbackURL(a, b string) bool {
	if a == b {
		return true
	}
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	if err1 != nil || err2 != nil {
		return false
	}
	norm := func(u *url.URL) string {
		h := u.Hostname()
		if isLoopbackHost(h) {
			h = "127.0.0.1"
		}
		return strings.ToLower(u.Scheme) + "://" + net.JoinHostPort(h, u.Port()) + strings.TrimSuffix(u.EscapedPath(), "/")
	}
	return norm(ua) == norm(ub)
}

// validChallenge checks an S256 challenge: 43 base64url characters.
func validChallenge(c string) bool {
	if len(c) != 43 {
		return false
	}
	for _, r := range c {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
