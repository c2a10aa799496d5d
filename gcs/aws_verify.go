package gcs

import (
	"crypto/hmac"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// MaxClockSkew is how far the X-Amz-Date of a header-signed request may be
// from the server's clock, as S3 allows.
const MaxClockSkew = 15 * time.Minute

// IsAWSSigned reports whether r carries an AWS4-HMAC-SHA256 signature, in
// the query or the header form.
func IsAWSSigned(r *http.Request) bool {
	return r.URL.Query().Has("X-Amz-Algorithm") || strings.HasPrefix(r.Header.Get("Authorization"), AlgorithmAWS4+" ")
}

// AWSVerified is what a verified request was signed with.
type AWSVerified struct {
	AccessID string
	// PayloadHash is the signed payload: UNSIGNED-PAYLOAD or the hex SHA-256
	// the body must have (the server checks it while reading the body).
	PayloadHash string
}

// VerifyAWSRequest checks a request signed with AWS4-HMAC-SHA256 for service
// s3, as a storage server sees it: the presigned form (X-Amz-* query
// parameters, valid from X-Amz-Date for X-Amz-Expires) or the header form
// (Authorization, X-Amz-Date within MaxClockSkew of now,
// X-Amz-Content-Sha256). The host is tried as sent and without its port.
// Errors wrap ErrMalformedSignature, ErrExpired, ErrNotYetValid,
// ErrUnknownKey or ErrSignatureMismatch and never hold the signature.
func VerifyAWSRequest(r *http.Request, secret func(accessID string) (string, bool), now time.Time) (AWSVerified, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return AWSVerified{}, fmt.Errorf("verify AWS4 request: %w: query: %v", ErrMalformedSignature, err)
	}
	var (
		credential, timestamp, signedHeaders, signatureHex string
		payload                                            = unsignedPayload
		query                                              = q.Has("X-Amz-Algorithm")
	)
	if query {
		get := func(name string) (string, error) {
			vs := q[name]
			if len(vs) != 1 || vs[0] == "" {
				return "", fmt.Errorf("verify AWS4 request: %w: want exactly one non-empty %s", ErrMalformedSignature, name)
			}
			return vs[0], nil
		}
		var p [6]string
		for i, name := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature"} {
			if p[i], err = get(name); err != nil {
				return AWSVerified{}, err
			}
		}
		if p[0] != AlgorithmAWS4 {
			return AWSVerified{}, fmt.Errorf("verify AWS4 request: %w: X-Amz-Algorithm %q", ErrMalformedSignature, p[0])
		}
		credential, timestamp, signedHeaders, signatureHex = p[1], p[2], p[4], p[5]
		expires, err := strconv.ParseInt(p[3], 10, 64)
		if err != nil || expires < 1 || expires > maxExpiresSecond {
			return AWSVerified{}, fmt.Errorf("verify AWS4 request: %w: X-Amz-Expires %q is not 1..604800 seconds", ErrMalformedSignature, p[3])
		}
		t, err := time.Parse(timeFormat, timestamp)
		if err != nil {
			return AWSVerified{}, fmt.Errorf("verify AWS4 request: %w: X-Amz-Date %q is not YYYYMMDDTHHMMSSZ", ErrMalformedSignature, timestamp)
		}
		if now.Before(t) {
			return AWSVerified{}, fmt.Errorf("verify AWS4 request: %w: signed for %s, now is %s", ErrNotYetValid, t.Format(time.RFC3339), now.UTC().Format(time.RFC3339))
		}
		if end := t.Add(time.Duration(expires) * time.Second); !now.Before(end) {
			return AWSVerified{}, fmt.Errorf("verify AWS4 request: %w: expired at %s", ErrExpired, end.Format(time.RFC3339))
		}
		if v := r.Header.Get(awsContentSHA); v != "" {
			payload = v
		}
		delete(q, "X-Amz-Signature")
	} else {
		if credential, signedHeaders, signatureHex, err = parseAWSAuthorization(r.Header.Get("Authorization")); err != nil {
			return AWSVerified{}, err
		}
		timestamp = r.Header.Get(awsDate)
		t, err := time.Parse(timeFormat, timestamp)
		if err != nil {
			return AWSVerified{}, fmt.Errorf("verify AWS4 request: %w: X-Amz-Date %q is not YYYYMMDDTHHMMSSZ", ErrMalformedSignature, timestamp)
		}
		if d := now.Sub(t); d > MaxClockSkew || d < -MaxClockSkew {
			return AWSVerified{}, fmt.Errorf("verify AWS4 request: %w: X-Amz-Date %s is more than 15 minutes from the server's time %s", ErrExpired, t.Format(time.RFC3339), now.UTC().Format(time.RFC3339))
		}
		if payload = r.Header.Get(awsContentSHA); payload == "" {
			return AWSVerified{}, fmt.Errorf("verify AWS4 request: %w: X-Amz-Content-Sha256 is missing", ErrMalformedSignature)
		}
	}
	if payload != unsignedPayload {
		if b, err := hex.DecodeString(payload); err != nil || len(b) != 32 {
			return AWSVerified{}, fmt.Errorf("verify AWS4 request: %w: X-Amz-Content-Sha256 is neither UNSIGNED-PAYLOAD nor a hex SHA-256", ErrMalformedSignature)
		}
	}

	cred := strings.Split(credential, "/")
	if len(cred) != 5 || cred[0] == "" || cred[2] == "" || cred[3] != S3Service || cred[4] != awsTerminator {
		return AWSVerified{}, fmt.Errorf("verify AWS4 request: %w: credential %q is not ID/DATE/REGION/s3/aws4_request", ErrMalformedSignature, credential)
	}
	id, date, region := cred[0], cred[1], cred[2]
	if !strings.HasPrefix(timestamp, date) || len(date) != len(dateFormat) {
		return AWSVerified{}, fmt.Errorf("verify AWS4 request: %w: credential date %q differs from X-Amz-Date %q", ErrMalformedSignature, date, timestamp)
	}
	sig, err := hex.DecodeString(signatureHex)
	if err != nil || len(sig) != 32 {
		return AWSVerified{}, fmt.Errorf("verify AWS4 request: %w: the signature is not 64 hex digits", ErrMalformedSignature)
	}
	names := strings.Split(signedHeaders, ";")
	hasHost := false
	for i, n := range names {
		if n == "" || n != strings.ToLower(n) || (i > 0 && names[i-1] >= n) {
			return AWSVerified{}, fmt.Errorf("verify AWS4 request: %w: SignedHeaders %q must be sorted, unique, lowercase names", ErrMalformedSignature, signedHeaders)
		}
		hasHost = hasHost || n == "host"
	}
	if !hasHost {
		return AWSVerified{}, fmt.Errorf("verify AWS4 request: %w: SignedHeaders does not include host", ErrMalformedSignature)
	}
	s, ok := "", false
	if secret != nil {
		s, ok = secret(id)
	}
	if !ok || s == "" {
		return AWSVerified{}, fmt.Errorf("verify AWS4 request: %w: HMAC access id %q", ErrUnknownKey, id)
	}

	scope := date + "/" + region + "/" + S3Service + "/" + awsTerminator
	key := signingKey("AWS4", s, date, region, S3Service, awsTerminator)
	cq := canonicalQuery(q)
	path := awsPath(r.URL.Path, false)
	hosts := []string{r.Host}
	if h := canonicalHost(r.Host); h != r.Host {
		hosts = append(hosts, h)
	}
	for _, host := range hosts {
		h := make(map[string]string, len(names))
		for _, n := range names {
			if n == "host" {
				h[n] = host
				continue
			}
			vs := r.Header.Values(n)
			if n == "content-length" && len(vs) == 0 && r.ContentLength >= 0 {
				vs = []string{strconv.FormatInt(r.ContentLength, 10)} // net/http moves it out of Header
			}
			for i, v := range vs {
				vs[i] = awsCanonicalValue(v)
			}
			h[n] = strings.Join(vs, ",")
		}
		block, signed := canonicalHeaders(h)
		sts := stringToSign(AlgorithmAWS4, timestamp, scope, canonicalRequest(r.Method, path, cq, block, signed, payload))
		if hmac.Equal(hmacSHA256(key, sts), sig) {
			return AWSVerified{AccessID: id, PayloadHash: payload}, nil
		}
	}
	return AWSVerified{}, fmt.Errorf("verify AWS4 request for %s %s: %w", r.Method, r.URL.Path, ErrSignatureMismatch)
}

// parseAWSAuthorization splits "AWS4-HMAC-SHA256 Credential=..,
// SignedHeaders=.., Signature=..".
func parseAWSAuthorization(v string) (credential, signedHeaders, signature string, err error) {
	rest, ok := strings.CutPrefix(v, AlgorithmAWS4+" ")
	if !ok {
		return "", "", "", fmt.Errorf("verify AWS4 request: %w: no AWS4-HMAC-SHA256 signature in the query or the Authorization header", ErrMalformedSignature)
	}
	for part := range strings.SplitSeq(rest, ",") {
		name, value, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch name {
		case "Credential":
			credential = value
		case "SignedHeaders":
			signedHeaders = value
		case "Signature":
			signature = value
		}
	}
	if credential == "" || signedHeaders == "" || signature == "" {
		return "", "", "", fmt.Errorf("verify AWS4 request: %w: Authorization needs Credential, SignedHeaders and Signature", ErrMalformedSignature)
	}
	return credential, signedHeaders, signature, nil
}
