package gcs

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultEndpoint is the XML API origin S3-style requests go to.
const DefaultEndpoint = "https://storage.googleapis.com"

// S3Request is a path-style request on one object (or its multipart
// upload) of a bucket, signed with AWS4-HMAC-SHA256 as the S3-compatible XML
// API of Cloud Storage accepts it.
type S3Request struct {
	Method         string        // GET, HEAD, PUT, POST or DELETE ("" = GET)
	Bucket, Object string        // the object is not escaped by the caller
	Query          url.Values    // e.g. uploads, uploadId, partNumber (signed)
	Header         http.Header   // further headers to sign (rarely needed)
	Endpoint       string        // "scheme://host[:port]"; "" = DefaultEndpoint
	Region         string        // "" = S3Region
	Time           time.Time     // zero = now
	Expires        time.Duration // presigned form: 1 s to 7 days
}

// awsRequest checks o and builds the generic request.
func (o S3Request) awsRequest() (AWSRequest, error) {
	method := strings.ToUpper(o.Method)
	switch method {
	case "":
		method = http.MethodGet
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodPost, http.MethodDelete:
	default:
		return AWSRequest{}, fmt.Errorf("sign S3 request: method %q is not one of GET, HEAD, PUT, POST, DELETE", o.Method)
	}
	if err := ValidateBucket(o.Bucket); err != nil {
		return AWSRequest{}, fmt.Errorf("sign S3 request: %w", err)
	}
	if err := ValidateObject(o.Object); err != nil {
		return AWSRequest{}, fmt.Errorf("sign S3 request: %w", err)
	}
	u, err := ParseEndpoint(o.Endpoint)
	if err != nil {
		return AWSRequest{}, fmt.Errorf("sign S3 request: %w", err)
	}
	u.Path = "/" + o.Bucket + "/" + o.Object
	u.RawQuery = o.Query.Encode()
	region := o.Region
	if region == "" {
		region = S3Region
	}
	return AWSRequest{Method: method, URL: u, Header: o.Header, Region: region, Service: S3Service,
		Time: o.Time, Expires: o.Expires}, nil
}

// PresignS3 returns a presigned URL (AWS4-HMAC-SHA256, UNSIGNED-PAYLOAD,
// path style) for o, as boto3's generate_presigned_url makes them.
func PresignS3(k HMACKey, o S3Request) (*AWSSignature, error) {
	r, err := o.awsRequest()
	if err != nil {
		return nil, err
	}
	return PresignAWS(k, r)
}

// SignS3Header signs o in the header form (Authorization, X-Amz-Date and
// X-Amz-Content-Sha256: UNSIGNED-PAYLOAD), as rclone and the AWS CLI do.
func SignS3Header(k HMACKey, o S3Request) (*AWSSignature, error) {
	r, err := o.awsRequest()
	if err != nil {
		return nil, err
	}
	r.ContentSHA256Header = true
	return SignAWSHeader(k, r)
}

// ParseEndpoint parses a storage origin: "" is DefaultEndpoint; "host:port"
// (STORAGE_EMULATOR_HOST's usual form) is http; otherwise
// http(s)://host[:port] with no path, query or user.
func ParseEndpoint(s string) (*url.URL, error) {
	if s == "" {
		s = DefaultEndpoint
	}
	v := s
	if !strings.Contains(v, "://") {
		v = "http://" + v
	}
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("storage endpoint %q: want host:port or http(s)://host[:port]", clip(s))
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host}, nil
}
