package emulator

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// startDevice requests a device code and returns the decoded answer.
func startDevice(t *testing.T, e *Emulator) map[string]any {
	t.Helper()
	status, d := postForm(t, e.URL()+"/oauth/device/code", url.Values{"client_id": {ClientIDDevice}, "scope": {"openid offline_access"}})
	if status != http.StatusOK {
		t.Fatalf("device code: %d %v", status, d)
	}
	return d
}

func poll(t *testing.T, e *Emulator, code string) (int, map[string]any) {
	t.Helper()
	return postForm(t, e.URL()+"/oauth/token", url.Values{"grant_type": {deviceGrantType}, "client_id": {ClientIDDevice}, "device_code": {code}})
}

func TestDeviceCodeAnswer(t *testing.T) {
	e := startTest(t, Options{})
	d := startDevice(t, e)
	if !regexp.MustCompile(`^[B-DF-HJ-NP-TV-XZ]{4}-[B-DF-HJ-NP-TV-XZ]{4}$`).MatchString(str(d, "user_code")) {
		t.Errorf("user_code %q", str(d, "user_code"))
	}
	if str(d, "verification_uri") != e.URL()+"/activate" ||
		str(d, "verification_uri_complete") != e.URL()+"/activate?user_code="+str(d, "user_code") ||
		d["expires_in"] != float64(600) || d["interval"] != float64(1) || len(str(d, "device_code")) < 32 {
		t.Errorf("device answer %v", d)
	}
	for client, want := range map[string]struct {
		status int
		code   string
	}{ClientIDInteractive: {400, "unauthorized_client"}, "nobody": {401, "invalid_client"}} {
		status, body := postForm(t, e.URL()+"/oauth/device/code", url.Values{"client_id": {client}})
		if status != want.status || str(body, "error") != want.code {
			t.Errorf("client %s: %d %v", client, status, body)
		}
	}
	status, body := postForm(t, e.URL()+"/oauth/device/code", url.Values{"client_id": {ClientIDDevice}, "scope": {"root"}})
	if status != http.StatusBadRequest || str(body, "error") != "invalid_scope" {
		t.Errorf("bad scope: %d %v", status, body)
	}
}

func TestDeviceAutoApprovalPendingSlowDownToken(t *testing.T) {
	e, clock := startClocked(t, Options{})
	code := str(startDevice(t, e), "device_code")
	steps := []struct {
		advance time.Duration
		status  int
		err     string
	}{
		{0, 400, "authorization_pending"},
		{0, 400, "slow_down"},                      // polled again at once
		{500 * time.Millisecond, 400, "slow_down"}, // still faster than the interval
		{time.Second, 200, ""},                     // approved on the next regular poll
		{time.Second, 400, "invalid_grant"},        // a used device code is gone
	}
	for i, s := range steps {
		clock.Advance(s.advance)
		status, body := poll(t, e, code)
		if status != s.status || str(body, "error") != s.err {
			t.Fatalf("poll %d: %d %v, want %d %q", i, status, body, s.status, s.err)
		}
		if s.status == 200 && (str(body, "access_token") == "" || str(body, "refresh_token") == "") {
			t.Fatalf("token answer %v", keys(body))
		}
	}
	if e.Count("grant:device_code") != 1 {
		t.Errorf("device grants %d", e.Count("grant:device_code"))
	}
}

func TestDeviceExpiredAndBadPolls(t *testing.T) {
	e, clock := startClocked(t, Options{DeviceApproval: "manual"})
	code := str(startDevice(t, e), "device_code")
	clock.Advance(601 * time.Second)
	if status, body := poll(t, e, code); status != 400 || str(body, "error") != "expired_token" {
		t.Errorf("expired: %d %v", status, body)
	}
	for name, v := range map[string]url.Values{
		"missing code": {"grant_type": {deviceGrantType}, "client_id": {ClientIDDevice}},
		"unknown code": {"grant_type": {deviceGrantType}, "client_id": {ClientIDDevice}, "device_code": {"zzz"}},
		"other client": {"grant_type": {deviceGrantType}, "client_id": {ClientIDInteractive}, "device_code": {code}},
	} {
		status, body := postForm(t, e.URL()+"/oauth/token", v)
		want := "invalid_grant"
		if name == "missing code" {
			want = "invalid_request"
		}
		if status != 400 || str(body, "error") != want {
			t.Errorf("%s: %d %v, want %s", name, status, body, want)
		}
	}
}

// activate posts the verification form.
func activate(t *testing.T, e *Emulator, userCode, decision string) (int, string) {
	t.Helper()
	v := url.Values{"user_code": {userCode}}
	if decision != "" {
		v.Set("decision", decision)
	}
	req, _ := http.NewRequest(http.MethodPost, e.URL()+"/activate", strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	status, _, body := do(t, req)
	return status, string(body)
}

func TestDeviceManualApprovalAndDenial(t *testing.T) {
	e, clock := startClocked(t, Options{DeviceApproval: "manual"})
	d := startDevice(t, e)
	code, uc := str(d, "device_code"), str(d, "user_code")
	for range 3 { // manual: pending however often the client polls
		if status, body := poll(t, e, code); status != 400 || str(body, "error") != "authorization_pending" {
			t.Fatalf("pending: %d %v", status, body)
		}
		clock.Advance(time.Second)
	}
	// The verification page: the entry form, then the decision for the code.
	status, _, body := get(t, e.URL()+"/activate")
	if status != 200 || !strings.Contains(string(body), `name="user_code"`) {
		t.Errorf("activate form: %d", status)
	}
	status, _, body = get(t, str(d, "verification_uri_complete"))
	if status != 200 || !strings.Contains(string(body), uc) || !strings.Contains(string(body), `value="approve"`) {
		t.Errorf("activate with code: %d %s", status, body)
	}
	// A lower-case code without the dash is found too.
	if status, page := activate(t, e, strings.ToLower(strings.ReplaceAll(uc, "-", "")), ""); status != 200 || !strings.Contains(page, `value="approve"`) {
		t.Errorf("normalised code: %d", status)
	}
	if status, _ := activate(t, e, "BBBB-BBBB", "approve"); status != http.StatusBadRequest {
		t.Errorf("unknown code: %d", status)
	}
	if status, _ := activate(t, e, uc, "approve"); status != 200 {
		t.Fatalf("approve: %d", status)
	}
	if status, body := poll(t, e, code); status != 200 || str(body, "access_token") == "" {
		t.Errorf("after approval: %d %v", status, body)
	}

	d = startDevice(t, e)
	if status, _ := activate(t, e, str(d, "user_code"), "deny"); status != 200 {
		t.Fatalf("deny: %d", status)
	}
	if status, body := poll(t, e, str(d, "device_code")); status != 400 || str(body, "error") != "access_denied" {
		t.Errorf("after denial: %d %v", status, body)
	}
	if status, _ := activate(t, e, str(d, "user_code"), "approve"); status != http.StatusBadRequest {
		t.Errorf("approving a denied code: %d", status)
	}
}
