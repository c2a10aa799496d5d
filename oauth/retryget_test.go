package oauth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// TestDeviceLoginSurvivesTransientFailures: the device authorization request
// and the JWKS fetch are retried with backoff after a reset or a 503, so one
// lost answer does not fail the login.
func TestDeviceLoginSurvivesTransientFailures(t *testing.T) {
	tests := []struct {
		name                  string
		deviceFails, jwksFail int
		wantErr               bool
		wantSleeps            []time.Duration
	}{
		{name: "device code reset once, JWKS 503 twice", deviceFails: 1, jwksFail: 2,
			wantSleeps: []time.Duration{-3 * time.Second, time.Second, -3 * time.Second, -6 * time.Second}},
		{name: "JWKS down for good", jwksFail: 100, wantErr: true},
		{name: "device code endpoint down for good", deviceFails: 100, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := newClock()
			f := newFakeAS(t, clk)
			inner := f.srv.Config.Handler
			var mu sync.Mutex
			deviceFails, jwksFails := tc.deviceFails, tc.jwksFail
			flaky := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				fail := false
				switch r.URL.Path {
				case "/oauth/device/code":
					fail, deviceFails = deviceFails > 0, deviceFails-1
					if fail {
						mu.Unlock()
						conn, _, err := w.(http.Hijacker).Hijack()
						if err == nil {
							conn.Close()
						}
						return
					}
				case "/.well-known/jwks.json":
					fail, jwksFails = jwksFails > 0, jwksFails-1
				}
				mu.Unlock()
				if fail {
					http.Error(w, "unavailable", http.StatusServiceUnavailable)
					return
				}
				inner.ServeHTTP(w, r)
			}))
			t.Cleanup(flaky.Close)
			c := f.config(t.TempDir())
			c.DeviceURL, c.TokenURL, c.JWKSURL = flaky.URL+"/oauth/device/code", flaky.URL+"/oauth/token", flaky.URL+"/.well-known/jwks.json"
			c.Stderr = newSyncBuffer()
			_, _, err := NewManager(c).Login(context.Background(), LoginOptions{Device: true})
			if tc.wantErr {
				if err == nil {
					t.Fatal("Login succeeded against an endpoint that is down")
				}
				return
			}
			if err != nil {
				t.Fatalf("Login: %v", err)
			}
			if got := clk.Slept(); !sleepsMatch(got, tc.wantSleeps) {
				t.Errorf("sleeps = %v, want %v", got, tc.wantSleeps)
			}
		})
	}
}
