package oauth

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"time"

	"github.com/aignostics/aignostics/internal/retry"
	"github.com/aignostics/aignostics/internal/termtext"
)

const (
	deviceGrantType       = "urn:ietf:params:oauth:grant-type:device_code"
	defaultDeviceInterval = 5 * time.Second
	slowDownStep          = 5 * time.Second
	// Whatever the server sends, polls are at least minDeviceInterval and
	// at most maxDeviceInterval apart, and a code is waited for at most
	// maxDeviceLifetime (default defaultDeviceLifetime).
	minDeviceInterval     = time.Second
	maxDeviceInterval     = time.Minute
	defaultDeviceLifetime = 15 * time.Minute
	maxDeviceLifetime     = 30 * time.Minute
)

// deviceFlow is the Device Authorization Grant (RFC 8628).
type deviceFlow struct{ m *Manager }

func (d *deviceFlow) clientID() string { return d.m.c.ClientIDDevice }

// deviceCode is the device authorization answer (RFC 8628 section 3.2).
type deviceCode struct {
	DeviceCode              string `json:"device_code"`
	UserCode                string `json:"user_code"`
	VerificationURI         string `json:"verification_uri"`
	VerificationURL         string `json:"verification_url"` // Google's spelling
	VerificationURIComplete string `json:"verification_uri_complete"`
	ExpiresIn               any    `json:"expires_in"`
	Interval                any    `json:"interval"`
}

// seconds reads a JSON number (or numeric string) of seconds: 0 when it is
// missing, not a positive finite number, or beyond a day (which the
// callers' bounds cap anyway).
func seconds(v any) time.Duration {
	var f float64
	switch x := v.(type) {
	case float64:
		f = x
	case string:
		f, _ = strconv.ParseFloat(x, 64)
	}
	if !(f > 0) || math.IsInf(f, 0) {
		return 0
	}
	return time.Duration(min(f, 86400) * float64(time.Second))
}

// bounded is d within [lo, hi], or def when d is 0.
func bounded(d, def, lo, hi time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return min(max(d, lo), hi)
}

// deviceCodeRetries is how many times a failed device authorization request
// is tried again.
const deviceCodeRetries = 3

// obtain asks for a device code, shows it on stderr and polls the token
// endpoint until the user approves, denies, or the code expires.
func (d *deviceFlow) obtain(ctx context.Context) (*tokenResponse, error) {
	c := &d.m.c
	form := url.Values{"client_id": {c.ClientIDDevice}, "scope": {d.m.scope()}}
	if c.Audience != "" {
		form.Set("audience", c.Audience)
	}
	var dc deviceCode
	// Asking for a device code is safe to repeat (an unused code just
	// expires), so a lost or failed answer is retried with backoff.
	err := d.m.policy(deviceCodeRetries).Do(ctx, func(ctx context.Context, _ int) error {
		_, err := postForm(ctx, c.HTTPClient, "device authorization", c.DeviceURL, form, &dc)
		if retryable(err) {
			return retry.Retryable(err)
		}
		return err
	})
	if err != nil {
		return nil, &LoginError{Flow: "device", Err: err}
	}
	if dc.DeviceCode == "" || dc.UserCode == "" {
		return nil, &LoginError{Flow: "device", Err: errors.New("the device authorization answer lacks device_code or user_code")}
	}
	verify := dc.VerificationURI
	if verify == "" {
		verify = dc.VerificationURL
	}
	// The code and the URL are the server's strings: shown with any
	// terminal control characters escaped.
	if dc.VerificationURIComplete != "" {
		fmt.Fprintf(c.Stderr, "To log in, open %s\nand check that it shows the code %s\n", termtext.Line(dc.VerificationURIComplete), termtext.Line(dc.UserCode))
	} else {
		fmt.Fprintf(c.Stderr, "To log in, open %s\nand enter the code %s\n", termtext.Line(verify), termtext.Line(dc.UserCode))
	}
	fmt.Fprintln(c.Stderr, "Waiting for approval...")

	interval := bounded(seconds(dc.Interval), defaultDeviceInterval, minDeviceInterval, maxDeviceInterval)
	lifetime := bounded(seconds(dc.ExpiresIn), defaultDeviceLifetime, time.Second, maxDeviceLifetime)
	start := c.Clock.Now()
	var waited time.Duration
	poll := url.Values{"grant_type": {deviceGrantType}, "device_code": {dc.DeviceCode}, "client_id": {c.ClientIDDevice}}
	netFailures := 0
	for {
		if waited >= lifetime || c.Clock.Now().Sub(start) >= lifetime {
			return nil, &LoginError{Flow: "device", Err: errors.New("the device code expired before it was approved; run login again")}
		}
		// The last poll comes when the code expires, not an interval later.
		wait := min(interval, lifetime-waited)
		if err := c.Clock.Sleep(ctx, wait); err != nil {
			return nil, &LoginError{Flow: "device", Err: err}
		}
		waited += wait
		var tr tokenResponse
		serverInterval, err := postForm(ctx, c.HTTPClient, "token", c.TokenURL, poll, &tr)
		if err == nil {
			if tr.AccessToken == "" {
				return nil, &LoginError{Flow: "device", Err: errors.New("the token endpoint answered without an access_token")}
			}
			return &tr, nil
		}
		var te *TokenError
		switch {
		case errors.As(err, &te) && te.Code == "authorization_pending":
			continue
		case errors.As(err, &te) && te.Code == "slow_down":
			if serverInterval > interval {
				interval = serverInterval
			} else {
				interval += slowDownStep
			}
			interval = min(interval, maxDeviceInterval)
			continue
		case errors.As(err, &te) && te.Code == "expired_token":
			return nil, &LoginError{Flow: "device", Err: errors.New("the device code expired before it was approved; run login again")}
		case errors.As(err, &te) && te.Code == "access_denied":
			return nil, &LoginError{Flow: "device", Err: errors.New("the login was denied")}
		case retryable(err):
			if ctx.Err() != nil {
				return nil, &LoginError{Flow: "device", Err: ctx.Err()}
			}
			netFailures++
			if netFailures == 1 {
				fmt.Fprintf(c.Stderr, "Polling failed (%v); still waiting...\n", err)
			}
			continue
		default:
			return nil, &LoginError{Flow: "device", Err: err}
		}
	}
}
