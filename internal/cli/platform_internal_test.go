package cli

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/jwt"
	"github.com/aignostics/aignostics/resources"
)

func TestCheckHealth(t *testing.T) {
	t.Parallel()
	hc, err := httpx.New(httpx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		status int
		body   string
		want   healthStatus
	}{
		{"up", 200, `{"status":"UP"}`, healthStatus{Status: "UP"}},
		{"degraded", 200, `{"status":"DEGRADED","reason":"slow queue"}`, healthStatus{Status: "DEGRADED", Reason: "slow queue"}},
		{"degraded without reason", 200, `{"status":"DEGRADED"}`, healthStatus{Status: "DEGRADED", Reason: "Aignostics Platform API is DEGRADED"}},
		{"down with reason", 503, `{"status":"DOWN","reason":"maintenance"}`, healthStatus{Status: "DOWN", Reason: "Aignostics Platform API returned status '503': maintenance"}},
		{"not json", 200, `<html>`, healthStatus{Status: "DOWN", Reason: "Aignostics Platform API returned unparseable response"}},
		{"unknown status", 200, `{"status":"MEH"}`, healthStatus{Status: "DOWN", Reason: "Aignostics Platform API returned unknown status 'MEH'"}},
		{"404", 404, ``, healthStatus{Status: "DOWN", Reason: "Aignostics Platform API returned status '404'"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var gotAuth string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				gotAuth = r.Header.Get("Authorization")
				w.WriteHeader(tc.status)
				w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			got := checkHealth(context.Background(), hc, srv.URL+"/health", "tok")
			if got != tc.want {
				t.Errorf("checkHealth = %+v, want %+v", got, tc.want)
			}
			if gotAuth != "Bearer tok" {
				t.Errorf("Authorization = %q", gotAuth)
			}
		})
	}
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	if got := checkHealth(context.Background(), hc, srv.URL+"/health", ""); got.Status != "DOWN" {
		t.Errorf("unreachable = %+v", got)
	}
}

func TestMaskMe(t *testing.T) {
	t.Parallel()
	email := "a@b.example"
	u := resources.UserReadResponse{ID: "u", Email: &email}
	o := resources.OrganizationReadResponse{ID: "o", AignosticsBucketHMACAccessKeyID: "AKID",
		AignosticsBucketHMACSecretAccessKey: "0123456789", AignosticsLogfireToken: "lf", AignosticsSentryDSN: ""}
	maskMe(&u, &o)
	if *u.Email != "***MASKED(11)***" || o.AignosticsBucketHMACSecretAccessKey != "***MASKED(10)***" ||
		o.AignosticsLogfireToken != "***MASKED(2)***" || o.AignosticsSentryDSN != "" || o.AignosticsBucketHMACAccessKeyID != "AKID" {
		t.Errorf("masked: %+v %+v", *u.Email, o)
	}
	if email != "a@b.example" {
		t.Error("the caller's string was changed")
	}
}

func TestNewTokenInfoMissingClaims(t *testing.T) {
	t.Parallel()
	now := time.Unix(1000, 0)
	ti := newTokenInfo(&jwt.Claims{}, now)
	f := whoamiFields(userInfo{Token: ti})
	for _, fl := range f {
		if fl.Key == "token issuer" || fl.Key == "token scope" || fl.Key == "token org id" || fl.Key == "role" {
			if fl.Value != "n/a" {
				t.Errorf("%s = %q, want n/a", fl.Key, fl.Value)
			}
		}
	}
	c := &jwt.Claims{Issuer: "https://i/", Audience: jwt.Audience{"https://a/api"}, ExpiresAt: 1600, IssuedAt: 900, Scope: "a b",
		Raw: map[string]json.RawMessage{"https://a/api/role": json.RawMessage(`"admin"`)}}
	ti = newTokenInfo(c, now)
	if ti.Role == nil || *ti.Role != "admin" || *ti.ExpiresIn != 600 || len(ti.Scope) != 2 || *ti.Issuer != "https://i/" {
		t.Errorf("token info = %+v", ti)
	}
}

// FuzzHealthFrom: a /health body is untrusted input; the mapping never
// panics, always yields a known state, and only 200 can be UP or DEGRADED.
func FuzzHealthFrom(f *testing.F) {
	f.Add(200, []byte(`{"status":"UP"}`))
	f.Add(200, []byte(`{"status":"DEGRADED","reason":"x"}`))
	f.Add(503, []byte(`{"status":"DOWN","reason":"y"}`))
	f.Add(200, []byte(`[`))
	f.Fuzz(func(t *testing.T, code int, body []byte) {
		h := healthFrom(code, body)
		switch h.Status {
		case healthUp, healthDegraded:
			if code != 200 {
				t.Fatalf("status %d gave %s", code, h.Status)
			}
		case healthDown:
			if h.Reason == "" {
				t.Fatal("DOWN without a reason")
			}
		default:
			t.Fatalf("unknown state %q", h.Status)
		}
	})
}
