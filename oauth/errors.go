package oauth

import (
	"errors"
	"fmt"
)

// ErrLoginFailed is matched (errors.Is) by every *LoginError: an
// interactive login that ran and failed (exit 4 in the command line).
var ErrLoginFailed = errors.New("login failed")

// ErrLoginRequired is matched (errors.Is) by every *LoginRequiredError.
var ErrLoginRequired = errors.New("login required")

// ErrNoDeviceClient is returned (wrapped) when the device flow is asked for
// but no device client id is configured: a configuration problem, not a
// failed login.
var ErrNoDeviceClient = errors.New("no device client id configured")

// ErrBadRedirectURI is wrapped by the error of a browser login whose
// redirect URI (AIGNOSTICS_REDIRECT_URI) is not an http loopback URL with a
// port: a configuration problem, found before anything is contacted.
var ErrBadRedirectURI = errors.New("redirect URI")

// ErrPortInUse is wrapped by the error of a browser login whose loopback
// redirect port stayed busy through every retry.
var ErrPortInUse = errors.New("the port is still in use")

// LoginRequiredError says that no usable token exists and no interactive
// login may be started; Hint names the command to run.
type LoginRequiredError struct {
	Hint   string
	Reason string // why, e.g. "no cached token"; never a secret
}

func (e *LoginRequiredError) Error() string {
	msg := "not logged in"
	if e.Reason != "" {
		msg = e.Reason
	}
	if e.Hint != "" {
		return fmt.Sprintf("%s: run '%s'", msg, e.Hint)
	}
	return msg
}

// Is makes errors.Is(err, ErrLoginRequired) true.
func (e *LoginRequiredError) Is(target error) bool { return target == ErrLoginRequired }

// TokenError is an OAuth error answer (RFC 6749 section 5.2, RFC 8628
// section 3.5) from the authorization server.
type TokenError struct {
	Endpoint    string // "token" or "device authorization"
	StatusCode  int
	Code        string // e.g. invalid_grant, access_denied
	Description string
}

func (e *TokenError) Error() string {
	s := fmt.Sprintf("%s endpoint answered %d", e.Endpoint, e.StatusCode)
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Description != "" {
		s += ": " + e.Description
	}
	return s
}

// LoginError is a failed interactive login (denied, expired, timed out,
// state mismatch); commands report it as an authentication failure.
type LoginError struct {
	Flow string // "browser" or "device"
	Err  error
}

func (e *LoginError) Error() string {
	if e.Flow == "" || e.Flow == "login" {
		return fmt.Sprintf("login: %v", e.Err)
	}
	return fmt.Sprintf("%s login: %v", e.Flow, e.Err)
}
func (e *LoginError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrLoginFailed) true.
func (e *LoginError) Is(target error) bool { return target == ErrLoginFailed }
