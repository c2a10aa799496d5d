package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/oauth"
)

// Health states, worst last.
const (
	healthUp       = "UP"
	healthDegraded = "DEGRADED"
	healthDown     = "DOWN"
)

// PlatformHealthCmd is `platform health`.
type PlatformHealthCmd struct{}

// healthStatus is one component's (or the overall) state.
type healthStatus struct {
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

// healthReport is the JSON form of `platform health`.
type healthReport struct {
	Status     string                  `json:"status"`
	Reason     string                  `json:"reason,omitempty"`
	Components map[string]healthStatus `json:"components"`
}

// Run checks GET {api_root}/health without and with a token; exit 1 when DOWN.
func (c *PlatformHealthCmd) Run(ctx context.Context, f *Factory) error {
	s, err := f.Settings()
	if err != nil {
		return err
	}
	r, err := platformHealth(ctx, f)
	if err != nil {
		return err
	}
	public, authed := r.Components["api_public"], r.Components["api_authenticated"]
	err = f.Output().Object(r, []Field{
		{"status", withReason(healthStatus{Status: r.Status})},
		{"api_public", withReason(public)},
		{"api_authenticated", withReason(authed)},
	})
	if err != nil {
		return err
	}
	if public.Status != healthDown && authed.Reason == reasonNotLoggedIn {
		// Not the platform's fault: say what the user can do (exit 4).
		return cliErrorf(KindAuth, "not logged in: the public API is %s; run '%s' to check the authenticated API too", public.Status, f.loginCommand(s))
	}
	if r.Status == healthDown {
		return cliErrorf(KindServer, "the platform is DOWN: %s", r.Reason)
	}
	return nil
}

// platformHealth checks GET {api_root}/health without and with a token (the
// check of `platform health`, and of `runs submit` before it sends).
func platformHealth(ctx context.Context, f *Factory) (healthReport, error) {
	s, err := f.Settings()
	if err != nil {
		return healthReport{}, err
	}
	plain, err := f.PlainHTTP()
	if err != nil {
		return healthReport{}, err
	}
	url := s.APIRoot + "/health"
	public := checkHealth(ctx, plain, url, "")
	authed := authenticatedHealth(ctx, f, plain, url)
	if err := ctx.Err(); err != nil {
		// Interrupted: the cancelled requests say nothing of the platform.
		return healthReport{}, err
	}
	r := healthReport{Status: healthUp, Components: map[string]healthStatus{"api_public": public, "api_authenticated": authed}}
	for _, name := range []string{"api_public", "api_authenticated"} {
		cs := r.Components[name]
		if rank(cs.Status) > rank(r.Status) {
			r.Status, r.Reason = cs.Status, name+": "+cs.Reason
		}
	}
	return r, nil
}

// reasonNotLoggedIn is the authenticated component's reason without a token.
const reasonNotLoggedIn = "not logged in"

func rank(status string) int {
	switch status {
	case healthUp:
		return 0
	case healthDegraded:
		return 1
	}
	return 2
}

func withReason(h healthStatus) string {
	if h.Reason == "" {
		return h.Status
	}
	return h.Status + " (" + h.Reason + ")"
}

// authenticatedHealth checks url with a token. A 401 is answered as every
// API request answers it: the token is invalidated and the check runs once
// more with a fresh one (refreshed, never a new login).
func authenticatedHealth(ctx context.Context, f *Factory, hc *httpx.Client, url string) healthStatus {
	token, err := healthToken(ctx, f)
	if err != nil {
		if errors.Is(err, oauth.ErrLoginRequired) {
			return healthStatus{Status: healthDown, Reason: reasonNotLoggedIn}
		}
		return healthStatus{Status: healthDown, Reason: "no token: " + httpx.Redact(err.Error())}
	}
	h, code := checkHealthCode(ctx, hc, url, token)
	if code != http.StatusUnauthorized {
		return h
	}
	ts, err := f.TokenSource()
	if err != nil {
		return h
	}
	ts.Invalidate(token)
	if fresh, err := healthToken(ctx, f); err == nil && fresh != token {
		h, _ = checkHealthCode(ctx, hc, url, fresh)
	}
	return h
}

// healthToken returns a token without starting a login: the cached or
// refreshed one, or the external provider's.
func healthToken(ctx context.Context, f *Factory) (string, error) {
	ts, err := f.TokenSource()
	if err != nil {
		return "", err
	}
	t, err := httpx.CurrentToken(ctx, ts)
	return t.AccessToken, err
}

// checkHealth GETs url once (no retries: the answer is the state) and maps
// the answer as the Python SDK does.
func checkHealth(ctx context.Context, hc *httpx.Client, url, token string) healthStatus {
	h, _ := checkHealthCode(ctx, hc, url, token)
	return h
}

// checkHealthCode is checkHealth that also returns the HTTP status (0 when
// there was no answer). The answer must arrive whole within hc's answer
// deadline, as every API answer: a server dribbling its body would
// otherwise hold platform health, and runs submit before it sends, forever.
func checkHealthCode(ctx context.Context, hc *httpx.Client, url, token string) (healthStatus, int) {
	ctx, end := hc.AnswerContext(ctx)
	h, code := checkHealthOnce(ctx, hc.HTTP(), url, token)
	if err := end(); err != nil {
		return healthStatus{Status: healthDown, Reason: "Aignostics Platform API unreachable: " + err.Error()}, 0
	}
	return h, code
}

// checkHealthOnce is one GET of url and the mapping of its answer.
func checkHealthOnce(ctx context.Context, hc *http.Client, url, token string) (healthStatus, int) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return healthStatus{Status: healthDown, Reason: fmt.Sprintf("build request: %v", err)}, 0
	}
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return healthStatus{Status: healthDown, Reason: "Aignostics Platform API unreachable: " + httpx.Redact(err.Error())}, 0
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		body = nil
	}
	return healthFrom(resp.StatusCode, body), resp.StatusCode
}

// healthFrom maps a /health answer: 200 UP is UP, 200 DEGRADED is
// DEGRADED (with the body's reason), anything else DOWN with the reason.
func healthFrom(code int, body []byte) healthStatus {
	var v struct {
		Status string `json:"status"`
		Reason string `json:"reason"`
	}
	parsed := body != nil && json.Unmarshal(body, &v) == nil
	switch {
	case code != http.StatusOK:
		reason := fmt.Sprintf("Aignostics Platform API returned status '%d'", code)
		if parsed && v.Reason != "" {
			reason += ": " + oneLine(v.Reason)
		}
		return healthStatus{Status: healthDown, Reason: reason}
	case !parsed:
		return healthStatus{Status: healthDown, Reason: "Aignostics Platform API returned unparseable response"}
	case v.Status == healthUp:
		return healthStatus{Status: healthUp}
	case v.Status == healthDegraded:
		if v.Reason == "" {
			v.Reason = "Aignostics Platform API is DEGRADED"
		}
		return healthStatus{Status: healthDegraded, Reason: oneLine(v.Reason)}
	default:
		return healthStatus{Status: healthDown, Reason: fmt.Sprintf("Aignostics Platform API returned unknown status '%s'", oneLine(v.Status))}
	}
}
