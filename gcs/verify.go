package gcs

import (
	"crypto"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Errors of VerifyRequest; match them with errors.Is.
var (
	ErrMalformedSignature = errors.New("malformed V4 signature parameters")
	ErrExpired            = errors.New("signed URL has expired")
	ErrNotYetValid        = errors.New("signed URL is not valid yet")
	ErrUnknownKey         = errors.New("unknown signing key")
	ErrSignatureMismatch  = errors.New("signature does not match")
)

// VerifyKeys looks up the keys VerifyRequest accepts. Either func may be nil.
type VerifyKeys struct {
	RSA  func(email string) (*rsa.PublicKey, bool)
	HMAC func(accessID string) (secret string, ok bool)
}

// VerifyRequest checks a request made with a V4 signed URL, as the storage server
// sees it: the X-Goog-* query parameters, the time window (X-Goog-Date <= now <
// X-Goog-Date + X-Goog-Expires) and the signature over the canonical request
// rebuilt from r (method, path, query without X-Goog-Signature, the signed headers
// with host = r.Host). The host is tried without its port (as signers following
// the conformance vectors sign it) and then as sent. Errors wrap
// ErrMalformedSignature, ErrExpired, ErrNotYetValid, ErrUnknownKey or
// ErrSignatureMismatch, and never contain the signature.
func VerifyRequest(r *http.Request, keys VerifyKeys, now time.Time) error {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return fmt.Errorf("verify signed URL: %w: query: %v", ErrMalformedSignature, err)
	}
	get := func(name string) (string, error) {
		vs := q[name]
		if len(vs) != 1 || vs[0] == "" {
			return "", fmt.Errorf("verify signed URL: %w: want exactly one non-empty %s", ErrMalformedSignature, name)
		}
		return vs[0], nil
	}
	var p [6]string
	for i, name := range []string{"X-Goog-Algorithm", "X-Goog-Credential", "X-Goog-Date", "X-Goog-Expires", "X-Goog-SignedHeaders", "X-Goog-Signature"} {
		if p[i], err = get(name); err != nil {
			return err
		}
	}
	algorithm, credential, timestamp, expiresS, signedHeaders, signatureHex := p[0], p[1], p[2], p[3], p[4], p[5]

	if algorithm != AlgorithmRSA && algorithm != AlgorithmHMAC {
		return fmt.Errorf("verify signed URL: %w: unsupported X-Goog-Algorithm %q", ErrMalformedSignature, algorithm)
	}
	cred := strings.Split(credential, "/")
	if len(cred) != 5 || cred[0] == "" || cred[2] == "" || cred[3] != scopeService || cred[4] != scopeTerminator {
		return fmt.Errorf("verify signed URL: %w: X-Goog-Credential %q is not ID/DATE/REGION/storage/goog4_request", ErrMalformedSignature, credential)
	}
	id, date, region := cred[0], cred[1], cred[2]
	t, err := time.Parse(timeFormat, timestamp)
	if err != nil {
		return fmt.Errorf("verify signed URL: %w: X-Goog-Date %q is not YYYYMMDDTHHMMSSZ", ErrMalformedSignature, timestamp)
	}
	if t.Format(dateFormat) != date {
		return fmt.Errorf("verify signed URL: %w: credential date %q differs from X-Goog-Date %q", ErrMalformedSignature, date, timestamp)
	}
	expires, err := strconv.ParseInt(expiresS, 10, 64)
	if err != nil || expires < 1 || expires > maxExpiresSecond {
		return fmt.Errorf("verify signed URL: %w: X-Goog-Expires %q is not 1..604800 seconds", ErrMalformedSignature, expiresS)
	}
	sig, err := hex.DecodeString(signatureHex)
	if err != nil || len(sig) == 0 {
		return fmt.Errorf("verify signed URL: %w: X-Goog-Signature is not hex", ErrMalformedSignature)
	}
	if now.Before(t) {
		return fmt.Errorf("verify signed URL: %w: signed for %s, now is %s", ErrNotYetValid, t.Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	if end := t.Add(time.Duration(expires) * time.Second); !now.Before(end) {
		return fmt.Errorf("verify signed URL: %w: expired at %s", ErrExpired, end.Format(time.RFC3339))
	}

	names := strings.Split(signedHeaders, ";")
	hasHost := false
	for i, n := range names {
		if n == "" || n != strings.ToLower(n) || (i > 0 && names[i-1] >= n) {
			return fmt.Errorf("verify signed URL: %w: X-Goog-SignedHeaders %q must be sorted, unique, lowercase names", ErrMalformedSignature, signedHeaders)
		}
		hasHost = hasHost || n == "host"
	}
	if !hasHost {
		return fmt.Errorf("verify signed URL: %w: X-Goog-SignedHeaders does not include host", ErrMalformedSignature)
	}

	verify, err := verifier(algorithm, id, date, region, keys)
	if err != nil {
		return err
	}
	delete(q, "X-Goog-Signature")
	query := canonicalQuery(q)
	path := escapePath(r.URL.Path)
	payload := unsignedPayload
	if v := r.Header.Get(contentSHA256); v != "" {
		payload = canonicalValue(v)
	}
	scope := date + "/" + region + "/" + scopeService + "/" + scopeTerminator
	hosts := []string{canonicalHost(r.Host)}
	if hosts[0] != r.Host {
		hosts = append(hosts, r.Host)
	}
	for _, host := range hosts {
		h := make(map[string]string, len(names))
		for _, n := range names {
			if n == "host" {
				h[n] = host
			} else {
				h[n] = canonicalValue(strings.Join(r.Header.Values(n), ","))
			}
		}
		block, signed := canonicalHeaders(h)
		sts := stringToSign(algorithm, timestamp, scope, canonicalRequest(r.Method, path, query, block, signed, payload))
		if verify(sts, sig) {
			return nil
		}
	}
	return fmt.Errorf("verify signed URL for %s %s: %w", r.Method, r.URL.Path, ErrSignatureMismatch)
}

// verifier returns the check for one algorithm and key id.
func verifier(algorithm, id, date, region string, keys VerifyKeys) (func(sts string, sig []byte) bool, error) {
	if algorithm == AlgorithmRSA {
		var pub *rsa.PublicKey
		ok := false
		if keys.RSA != nil {
			pub, ok = keys.RSA(id)
		}
		if !ok || pub == nil {
			return nil, fmt.Errorf("verify signed URL: %w: service account %q", ErrUnknownKey, id)
		}
		return func(sts string, sig []byte) bool {
			sum := sha256.Sum256([]byte(sts))
			return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig) == nil
		}, nil
	}
	secret, ok := "", false
	if keys.HMAC != nil {
		secret, ok = keys.HMAC(id)
	}
	if !ok || secret == "" {
		return nil, fmt.Errorf("verify signed URL: %w: HMAC access id %q", ErrUnknownKey, id)
	}
	key := signingKey("GOOG4", secret, date, region, scopeService, scopeTerminator)
	return func(sts string, sig []byte) bool {
		return hmac.Equal(hmacSHA256(key, sts), sig)
	}, nil
}
