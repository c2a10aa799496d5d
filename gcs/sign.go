package gcs

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Style selects how the bucket appears in a signed URL.
type Style int

// URL styles.
const (
	PathStyle           Style = iota // https://storage.googleapis.com/bucket/object
	VirtualHostedStyle               // https://bucket.storage.googleapis.com/object
	BucketBoundHostname              // https://Hostname/object (a CNAME to the bucket)
)

// DefaultHostname is the GCS endpoint used when SignOptions.Hostname is empty.
const DefaultHostname = "storage.googleapis.com"

// MaxExpires is the longest validity GCS accepts for a V4 signed URL.
const MaxExpires = 7 * 24 * time.Hour

// SignOptions describes the request a signed URL allows.
type SignOptions struct {
	Method, Bucket, Object string        // Method "" means GET; Object "" signs the bucket (listing)
	Expires                time.Duration // validity, whole seconds, 1s to 7 days
	Time                   time.Time     // signing time; zero means now
	Headers                map[string]string
	Query                  url.Values // extra signed query parameters
	Style                  Style
	Hostname               string // "" -> storage.googleapis.com; emulator: "127.0.0.1:8781"; the host for BucketBoundHostname
	Scheme                 string // "" -> https
}

// Prepared is a signing request before the signature: the URL without
// X-Goog-Signature, and the exact canonical request and string to sign.
type Prepared struct {
	URL              string // complete except for "&X-Goog-Signature=..."
	CanonicalRequest string
	StringToSign     string
	Time             time.Time // the signing time (UTC, whole seconds): X-Goog-Date
	ExpiresAt        time.Time
}

// SignedURL appends the hex signature to the prepared URL.
func (p *Prepared) SignedURL(signatureHex string) string {
	return p.URL + "&X-Goog-Signature=" + signatureHex
}

// Prepare validates o and builds the canonical request and string to sign for the
// given algorithm (AlgorithmRSA or AlgorithmHMAC) and credential id (service
// account email or HMAC access id).
func Prepare(algorithm, credentialID string, o SignOptions) (*Prepared, error) {
	if algorithm != AlgorithmRSA && algorithm != AlgorithmHMAC {
		return nil, fmt.Errorf("sign URL: unknown algorithm %q", algorithm)
	}
	if credentialID == "" {
		return nil, errors.New("sign URL: credential id (client email or HMAC access id) is empty")
	}
	method := strings.ToUpper(o.Method)
	if method == "" {
		method = "GET"
	}
	switch method {
	case "GET", "HEAD", "PUT", "POST", "DELETE":
	default:
		return nil, fmt.Errorf("sign URL: method %q is not one of GET, HEAD, PUT, POST, DELETE", o.Method)
	}
	if o.Expires <= 0 {
		return nil, fmt.Errorf("sign URL: expiry %s must be positive", o.Expires)
	}
	if o.Expires > MaxExpires {
		return nil, fmt.Errorf("sign URL: expiry %s is longer than GCS allows (7 days, 168h)", o.Expires)
	}
	seconds := int64(o.Expires / time.Second)
	if seconds < 1 {
		return nil, fmt.Errorf("sign URL: expiry %s is shorter than one second", o.Expires)
	}
	if err := ValidateBucket(o.Bucket); err != nil {
		return nil, fmt.Errorf("sign URL: %w", err)
	}
	if o.Object != "" {
		if err := ValidateObject(o.Object); err != nil {
			return nil, fmt.Errorf("sign URL: %w", err)
		}
	}
	scheme := o.Scheme
	if scheme == "" {
		scheme = "https"
	}
	if scheme != "https" && scheme != "http" {
		return nil, fmt.Errorf("sign URL: scheme %q is not http or https", scheme)
	}
	host, path, err := hostAndPath(o)
	if err != nil {
		return nil, err
	}

	t := o.Time
	if t.IsZero() {
		t = time.Now()
	}
	t = t.UTC().Truncate(time.Second)
	timestamp := t.Format(timeFormat)
	scope := t.Format(dateFormat) + "/" + defaultRegion + "/" + scopeService + "/" + scopeTerminator

	headers := map[string]string{"host": canonicalHost(host)}
	payload := unsignedPayload
	for k, v := range o.Headers {
		name := strings.ToLower(strings.TrimSpace(k))
		if name == "" {
			return nil, errors.New("sign URL: an extra header has an empty name")
		}
		if _, dup := headers[name]; dup {
			return nil, fmt.Errorf("sign URL: header %q is given twice (or is host, which is set from the hostname)", name)
		}
		headers[name] = canonicalValue(v)
		if name == contentSHA256 {
			payload = headers[name]
		}
	}
	block, signed := canonicalHeaders(headers)

	q := url.Values{}
	for k, vs := range o.Query {
		if strings.EqualFold(k, "X-Goog-Signature") {
			return nil, errors.New("sign URL: X-Goog-Signature cannot be an extra query parameter")
		}
		q[k] = append([]string(nil), vs...)
	}
	q.Set("X-Goog-Algorithm", algorithm)
	q.Set("X-Goog-Credential", credentialID+"/"+scope)
	q.Set("X-Goog-Date", timestamp)
	q.Set("X-Goog-Expires", strconv.FormatInt(seconds, 10))
	q.Set("X-Goog-SignedHeaders", signed)
	query := canonicalQuery(q)

	creq := canonicalRequest(method, path, query, block, signed, payload)
	return &Prepared{
		URL:              scheme + "://" + host + path + "?" + query,
		CanonicalRequest: creq,
		StringToSign:     stringToSign(algorithm, timestamp, scope, creq),
		Time:             t,
		ExpiresAt:        t.Add(time.Duration(seconds) * time.Second),
	}, nil
}

