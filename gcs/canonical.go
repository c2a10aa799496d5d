package gcs

import (
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/url"
	"slices"
	"strings"
)

// Constants of the V4 signing scheme.
const (
	AlgorithmRSA     = "GOOG4-RSA-SHA256"
	AlgorithmHMAC    = "GOOG4-HMAC-SHA256"
	unsignedPayload  = "UNSIGNED-PAYLOAD"
	scopeService     = "storage"
	scopeTerminator  = "goog4_request"
	defaultRegion    = "auto"
	timeFormat       = "20060102T150405Z"
	dateFormat       = "20060102"
	maxExpiresSecond = 7 * 24 * 60 * 60
	contentSHA256    = "x-goog-content-sha256"
)

// escape percent-encodes s RFC 3986 style: only the unreserved characters
// A-Z a-z 0-9 - . _ ~ stay literal (and '/' too when keepSlash).
func escape(s string, keepSlash bool) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' || (keepSlash && c == '/') {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// escapePath encodes an object path, keeping '/'.
func escapePath(p string) string { return escape(p, true) }

// canonicalQuery encodes every name and value, sorts by name then value (byte
// order, so "X-Goog-..." comes before lowercase names) and joins with '&'.
func canonicalQuery(q url.Values) string {
	pairs := make([]string, 0, len(q))
	for k, vs := range q {
		for _, v := range vs {
			pairs = append(pairs, escape(k, false)+"="+escape(v, false))
		}
	}
	slices.SortFunc(pairs, func(a, b string) int {
		ak, av, _ := strings.Cut(a, "=")
		bk, bv, _ := strings.Cut(b, "=")
		if c := strings.Compare(ak, bk); c != 0 {
			return c
		}
		return strings.Compare(av, bv)
	})
	return strings.Join(pairs, "&")
}

// canonicalValue trims a header value and collapses inner runs of spaces and tabs.
func canonicalValue(v string) string {
	return strings.Join(strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == '\t' }), " ")
}

// canonicalHost is the host header value that is signed: the host without a port,
// as the conformance vectors require ("localhost:8080" signs as "localhost").
func canonicalHost(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return hostport
}

// canonicalHeaders takes lowercase names to canonical values and returns the header
// block (each "name:value\n") and the signed-header list ("a;b;host").
func canonicalHeaders(h map[string]string) (block, signed string) {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	slices.Sort(names)
	var b strings.Builder
	for _, k := range names {
		b.WriteString(k)
		b.WriteByte(':')
		b.WriteString(h[k])
		b.WriteByte('\n')
	}
	return b.String(), strings.Join(names, ";")
}

// canonicalRequest joins the six parts of the V4 canonical request.
func canonicalRequest(method, path, query, headerBlock, signedHeaders, payload string) string {
	return method + "\n" + path + "\n" + query + "\n" + headerBlock + "\n" + signedHeaders + "\n" + payload
}

// stringToSign builds the V4 string to sign for a canonical request.
func stringToSign(algorithm, timestamp, scope, canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	return algorithm + "\n" + timestamp + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
}
