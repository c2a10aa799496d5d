package plugins

import (
	"context"
	"errors"
	"fmt"
)

// FuncTokenSource adapts a function to httpx.TokenSource; see FuncSource.
type FuncTokenSource struct {
	f func(ctx context.Context) (string, error)
}

// FuncSource makes f a token source for the library (the Python SDK's
// token_provider callable): f is called for every token, nothing is
// cached, so after Invalidate the next Token calls f again. f may cache
// itself. A token f returns is checked like a provider's output: empty or
// holding a blank or control character is an error, never sent.
func FuncSource(f func(ctx context.Context) (string, error)) *FuncTokenSource {
	return &FuncTokenSource{f: f}
}

// Token calls the function and checks what it returned.
func (s *FuncTokenSource) Token(ctx context.Context) (string, error) {
	if s.f == nil {
		return "", errors.New("token function: none given")
	}
	tok, err := s.f(ctx)
	if err != nil {
		return "", fmt.Errorf("token function: %w", err)
	}
	if err := checkToken(tok); err != nil {
		return "", fmt.Errorf("token function returned an unusable token: %w", err)
	}
	return tok, nil
}

// Invalidate does nothing: no token is cached, the next Token calls the
// function again.
func (s *FuncTokenSource) Invalidate(token string) {}
