package httpx

import (
	"errors"
	"fmt"
	"net/http"
)

// Sentinel errors that an *APIError matches with errors.Is, by status code.
var (
	ErrNotFound     = errors.New("not found")       // 404
	ErrForbidden    = errors.New("forbidden")       // 403
	ErrInvalid      = errors.New("invalid request") // 400, 422
	ErrUnauthorized = errors.New("unauthorized")    // 401
	ErrConflict     = errors.New("conflict")        // 409, 412
	ErrGone         = errors.New("gone")            // 410
	ErrServer       = errors.New("server error")    // 5xx
	ErrRateLimited  = errors.New("rate limited")    // 429
	// ErrMaybeSent is matched by the error of a POST, PUT, PATCH or DELETE
	// that reached the server without an answer: it may have taken effect.
	ErrMaybeSent = errors.New("the request may have reached the server")
)

// APIError is an answer of the API with a status of 400 or more.
type APIError struct {
	Method     string
	URL        string // redacted
	StatusCode int
	Message    string // the server's message (FastAPI detail), redacted
}

// Error returns "METHOD url: 404 Not Found: message".
func (e *APIError) Error() string {
	status := fmt.Sprintf("%d %s", e.StatusCode, http.StatusText(e.StatusCode))
	if e.Message == "" || e.Message == http.StatusText(e.StatusCode) {
		return fmt.Sprintf("%s %s: %s", e.Method, e.URL, status)
	}
	return fmt.Sprintf("%s %s: %s: %s", e.Method, e.URL, status, e.Message)
}

// Is matches the sentinel errors by status code.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrInvalid:
		return e.StatusCode == http.StatusBadRequest || e.StatusCode == http.StatusUnprocessableEntity
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrConflict:
		return e.StatusCode == http.StatusConflict || e.StatusCode == http.StatusPreconditionFailed
	case ErrGone:
		return e.StatusCode == http.StatusGone
	case ErrServer:
		return e.StatusCode >= 500
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	}
	return false
}

// RequestError is a request that got no HTTP answer: a network error, a
// timeout, a cancelled context, or an unreadable body.
type RequestError struct {
	Method, URL string // URL redacted
	Err         error
	MaybeSent   bool // a non-idempotent request reached the server: it may have taken effect
}

// Error names the request and the cause, with secrets redacted.
func (e *RequestError) Error() string {
	s := fmt.Sprintf("%s %s: %v", e.Method, e.URL, e.Err)
	if e.MaybeSent {
		s += " (" + ErrMaybeSent.Error() + ")"
	}
	return Redact(s)
}

// Unwrap returns the cause.
func (e *RequestError) Unwrap() error { return e.Err }

// Is matches ErrMaybeSent when the request may have taken effect.
func (e *RequestError) Is(target error) bool { return target == ErrMaybeSent && e.MaybeSent }

// Timeout reports whether the cause is a timeout.
func (e *RequestError) Timeout() bool { return isTimeout(e.Err) }

// isTimeout reports whether err or a cause says it is a timeout.
func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}
