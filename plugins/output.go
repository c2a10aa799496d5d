package plugins

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/aignostics/aignostics/httpx"
)

// providerOutput holds every field of the accepted JSON shapes.
type providerOutput struct {
	AccessToken *string          `json:"access_token"`
	ExpiresAt   string           `json:"expires_at"`
	ExpiresIn   *json.Number     `json:"expires_in"`
	APIVersion  string           `json:"apiVersion"`
	Kind        string           `json:"kind"`
	Status      *execCredentials `json:"status"`
}

// execCredentials is the status of a Kubernetes ExecCredential.
type execCredentials struct {
	Token               string `json:"token"`
	ExpirationTimestamp string `json:"expirationTimestamp"`
}

// ParseOutput reads what a token provider printed on stdout: a bare token
// on one line, a JSON object {"access_token", "expires_at" (RFC 3339)} or
// {"access_token", "expires_in" (seconds, counted from now)}, or a
// Kubernetes ExecCredential {"apiVersion", "kind", "status": {"token",
// "expirationTimestamp"}}. Surrounding blanks are trimmed. Empty output,
// output starting with "{" that is not such an object, and a token holding
// a blank, a control or a non-ASCII character are errors; no error quotes
// the token.
func ParseOutput(out []byte, now time.Time) (httpx.Token, error) {
	s := strings.TrimSpace(string(out))
	if s == "" {
		return httpx.Token{}, errors.New("printed nothing on stdout")
	}
	if s[0] != '{' {
		if err := httpx.CheckToken(s); err != nil {
			return httpx.Token{}, unusable(err)
		}
		return httpx.Token{AccessToken: s}, nil
	}
	var o providerOutput
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if err := dec.Decode(&o); err != nil {
		return httpx.Token{}, fmt.Errorf("printed malformed JSON: %s", jsonProblem(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return httpx.Token{}, errors.New("printed malformed JSON: more after the object")
	}
	if o.Status != nil || o.Kind == "ExecCredential" {
		return o.execCredential()
	}
	return o.accessToken(now)
}

// jsonProblem describes a decoding error without quoting the input (a
// json.UnmarshalTypeError names only the field, a SyntaxError the offset).
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("field %q is a JSON %s", te.Field, te.Value)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "unexpected end"
	}
	return "not a JSON object"
}

func (o *providerOutput) execCredential() (httpx.Token, error) {
	if o.Kind != "" && o.Kind != "ExecCredential" {
		return httpx.Token{}, fmt.Errorf("printed a %q object, want an ExecCredential", o.Kind)
	}
	if o.Status == nil || o.Status.Token == "" {
		return httpx.Token{}, errors.New("printed an ExecCredential without status.token")
	}
	if err := httpx.CheckToken(o.Status.Token); err != nil {
		return httpx.Token{}, unusable(err)
	}
	t := httpx.Token{AccessToken: o.Status.Token}
	if o.Status.ExpirationTimestamp != "" {
		exp, err := time.Parse(time.RFC3339, o.Status.ExpirationTimestamp)
		if err != nil {
			return httpx.Token{}, errors.New("printed an ExecCredential whose status.expirationTimestamp is not RFC 3339")
		}
		t.ExpiresAt = exp
	}
	return t, nil
}

func (o *providerOutput) accessToken(now time.Time) (httpx.Token, error) {
	if o.AccessToken == nil || *o.AccessToken == "" {
		return httpx.Token{}, errors.New(`printed JSON without "access_token"`)
	}
	if err := httpx.CheckToken(*o.AccessToken); err != nil {
		return httpx.Token{}, unusable(err)
	}
	t := httpx.Token{AccessToken: *o.AccessToken}
	switch {
	case o.ExpiresAt != "":
		exp, err := time.Parse(time.RFC3339, o.ExpiresAt)
		if err != nil {
			return httpx.Token{}, errors.New(`printed "expires_at" that is not RFC 3339`)
		}
		t.ExpiresAt = exp
	case o.ExpiresIn != nil:
		secs, err := o.ExpiresIn.Float64()
		if err != nil || secs <= 0 || secs > math.MaxInt32 {
			return httpx.Token{}, errors.New(`printed "expires_in" that is not a positive number of seconds`)
		}
		t.ExpiresAt = now.Add(time.Duration(secs * float64(time.Second)))
	}
	return t, nil
}

// unusable wraps a CheckToken problem for a provider's output.
func unusable(err error) error {
	return fmt.Errorf("printed an unusable token: %w", err)
}
