package httpx

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Token is an access token and when it expires (zero when unknown).
type Token struct {
	AccessToken string
	ExpiresAt   time.Time
}

// TokenSource gives access tokens for the API.
type TokenSource interface {
	// Token returns a valid access token; it may ask a person (a login).
	Token(ctx context.Context) (Token, error)
	// Invalidate reports that the API answered 401 to token: the next Token
	// call must not return it.
	Invalidate(token string)
}

// CurrentSource is a TokenSource that can give its current token without
// asking a person: from its cache, refreshed when needed, but never by
// starting a login.
type CurrentSource interface {
	TokenSource
	// Current returns a valid token without starting a login.
	Current(ctx context.Context) (Token, error)
}

// CurrentToken returns the token of ts that needs no person: Current when
// ts is a CurrentSource, else Token.
func CurrentToken(ctx context.Context, ts TokenSource) (Token, error) {
	if cs, ok := ts.(CurrentSource); ok {
		return cs.Current(ctx)
	}
	return ts.Token(ctx)
}

// StaticToken is a TokenSource that always gives the same token, e.g. one
// taken from the environment. Invalidate does nothing: there is no other.
type StaticToken string

// Token returns the token, or an error when it cannot be sent (see CheckToken).
func (s StaticToken) Token(context.Context) (Token, error) {
	if err := CheckToken(string(s)); err != nil {
		return Token{}, fmt.Errorf("static token: %w", err)
	}
	return Token{AccessToken: string(s)}, nil
}

// Invalidate does nothing.
func (StaticToken) Invalidate(string) {}

// TokenFunc adapts a function to a TokenSource (the Python SDK's
// token_provider callable): it is called for every request and nothing is
// cached, so after Invalidate the next Token calls it again; it may cache
// itself. A token it returns is checked (CheckToken): an unusable one is an
// error, never sent.
type TokenFunc func(ctx context.Context) (string, error)

// Token calls the function and checks what it returned.
func (f TokenFunc) Token(ctx context.Context) (Token, error) {
	if f == nil {
		return Token{}, errors.New("token function: none given")
	}
	tok, err := f(ctx)
	if err != nil {
		return Token{}, fmt.Errorf("token function: %w", err)
	}
	if err := CheckToken(tok); err != nil {
		return Token{}, fmt.Errorf("token function returned an unusable token: %w", err)
	}
	return Token{AccessToken: tok}, nil
}

// Invalidate does nothing: the next Token calls the function again.
func (TokenFunc) Invalidate(string) {}

// CheckToken says why tok cannot be sent as a bearer token: empty, holding
// a blank or a line break, or a byte outside printable ASCII.
func CheckToken(tok string) error {
	switch {
	case tok == "":
		return errors.New("the token is empty")
	case strings.ContainsAny(tok, " \t"):
		return errors.New("the token contains a blank (more than one word?)")
	case strings.ContainsAny(tok, "\r\n"):
		return errors.New("the token spans more than one line")
	}
	for i := 0; i < len(tok); i++ {
		if c := tok[i]; c < 0x21 || c > 0x7e {
			return fmt.Errorf("the token contains byte 0x%02x at offset %d (control or non-ASCII)", c, i)
		}
	}
	return nil
}
