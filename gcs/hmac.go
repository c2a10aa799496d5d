package gcs

import (
	"crypto/hmac"
	"crypto/sha256"
)

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// signingKey derives the V4 HMAC signing key, S3 style:
// HMAC(HMAC(HMAC(HMAC(prefix+secret, date), region), service), terminator).
// GCS uses prefix "GOOG4" and terminator "goog4_request" (AWS: "AWS4", "aws4_request",
// which the tests use to check this against AWS's published example).
func signingKey(prefix, secret, date, region, service, terminator string) []byte {
	k := hmacSHA256([]byte(prefix+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, terminator)
}
