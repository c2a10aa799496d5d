package httpx

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// Every token source of this package is one.
var (
	_ TokenSource = StaticToken("")
	_ TokenSource = TokenFunc(nil)
)

func TestTokenFunc(t *testing.T) {
	calls := 0
	tokens := []string{"tok-1", "tok-2", "bad token", ""}
	s := TokenFunc(func(ctx context.Context) (string, error) {
		calls++
		return tokens[calls-1], nil
	})
	ctx := context.Background()
	if got, err := s.Token(ctx); err != nil || got.AccessToken != "tok-1" || !got.ExpiresAt.IsZero() {
		t.Fatalf("Token = %+v, %v; want tok-1 without expiry", got, err)
	}
	s.Invalidate("tok-1")
	if got, err := s.Token(ctx); err != nil || got.AccessToken != "tok-2" || calls != 2 {
		t.Fatalf("Token after Invalidate = %q, %v after %d calls; want tok-2 after 2", got.AccessToken, err, calls)
	}
	for _, want := range []string{"blank", "empty"} {
		_, err := s.Token(ctx)
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "bad token") {
			t.Errorf("Token = %v, want an error saying %q without the token", err, want)
		}
	}
}

func TestTokenFuncErrors(t *testing.T) {
	cause := errors.New("vault sealed")
	s := TokenFunc(func(ctx context.Context) (string, error) { return "", cause })
	if _, err := s.Token(context.Background()); !errors.Is(err, cause) {
		t.Errorf("Token = %v, want it to wrap the function's error", err)
	}
	if _, err := TokenFunc(nil).Token(context.Background()); err == nil {
		t.Error("TokenFunc(nil).Token: no error")
	}
}

func TestStaticToken(t *testing.T) {
	if got, err := StaticToken("abc").Token(context.Background()); err != nil || got.AccessToken != "abc" {
		t.Errorf("Token = %+v, %v", got, err)
	}
	if _, err := StaticToken("a\nb").Token(context.Background()); err == nil || strings.Contains(err.Error(), "a\nb") {
		t.Errorf("a two-line static token: %v", err)
	}
}

func TestCheckToken(t *testing.T) {
	for tok, want := range map[string]string{
		"eyJ.abc-_~+/=": "", "": "empty", "a b": "blank", "a\tb": "blank", "a\r": "line", "é": "0xc3", "a\x00": "0x00",
	} {
		err := CheckToken(tok)
		if (want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), want) {
			t.Errorf("CheckToken(%q) = %v, want %q", tok, err, want)
		}
	}
}

// current is a CurrentSource whose Token would start a login.
type current struct{ logins int }

func (c *current) Token(context.Context) (Token, error) {
	c.logins++
	return Token{AccessToken: "new"}, nil
}
func (c *current) Current(context.Context) (Token, error) {
	return Token{AccessToken: "cached", ExpiresAt: time.Unix(1, 0)}, nil
}
func (*current) Invalidate(string) {}

func TestCurrentToken(t *testing.T) {
	c := &current{}
	if got, err := CurrentToken(context.Background(), c); err != nil || got.AccessToken != "cached" || c.logins != 0 {
		t.Errorf("CurrentToken of a CurrentSource = %+v, %v after %d logins", got, err, c.logins)
	}
	if got, err := CurrentToken(context.Background(), StaticToken("s")); err != nil || got.AccessToken != "s" {
		t.Errorf("CurrentToken of a plain source = %+v, %v", got, err)
	}
}
