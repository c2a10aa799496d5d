package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/jwt"
)

// PlatformTokenCmd is `platform token`: a credential helper. Only the token
// (or its JSON form) goes to stdout; -o is ignored.
type PlatformTokenCmd struct {
	Format string `default:"raw" enum:"raw,json,exec-credential" help:"raw (the token and a newline), json, or exec-credential (Kubernetes client.authentication.k8s.io ExecCredential)."`
}

// Run prints a valid access token, refreshing or logging in as needed.
func (c *PlatformTokenCmd) Run(ctx context.Context, f *Factory) error {
	t, err := obtainToken(ctx, f)
	if err != nil {
		return err
	}
	out := f.IO.Out
	switch c.Format {
	case "json":
		v := map[string]any{"access_token": t.AccessToken, "token_type": "Bearer", "expires_at": nil}
		if !t.ExpiresAt.IsZero() {
			v["expires_at"] = t.ExpiresAt.UTC().Format(time.RFC3339)
		}
		return writeJSONLine(out, v)
	case "exec-credential":
		status := map[string]any{"token": t.AccessToken}
		if !t.ExpiresAt.IsZero() {
			status["expirationTimestamp"] = t.ExpiresAt.UTC().Format(time.RFC3339)
		}
		return writeJSONLine(out, map[string]any{
			"apiVersion": execCredentialVersion(f),
			"kind":       "ExecCredential",
			"status":     status,
		})
	default:
		_, err := fmt.Fprintln(out, t.AccessToken)
		return err
	}
}

// obtainToken gets a token from the configured source (the external
// provider, the embedding's source, or login) with its expiry: as the
// source gave it, else the exp of a JWT.
func obtainToken(ctx context.Context, f *Factory) (httpx.Token, error) {
	ts, err := f.TokenSource()
	if err != nil {
		return httpx.Token{}, err
	}
	t, err := ts.Token(ctx)
	if err != nil {
		return httpx.Token{}, err
	}
	if t.ExpiresAt.IsZero() {
		t.ExpiresAt = jwtExpiry(t.AccessToken)
	}
	return t, nil
}

// jwtExpiry reads exp from a token that is a JWT, unverified; zero otherwise.
func jwtExpiry(access string) time.Time {
	t, err := jwt.Parse(access)
	if err != nil || t.Claims.ExpiresAt == 0 {
		return time.Time{}
	}
	return time.Unix(t.Claims.ExpiresAt, 0)
}

// execCredentialVersion answers in the apiVersion kubectl asked for in
// KUBERNETES_EXEC_INFO (v1 or v1beta1), v1 by default.
func execCredentialVersion(f *Factory) string {
	const v1 = "client.authentication.k8s.io/v1"
	raw, ok := f.Getenv("KUBERNETES_EXEC_INFO")
	if !ok || raw == "" {
		return v1
	}
	var info struct {
		APIVersion string `json:"apiVersion"`
	}
	if json.Unmarshal([]byte(raw), &info) == nil && info.APIVersion == "client.authentication.k8s.io/v1beta1" {
		return info.APIVersion
	}
	return v1
}

func writeJSONLine(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode token: %w", err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
