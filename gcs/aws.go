package gcs

import (
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

// Constants of AWS Signature Version 4 as Cloud Storage's XML API accepts it
// with HMAC keys (the organization bucket's keys from GET /v1/me).
const (
	AlgorithmAWS4 = "AWS4-HMAC-SHA256"
	// S3Region is the region the platform signs organization-bucket URLs
	// for (the Python SDK's default). GCS accepts any region in the scope.
	S3Region = "EUROPE-WEST3"
	// S3Service is the service of the credential scope.
	S3Service       = "s3"
	awsTerminator   = "aws4_request"
	awsContentSHA   = "x-amz-content-sha256"
	awsDate         = "x-amz-date"
	awsToken        = "x-amz-security-token"
	emptyPayloadSHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

// AWSRequest is one request to sign with AWS4-HMAC-SHA256.
type AWSRequest struct {
	Method string   // "" means GET
	URL    *url.URL // scheme, host (and port) as sent, the decoded Path, RawQuery
	// Header holds further headers to sign besides host (its values in the
	// order they are sent); nil signs host only.
	Header          http.Header
	Region, Service string    // credential scope, e.g. S3Region and S3Service
	Time            time.Time // signing time; zero means now
	// Expires is the validity of a presigned URL (1 s to 7 days); the
	// header form ignores it.
	Expires time.Duration
	// PayloadHash is the hex SHA-256 of the body; "" means UNSIGNED-PAYLOAD
	// (what presigned S3 URLs and streamed uploads use).
	PayloadHash string
	// SessionToken is the token of temporary credentials (none for GCS
	// HMAC keys); it is signed as X-Amz-Security-Token.
	SessionToken string
	// SessionTokenUnsigned sends the session token without signing it
	// (added after the signature, as some services want it).
	SessionTokenUnsigned bool
	// NormalizePath removes "." and ".." segments and empty segments from
	// the path before signing. S3 (and GCS) sign the path as it is: false.
	NormalizePath bool
	// ContentSHA256Header makes the header form send and sign
	// x-amz-content-sha256 (S3 requires it on every header-signed request).
	ContentSHA256Header bool
}

// AWSSignature is a signed request: the exact canonical request and string
// to sign, the hex signature, and what to send.
type AWSSignature struct {
	CanonicalRequest string
	StringToSign     string
	Signature        string
	// URL is the presigned URL (query form), or the request URL (header form).
	URL string
	// Header holds the headers the header form adds: Authorization,
	// X-Amz-Date and, when asked, X-Amz-Content-Sha256 and X-Amz-Security-Token.
	Header    http.Header
	Time      time.Time // the signing time, UTC, whole seconds
	ExpiresAt time.Time // query form: when the URL stops working
}

// PresignAWS signs r in the query (presigned URL) form: the signature and
// its parameters (X-Amz-Algorithm, -Credential, -Date, -Expires,
// -SignedHeaders, -Signature) travel in the URL.
func PresignAWS(k HMACKey, r AWSRequest) (*AWSSignature, error) {
	return signAWS(k, r, true)
}

// SignAWSHeader signs r in the header form: the signature travels in an
// Authorization header beside X-Amz-Date.
func SignAWSHeader(k HMACKey, r AWSRequest) (*AWSSignature, error) {
	return signAWS(k, r, false)
}

func signAWS(k HMACKey, r AWSRequest, query bool) (*AWSSignature, error) {
	if k.AccessID == "" {
		return nil, errors.New("sign AWS4 request: HMAC access id is empty")
	}
	if k.Secret == "" {
		return nil, errors.New("sign AWS4 request: HMAC secret is empty")
	}
	if r.URL == nil || r.URL.Host == "" {
		return nil, errors.New("sign AWS4 request: the URL has no host")
	}
	if r.URL.Scheme != "https" && r.URL.Scheme != "http" {
		return nil, fmt.Errorf("sign AWS4 request: scheme %q is not http or https", r.URL.Scheme)
	}
	if r.Region == "" || r.Service == "" || strings.Contains(r.Region, "/") || strings.Contains(r.Service, "/") {
		return nil, fmt.Errorf("sign AWS4 request: region %q and service %q must be non-empty and without '/'", r.Region, r.Service)
	}
	method := strings.ToUpper(r.Method)
	if method == "" {
		method = http.MethodGet
	}
	var seconds int64
	if query {
		if r.Expires < time.Second || r.Expires > MaxExpires {
			return nil, fmt.Errorf("sign AWS4 request: expiry %s must be from 1s to 168h (7 days)", r.Expires)
		}
		seconds = int64(r.Expires / time.Second)
	}
	payload := r.PayloadHash
	if payload == "" {
		payload = unsignedPayload
	}
	t := r.Time
	if t.IsZero() {
		t = time.Now()
	}
	t = t.UTC().Truncate(time.Second)
	timestamp := t.Format(timeFormat)
	scope := t.Format(dateFormat) + "/" + r.Region + "/" + r.Service + "/" + awsTerminator

	headers := map[string]string{"host": awsHost(r.URL)}
	for name, vs := range r.Header {
		n := strings.ToLower(strings.TrimSpace(name))
		if n == "" {
			return nil, errors.New("sign AWS4 request: a header has an empty name")
		}
		if n == "host" || n == "authorization" {
			continue // host comes from the URL; authorization is the result
		}
		vals := make([]string, len(vs))
		for i, v := range vs {
			vals[i] = awsCanonicalValue(v)
		}
		if prev, ok := headers[n]; ok { // the same name in two spellings
			vals = append([]string{prev}, vals...)
		}
		headers[n] = strings.Join(vals, ",")
	}
	add := http.Header{}
	if !query {
		headers[awsDate] = timestamp
		add.Set("X-Amz-Date", timestamp)
		if r.SessionToken != "" {
			if !r.SessionTokenUnsigned {
				headers[awsToken] = r.SessionToken
			}
			add.Set("X-Amz-Security-Token", r.SessionToken)
		}
		if r.ContentSHA256Header {
			headers[awsContentSHA] = payload
			add.Set("X-Amz-Content-Sha256", payload)
		}
	}
	block, signed := canonicalHeaders(headers)

	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("sign AWS4 request: query: %w", err)
	}
	for name := range q {
		if strings.HasPrefix(strings.ToLower(name), "x-amz-") && query {
			switch strings.ToLower(name) {
			case "x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-expires",
				"x-amz-signedheaders", "x-amz-signature", "x-amz-security-token":
				return nil, fmt.Errorf("sign AWS4 request: the URL already has %s", name)
			}
		}
	}
	if query {
		q.Set("X-Amz-Algorithm", AlgorithmAWS4)
		q.Set("X-Amz-Credential", k.AccessID+"/"+scope)
		q.Set("X-Amz-Date", timestamp)
		q.Set("X-Amz-Expires", strconv.FormatInt(seconds, 10))
		q.Set("X-Amz-SignedHeaders", signed)
		if r.SessionToken != "" && !r.SessionTokenUnsigned {
			q.Set("X-Amz-Security-Token", r.SessionToken)
		}
	}
	cq := canonicalQuery(q)
	path := awsPath(r.URL.Path, r.NormalizePath)
	creq := canonicalRequest(method, path, cq, block, signed, payload)
	sts := stringToSign(AlgorithmAWS4, timestamp, scope, creq)
	key := signingKey("AWS4", k.Secret, t.Format(dateFormat), r.Region, r.Service, awsTerminator)
	sig := hex.EncodeToString(hmacSHA256(key, sts))

	out := &AWSSignature{CanonicalRequest: creq, StringToSign: sts, Signature: sig, Time: t}
	base := r.URL.Scheme + "://" + r.URL.Host + path
	if query {
		out.URL = base + "?" + cq + "&X-Amz-Signature=" + sig
		if r.SessionToken != "" && r.SessionTokenUnsigned {
			out.URL += "&X-Amz-Security-Token=" + escape(r.SessionToken, false)
		}
		out.ExpiresAt = t.Add(time.Duration(seconds) * time.Second)
		return out, nil
	}
	out.URL = base
	if cq != "" {
		out.URL += "?" + cq
	}
	add.Set("Authorization", AlgorithmAWS4+" Credential="+k.AccessID+"/"+scope+", SignedHeaders="+signed+", Signature="+sig)
	out.Header = add
	return out, nil
}

// awsHost is the host header as sent: the URL's host, without the scheme's
// default port (as HTTP clients send it).
func awsHost(u *url.URL) string {
	h := u.Host
	switch {
	case u.Scheme == "https" && strings.HasSuffix(h, ":443"):
		return strings.TrimSuffix(h, ":443")
	case u.Scheme == "http" && strings.HasSuffix(h, ":80"):
		return strings.TrimSuffix(h, ":80")
	}
	return h
}

// awsCanonicalValue trims a header value and turns every run of white space
// (folded lines included) into one space.
func awsCanonicalValue(v string) string { return strings.Join(strings.Fields(v), " ") }

// awsPath is the canonical URI: the path percent-encoded once ('/' kept),
// after removing dot and empty segments when normalize.
func awsPath(p string, normalize bool) string {
	if p == "" {
		p = "/"
	}
	if normalize {
		p = normalizePath(p)
	}
	return escapePath(p)
}

// normalizePath removes "." and ".." and empty segments (RFC 3986 5.2.4, as
// AWS normalizes), keeping a trailing slash.
func normalizePath(p string) string {
	var out []string
	for seg := range strings.SplitSeq(p, "/") {
		switch seg {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, seg)
		}
	}
	s := "/" + strings.Join(out, "/")
	if len(out) > 0 && (strings.HasSuffix(p, "/") || strings.HasSuffix(p, "/.") || strings.HasSuffix(p, "/..")) {
		s += "/"
	}
	return s
}

// PayloadSHA256 returns the hex SHA-256 of a body, for AWSRequest.PayloadHash.
func PayloadSHA256(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}
