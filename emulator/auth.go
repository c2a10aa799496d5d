package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/aignostics/aignostics/jwt"
)

// principal is the authenticated caller of an API request. Anonymous is a
// caller without a bearer token who presented a share token (see
// shareTokenRead); it has no subject and no organization.
type principal struct {
	Subject, OrgID, Role, Email, Name string
	Anonymous                         bool
}

type principalKey struct{}

// principalFrom returns the caller that requireToken put in the request context.
func principalFrom(ctx context.Context) (principal, bool) {
	p, ok := ctx.Value(principalKey{}).(principal)
	return p, ok
}

// authError is a 401 reason shown to the client (never holding the token).
type authError struct {
	missing bool
	msg     string
}

func (e *authError) Error() string { return e.msg }

// authenticate verifies the request's bearer token: RS256 by a key of the
// JWKS, audience {public}/api, issuer {public}/, expiry (30 s leeway).
func (e *Emulator) authenticate(r *http.Request) (principal, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return principal{}, &authError{missing: true, msg: "Not authenticated"}
	}
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return principal{}, &authError{msg: "Authorization header must be 'Bearer <token>'"}
	}
	pub := e.URL()
	t, err := jwt.Verify(r.Context(), strings.TrimSpace(tok), e.keys.static(), jwt.VerifyOptions{
		Audience: pub + "/api", Issuer: pub + "/", Now: e.now(), LoopbackSameHost: true,
	})
	if err != nil {
		return principal{}, &authError{msg: verifyReason(err)}
	}
	p := principal{Subject: t.Claims.Subject, OrgID: t.Claims.OrgID, Role: "member"}
	if len(t.Claims.Audience) > 0 {
		if raw, ok := t.Claims.Raw[t.Claims.Audience[0]+"/role"]; ok {
			var role string
			if json.Unmarshal(raw, &role) == nil && role != "" {
				p.Role = role
			}
		}
	}
	u := userFor(p.Subject)
	p.Email, p.Name = u.Email, u.Name
	return p, nil
}

// verifyReason names what was wrong with a token without quoting it.
func verifyReason(err error) string {
	switch {
	case errors.Is(err, jwt.ErrExpired):
		return "Token expired"
	case errors.Is(err, jwt.ErrNotYetValid):
		return "Token not yet valid"
	case errors.Is(err, jwt.ErrAudience):
		return "Token audience is not this API"
	case errors.Is(err, jwt.ErrIssuer):
		return "Token issuer is not this emulator"
	case errors.Is(err, jwt.ErrSignature):
		return "Token signature is invalid"
	case errors.Is(err, jwt.ErrUnknownKey):
		return "Token signing key is unknown"
	case errors.Is(err, jwt.ErrAlgorithm):
		return "Token algorithm is not RS256"
	case errors.Is(err, jwt.ErrMalformed):
		return "Token is malformed"
	}
	return "Token is invalid"
}

// requireToken answers 401 unless the request carries a valid bearer token,
// and puts the principal in the request context.
func (e *Emulator) requireToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := e.authenticate(r)
		if ae, ok := err.(*authError); ok && ae.missing && shareTokenRead(r) {
			p, err = principal{Anonymous: true}, nil
		}
		if err != nil {
			writeUnauthorized(w, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	})
}

func writeUnauthorized(w http.ResponseWriter, err error) {
	ae, _ := err.(*authError)
	challenge := `Bearer realm="aignostics-emulator"`
	if ae == nil || !ae.missing {
		challenge += `, error="invalid_token", error_description="` + strings.ReplaceAll(err.Error(), `"`, "'") + `"`
	}
	w.Header().Set("WWW-Authenticate", challenge)
	sendJSON(w, http.StatusUnauthorized, map[string]string{"detail": err.Error()})
}

// shareTokenRead reports whether r is a read that a share token alone may
// make: GET (or HEAD) of one of the four operations that take the spec's
// `share_token` query parameter (a run, its items, one item, an artifact's
// file), with a non-empty share_token. Whether the token opens the run is
// decided by canRead.
func shareTokenRead(r *http.Request) bool {
	if (r.Method != http.MethodGet && r.Method != http.MethodHead) || r.URL.Query().Get("share_token") == "" {
		return false
	}
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), apiPrefix)
	if !ok {
		return false
	}
	segs := strings.Split(strings.TrimSuffix(rest, "/"), "/")
	for _, pattern := range []string{"runs/{}", "runs/{}/items", "runs/{}/items/{}", "runs/{}/artifacts/{}/file"} {
		if _, ok := matchRoute(strings.Split(pattern, "/"), segs); ok {
			return true
		}
	}
	return false
}
