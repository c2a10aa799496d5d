package emulator

import (
	"crypto/rand"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// userCodeAlphabet has no vowels (no words) and no look-alikes (RFC 8628 6.1).
const userCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ"

// Device grant states.
const (
	devicePending  = "pending"
	deviceApproved = "approved"
	deviceDenied   = "denied"
)

// deviceGrant is one RFC 8628 device authorization.
type deviceGrant struct {
	ClientID, Scope, UserCode string
	Expires, LastPoll         time.Time
	Polls                     int
	Status                    string
}

// handleDeviceCode serves POST /oauth/device/code.
func (a *authServer) handleDeviceCode(w http.ResponseWriter, r *http.Request) {
	form, err := readForm(w, r)
	if err != nil {
		writeOAuthError(w, err)
		return
	}
	switch form.Get("client_id") {
	case ClientIDDevice:
	case ClientIDInteractive:
		writeOAuthError(w, badRequest("unauthorized_client", "this client may not use the device flow; use "+ClientIDDevice))
		return
	default:
		writeOAuthError(w, &oauthError{status: http.StatusUnauthorized, code: "invalid_client", desc: "unknown client_id"})
		return
	}
	scope, err := checkScope(form.Get("scope"))
	if err != nil {
		writeOAuthError(w, badRequest("invalid_scope", err.Error()))
		return
	}
	if aud := form.Get("audience"); aud != "" && !sameLoopbackURL(aud, a.e.URL()+"/api") {
		writeOAuthError(w, badRequest("invalid_request", "unknown audience"))
		return
	}
	code := randomToken(32)
	uc := newUserCode()
	now := a.e.now()
	a.mu.Lock()
	for h, d := range a.devices { // forget device codes expired long ago
		if now.After(d.Expires.Add(deviceLifetime)) {
			delete(a.devices, h)
			delete(a.userCodes, d.UserCode)
		}
	}
	for a.userCodes[uc] != "" {
		uc = newUserCode()
	}
	h := hashSecret(code)
	a.devices[h] = &deviceGrant{ClientID: ClientIDDevice, Scope: scope, UserCode: uc, Expires: now.Add(deviceLifetime), Status: devicePending}
	a.userCodes[uc] = h
	a.mu.Unlock()
	verify := a.e.URL() + "/activate"
	w.Header().Set("Cache-Control", "no-store")
	sendJSON(w, http.StatusOK, map[string]any{
		"device_code":               code,
		"user_code":                 uc,
		"verification_uri":          verify,
		"verification_uri_complete": verify + "?" + url.Values{"user_code": {uc}}.Encode(),
		"expires_in":                int(deviceLifetime / time.Second),
		"interval":                  int(deviceInterval / time.Second),
	})
}

// pollDevice is the device_code grant. With automatic approval the first
// poll answers authorization_pending and the next one the token.
func (a *authServer) pollDevice(form url.Values) (tokenResponse, error) {
	code := form.Get("device_code")
	if code == "" {
		return tokenResponse{}, badRequest("invalid_request", "device_code is required")
	}
	now := a.e.now()
	h := hashSecret(code)
	a.mu.Lock()
	d, ok := a.devices[h]
	var err error
	switch {
	case !ok:
		err = badRequest("invalid_grant", "unknown device code")
	case form.Get("client_id") != d.ClientID:
		err = badRequest("invalid_grant", "device code was issued to another client")
	case now.After(d.Expires):
		err = badRequest("expired_token", "the device code expired; start again")
	case d.Status == deviceDenied:
		err = badRequest("access_denied", "the user denied the request")
	case !d.LastPoll.IsZero() && now.Sub(d.LastPoll) < deviceInterval:
		d.LastPoll = now
		err = badRequest("slow_down", "polled faster than the interval")
	}
	if err == nil {
		d.LastPoll = now
		if d.Status == devicePending && a.e.opts.DeviceApproval == "auto" && d.Polls > 0 {
			d.Status = deviceApproved
		}
		d.Polls++
		if d.Status != deviceApproved {
			err = badRequest("authorization_pending", "the user has not approved yet")
		} else {
			delete(a.devices, h)
			delete(a.userCodes, d.UserCode)
		}
	}
	a.mu.Unlock()
	if err != nil {
		return tokenResponse{}, err
	}
	return a.issue(tokenGrant{Subject: DefaultSubject, ClientID: d.ClientID, Scope: d.Scope})
}

// handleActivate serves the verification page: GET shows the entry form (or
// the decision for ?user_code=), POST with decision=approve|deny answers.
func (a *authServer) handleActivate(w http.ResponseWriter, r *http.Request) {
	var raw, decision string
	switch r.Method {
	case http.MethodGet:
		raw = r.URL.Query().Get("user_code")
	case http.MethodPost:
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			renderPage(w, http.StatusBadRequest, page{Title: "Activate a device", Message: "The form could not be read.", Activate: true})
			return
		}
		raw, decision = r.PostForm.Get("user_code"), r.PostForm.Get("decision")
	default:
		w.Header().Set("Allow", "GET, POST")
		renderPage(w, http.StatusMethodNotAllowed, page{Title: "Method not allowed", Message: "Use GET or POST."})
		return
	}
	if raw == "" {
		renderPage(w, http.StatusOK, page{Title: "Activate a device", Message: "Enter the code shown on your device.", Activate: true})
		return
	}
	uc := normalizeUserCode(raw)
	now := a.e.now()
	a.mu.Lock()
	d := a.devices[a.userCodes[uc]]
	if d == nil || now.After(d.Expires) || d.Status != devicePending {
		a.mu.Unlock()
		renderPage(w, http.StatusBadRequest, page{Title: "Activate a device", Message: "That code is unknown, expired or already answered.", Activate: true})
		return
	}
	switch decision {
	case "approve":
		d.Status = deviceApproved
	case "deny":
		d.Status = deviceDenied
	}
	a.mu.Unlock()
	switch decision {
	case "approve":
		renderPage(w, http.StatusOK, page{Title: "Device approved", Message: "You are logged in as " + DefaultSubject + ". Return to your terminal."})
	case "deny":
		renderPage(w, http.StatusOK, page{Title: "Access denied", Message: "The device was not given access."})
	default:
		renderPage(w, http.StatusOK, page{Title: "Activate a device", Message: "Give the device access to the Aignostics Platform emulator?", UserCode: uc})
	}
}

// newUserCode returns a code like BCDF-GHJK.
func newUserCode() string {
	var b strings.Builder
	n := big.NewInt(int64(len(userCodeAlphabet)))
	for i := range 8 {
		if i == 4 {
			b.WriteByte('-')
		}
		x, _ := rand.Int(rand.Reader, n) // crypto/rand never fails
		b.WriteByte(userCodeAlphabet[x.Int64()])
	}
	return b.String()
}

// normalizeUserCode upper-cases, drops separators and re-inserts the dash.
func normalizeUserCode(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if r >= 'A' && r <= 'Z' {
			b.WriteRune(r)
		}
	}
	c := b.String()
	if len(c) == 8 {
		return c[:4] + "-" + c[4:]
	}
	return c
}
