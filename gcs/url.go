// Package gcs parses gs:// URLs and creates and verifies Google Cloud Storage V4
// signed URLs (GOOG4-RSA-SHA256 and GOOG4-HMAC-SHA256) and S3-style
// AWS4-HMAC-SHA256 signatures (presigned URLs and Authorization headers), which
// the XML API accepts with HMAC keys such as the organization bucket's.
package gcs

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"unicode/utf8"
)

// ErrInvalidURL is wrapped by every ParseURL error.
var ErrInvalidURL = errors.New("invalid gs:// URL")

// URL is a parsed gs://bucket/object URL. The object name is taken literally (no
// percent-decoding), as gsutil and gcloud do.
type URL struct {
	Bucket, Object string
}

// String returns the URL in gs://bucket/object form.
func (u URL) String() string { return "gs://" + u.Bucket + "/" + u.Object }

// ParseURL parses a gs://bucket/object URL and validates the bucket and object
// names against the GCS naming rules. Errors wrap ErrInvalidURL and say which rule
// was broken.
func ParseURL(s string) (URL, error) {
	const scheme = "gs://"
	if len(s) < len(scheme) || !strings.EqualFold(s[:len(scheme)], scheme) {
		return URL{}, fmt.Errorf("parse %q: %w: must start with gs://", clip(s), ErrInvalidURL)
	}
	bucket, object, found := strings.Cut(s[len(scheme):], "/")
	if !found || object == "" {
		return URL{}, fmt.Errorf("parse %q: %w: missing object name (gs://BUCKET/OBJECT)", clip(s), ErrInvalidURL)
	}
	if err := ValidateBucket(bucket); err != nil {
		return URL{}, fmt.Errorf("parse %q: %w: %w", clip(s), ErrInvalidURL, err)
	}
	if err := ValidateObject(object); err != nil {
		return URL{}, fmt.Errorf("parse %q: %w: %w", clip(s), ErrInvalidURL, err)
	}
	return URL{Bucket: bucket, Object: object}, nil
}

// clip shortens s for error messages so a huge argument cannot flood the terminal.
func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

// ValidateBucket checks a bucket name against the GCS rules: 3-63 characters (up to
// 222 when it contains dots, each dot-separated part at most 63), only lowercase
// letters, digits, '-', '_' and '.', starting and ending with a letter or digit, no
// empty dot-separated part, not an IP address, not starting with "goog" and not
// containing "google".
func ValidateBucket(b string) error {
	switch {
	case b == "":
		return errors.New("bucket name is empty")
	case len(b) < 3:
		return fmt.Errorf("bucket name %q is shorter than 3 characters", b)
	case !strings.Contains(b, ".") && len(b) > 63:
		return fmt.Errorf("bucket name %q is longer than 63 characters", clip(b))
	case len(b) > 222:
		return fmt.Errorf("bucket name %q is longer than 222 characters", clip(b))
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if !isLowerAlnum(c) && c != '-' && c != '_' && c != '.' {
			return fmt.Errorf("bucket name %q has %q: only lowercase letters, digits, '-', '_' and '.' are allowed", clip(b), rune(c))
		}
	}
	if !isLowerAlnum(b[0]) || !isLowerAlnum(b[len(b)-1]) {
		return fmt.Errorf("bucket name %q must start and end with a letter or digit", b)
	}
	for part := range strings.SplitSeq(b, ".") {
		if part == "" {
			return fmt.Errorf("bucket name %q has an empty part between dots", b)
		}
		if len(part) > 63 {
			return fmt.Errorf("bucket name %q has a dot-separated part longer than 63 characters", clip(b))
		}
	}
	if _, err := netip.ParseAddr(b); err == nil || looksLikeIPv4(b) {
		return fmt.Errorf("bucket name %q must not be an IP address", b)
	}
	if strings.HasPrefix(b, "goog") || strings.Contains(b, "google") || strings.Contains(b, "g00gle") {
		return fmt.Errorf("bucket name %q must not start with \"goog\" or contain \"google\"", b)
	}
	return nil
}

// looksLikeIPv4 reports four dot-separated groups of digits (such as 1.2.3.999),
// which GCS refuses even when they are not a valid address.
func looksLikeIPv4(b string) bool {
	parts := strings.Split(b, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		for i := 0; i < len(p); i++ {
			if p[i] < '0' || p[i] > '9' {
				return false
			}
		}
	}
	return true
}

func isLowerAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// ValidateObject checks an object name against the GCS rules: 1-1024 bytes of valid
// UTF-8, no carriage return or line feed, not "." or "..", and not in the reserved
// ".well-known/acme-challenge/" prefix.
func ValidateObject(o string) error {
	switch {
	case o == "":
		return errors.New("object name is empty")
	case len(o) > 1024:
		return fmt.Errorf("object name %q is longer than 1024 bytes", clip(o))
	case !utf8.ValidString(o):
		return fmt.Errorf("object name %q is not valid UTF-8", clip(o))
	case strings.ContainsAny(o, "\r\n"):
		return fmt.Errorf("object name %q contains a carriage return or line feed", clip(o))
	case o == "." || o == "..":
		return fmt.Errorf("object name %q is not allowed", o)
	case strings.HasPrefix(o, ".well-known/acme-challenge/"):
		return fmt.Errorf("object name %q uses the reserved .well-known/acme-challenge/ prefix", clip(o))
	}
	return nil
}