// hostAndPath returns the URL host (with any port) and the escaped path for o.
func hostAndPath(o SignOptions) (host, path string, err error) {
	host = o.Hostname
	if host == "" {
		host = DefaultHostname
	}
	if strings.ContainsAny(host, "/?#@ ") {
		return "", "", fmt.Errorf("sign URL: hostname %q must be a bare host[:port]", host)
	}
	object := escapePath(o.Object)
	switch o.Style {
	case PathStyle:
		path = "/" + o.Bucket
		if o.Object != "" {
			path += "/" + object
		}
	case VirtualHostedStyle:
		host = o.Bucket + "." + host
		path = "/" + object
	case BucketBoundHostname:
		if o.Hostname == "" {
			return "", "", errors.New("sign URL: a bucket-bound hostname needs Hostname")
		}
		path = "/" + object
	default:
		return "", "", fmt.Errorf("sign URL: unknown URL style %d", o.Style)
	}
	return host, path, nil
}

// SignRSA returns a GOOG4-RSA-SHA256 signed URL made with a service-account key.
func SignRSA(sa *ServiceAccount, o SignOptions) (string, error) {
	if sa == nil || sa.PrivateKey == nil {
		return "", errors.New("sign URL: no service-account key")
	}
	p, err := Prepare(AlgorithmRSA, sa.ClientEmail, o)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(p.StringToSign))
	sig, err := rsa.SignPKCS1v15(rand.Reader, sa.PrivateKey, crypto.SHA256, sum[:])
	if err != nil {
		return "", fmt.Errorf("sign URL with %s: %w", sa.ClientEmail, err)
	}
	return p.SignedURL(hex.EncodeToString(sig)), nil
}

// SignHMAC returns a GOOG4-HMAC-SHA256 signed URL made with an HMAC key.
func SignHMAC(k HMACKey, o SignOptions) (string, error) {
	if k.Secret == "" {
		return "", errors.New("sign URL: HMAC secret is empty")
	}
	p, err := Prepare(AlgorithmHMAC, k.AccessID, o)
	if err != nil {
		return "", err
	}
	key := signingKey("GOOG4", k.Secret, p.Time.Format(dateFormat), defaultRegion, scopeService, scopeTerminator)
	return p.SignedURL(hex.EncodeToString(hmacSHA256(key, p.StringToSign))), nil
}
