package jwt

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"
	"time"
)

// MinKeyBits is the smallest RSA modulus Verify accepts.
const MinKeyBits = 2048

// DefaultLeeway is the clock skew allowed for exp and nbf when VerifyOptions.Leeway is 0.
const DefaultLeeway = 30 * time.Second

// VerifyOptions say what a valid token looks like.
type VerifyOptions struct {
	Audience string        // aud must contain it; "" skips the audience check
	Issuer   string        // iss, when the token has one, must equal it; "" skips the check
	Now      time.Time     // the time exp and nbf are checked against; zero: time.Now()
	Leeway   time.Duration // allowed clock skew; 0: DefaultLeeway; negative: none
	// LoopbackSameHost treats localhost, 127.0.0.1 and [::1] as the same host when
	// comparing iss and aud URLs (scheme, port and path must still match).
	LoopbackSameHost bool
}

// Verify parses s, checks that it is RS256-signed by the key its kid names in keys,
// and checks exp, nbf, iss and aud. The algorithm is checked before any key lookup.
func Verify(ctx context.Context, s string, keys KeySet, o VerifyOptions) (*Token, error) {
	t, err := Parse(s)
	if err != nil {
		return nil, fmt.Errorf("verify token: %w", err)
	}
	if t.Header.Alg != "RS256" {
		return nil, fmt.Errorf("verify token: %w: %q (only RS256 is accepted)", ErrAlgorithm, clip(t.Header.Alg))
	}
	if t.Header.Kid == "" {
		return nil, fmt.Errorf("verify token: %w: the header has no kid", ErrUnknownKey)
	}
	pub, err := keys.Key(ctx, t.Header.Kid)
	if err != nil {
		return nil, fmt.Errorf("verify token: key %q: %w", clip(t.Header.Kid), err)
	}
	if err := checkKey(pub); err != nil {
		return nil, fmt.Errorf("verify token: key %q: %w", clip(t.Header.Kid), err)
	}
	sum := sha256.Sum256([]byte(t.signingInput))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], t.signature); err != nil {
		return nil, fmt.Errorf("verify token: key %q: %w", clip(t.Header.Kid), ErrSignature)
	}
	if err := checkClaims(&t.Claims, o); err != nil {
		return nil, fmt.Errorf("verify token: %w", err)
	}
	return t, nil
}

// checkKey refuses missing, malformed and short RSA keys.
func checkKey(pub *rsa.PublicKey) error {
	if pub == nil || pub.N == nil || pub.N.Sign() <= 0 {
		return fmt.Errorf("%w: not an RSA public key", ErrWeakKey)
	}
	if bits := pub.N.BitLen(); bits < MinKeyBits {
		return fmt.Errorf("%w: %d-bit RSA key, need at least %d", ErrWeakKey, bits, MinKeyBits)
	}
	if pub.E < 3 || pub.E%2 == 0 {
		return fmt.Errorf("%w: bad RSA exponent", ErrWeakKey)
	}
	return nil
}

// checkClaims checks exp, nbf, iss and aud against o.
func checkClaims(c *Claims, o VerifyOptions) error {
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	leeway := o.Leeway
	switch {
	case leeway == 0:
		leeway = DefaultLeeway
	case leeway < 0:
		leeway = 0
	}
	if _, ok := c.Raw["exp"]; ok {
		exp := time.Unix(c.ExpiresAt, 0)
		if !now.Before(exp.Add(leeway)) {
			return fmt.Errorf("%w: exp %s, now %s", ErrExpired, exp.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
		}
	}
	if _, ok := c.Raw["nbf"]; ok {
		nbf := time.Unix(c.NotBefore, 0)
		if now.Add(leeway).Before(nbf) {
			return fmt.Errorf("%w: nbf %s, now %s", ErrNotYetValid, nbf.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
		}
	}
	if _, ok := c.Raw["iss"]; ok && o.Issuer != "" {
		if !sameURL(c.Issuer, o.Issuer, o.LoopbackSameHost) {
			return fmt.Errorf("%w: iss %q, want %q", ErrIssuer, clip(c.Issuer), o.Issuer)
		}
	}
	if o.Audience != "" && !audienceContains(c.Audience, o.Audience, o.LoopbackSameHost) {
		if len(c.Audience) == 0 {
			return fmt.Errorf("%w: token has no aud, want %q", ErrAudience, o.Audience)
		}
		return fmt.Errorf("%w: aud %q does not contain %q", ErrAudience, clipList(c.Audience), o.Audience)
	}
	return nil
}

// audienceContains reports whether aud holds want (with loopback equivalence if asked).
func audienceContains(aud Audience, want string, loopback bool) bool {
	for _, a := range aud {
		if sameURL(a, want, loopback) {
			return true
		}
	}
	return false
}

// clipList shortens an audience list for error messages.
func clipList(a Audience) []string {
	out := make([]string, 0, min(len(a), 5))
	for i, s := range a {
		if i == 5 {
			out = append(out, "...")
			break
		}
		out = append(out, clip(s))
	}
	return out
}
