package plugins

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestFuncSource(t *testing.T) {
	calls := 0
	tokens := []string{"tok-1", "tok-2", "bad token", ""}
	s := FuncSource(func(ctx context.Context) (string, error) {
		calls++
		return tokens[calls-1], nil
	})
	ctx := context.Background()
	if got, err := s.Token(ctx); err != nil || got != "tok-1" {
		t.Fatalf("Token = %q, %v; want tok-1", got, err)
	}
	s.Invalidate("tok-1")
	if got, err := s.Token(ctx); err != nil || got != "tok-2" || calls != 2 {
		t.Fatalf("Token after Invalidate = %q, %v after %d calls; want tok-2 after 2", got, err, calls)
	}
	for _, want := range []string{"blank", "empty"} {
		_, err := s.Token(ctx)
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "bad token") {
			t.Errorf("Token = %v, want an error saying %q without the token", err, want)
		}
	}
}

func TestFuncSourceErrors(t *testing.T) {
	cause := errors.New("vault sealed")
	s := FuncSource(func(ctx context.Context) (string, error) { return "", cause })
	if _, err := s.Token(context.Background()); !errors.Is(err, cause) {
		t.Errorf("Token = %v, want it to wrap the function's error", err)
	}
	if _, err := FuncSource(nil).Token(context.Background()); err == nil {
		t.Error("FuncSource(nil).Token: no error")
	}
}
