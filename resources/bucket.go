package resources

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aignostics/aignostics/gcs"
)

// Lifetimes of URLs signed with the organization's keys (the Python SDK's).
const (
	UploadURLExpiry = 2 * time.Hour  // PUT and the upload calls
	InputURLExpiry  = gcs.MaxExpires // GET URLs of run inputs: the platform may queue a run for days
)

// ErrNoBucketKeys: the organization has no bucket or HMAC keys in GET /v1/me.
var ErrNoBucketKeys = errors.New("the organization has no bucket keys")

// emulatorInfoPath is where a local emulator says where its storage is
// (emulator.EmulatorInfoPath; the platform answers 404 there).
const emulatorInfoPath = "/.well-known/aignostics-emulator"

// Bucket is the organization's bucket and the HMAC key pair from GET /v1/me
// that signs requests on it (AWS4-HMAC-SHA256, path style). Its String and
// GoString never show the secret.
type Bucket struct {
	Name     string
	Key      gcs.HMACKey
	Endpoint string // storage origin, scheme://host[:port]
	Region   string // credential scope region, gcs.S3Region
	now      func() time.Time
}

// String names the bucket, endpoint and access id only.
func (b *Bucket) String() string {
	return fmt.Sprintf("Bucket{%s at %s, key %s}", b.Name, b.Endpoint, b.Key.AccessID)
}

// GoString is String, so %#v cannot leak the secret.
func (b *Bucket) GoString() string { return b.String() }

// OrgBucket returns the organization's bucket from GET /v1/me, for the
// storage endpoint: Options.StorageEndpoint when set (STORAGE_EMULATOR_HOST),
// else, with Options.DiscoverStorage (a local API root), the one a local
// emulator names at /.well-known/aignostics-emulator, else
// https://storage.googleapis.com. Missing keys give ErrNoBucketKeys.
func (c *Client) OrgBucket(ctx context.Context) (*Bucket, error) {
	me, err := c.Me(ctx)
	if err != nil {
		return nil, err
	}
	org := me.Organization
	switch {
	case org.AignosticsBucketName == "":
		return nil, fmt.Errorf("organization %s: %w (aignostics_bucket_name is empty)", org.ID, ErrNoBucketKeys)
	case org.AignosticsBucketHMACAccessKeyID == "" || org.AignosticsBucketHMACSecretAccessKey == "":
		return nil, fmt.Errorf("organization %s: %w (the HMAC access key id or secret is empty)", org.ID, ErrNoBucketKeys)
	}
	if err := gcs.ValidateBucket(org.AignosticsBucketName); err != nil {
		return nil, fmt.Errorf("organization %s: bucket: %w", org.ID, err)
	}
	endpoint, err := c.storageEndpoint(ctx)
	if err != nil {
		return nil, err
	}
	return &Bucket{Name: org.AignosticsBucketName, Endpoint: endpoint, Region: gcs.S3Region, now: c.o.Clock.Now,
		Key: gcs.HMACKey{AccessID: org.AignosticsBucketHMACAccessKeyID, Secret: org.AignosticsBucketHMACSecretAccessKey}}, nil
}

// storageEndpoint decides where storage requests go (see OrgBucket).
func (c *Client) storageEndpoint(ctx context.Context) (string, error) {
	if c.o.StorageEndpoint != "" {
		u, err := gcs.ParseEndpoint(c.o.StorageEndpoint)
		if err != nil {
			return "", err
		}
		return u.String(), nil
	}
	if !c.o.DiscoverStorage {
		return gcs.DefaultEndpoint, nil
	}
	var info struct {
		StorageURL string `json:"storage_url"`
	}
	err := c.hc.JSON(ctx, http.MethodGet, c.root+emulatorInfoPath, nil, &info)
	switch {
	case statusOf(err) == http.StatusNotFound:
		c.debugf("storage: %s answers 404 (not an emulator): using %s", c.root, gcs.DefaultEndpoint)
		return gcs.DefaultEndpoint, nil
	case err != nil:
		return "", fmt.Errorf("find the local emulator's storage origin: %w", err)
	}
	u, err := gcs.ParseEndpoint(info.StorageURL)
	if err != nil || !strings.Contains(info.StorageURL, "://") {
		return "", fmt.Errorf("find the local emulator's storage origin: %s names %q, not an http(s) origin", emulatorInfoPath, clipString(info.StorageURL))
	}
	c.debugf("storage: the local emulator's storage origin is %s", u)
	return u.String(), nil
}

func clipString(s string) string {
	if len(s) > 100 {
		return s[:100] + "..."
	}
	return s
}

// GS is the gs:// URL of an object of the bucket.
func (b *Bucket) GS(object string) string { return "gs://" + b.Name + "/" + object }

// Presign signs one request on an object of the bucket in the query form
// (AWS4-HMAC-SHA256, UNSIGNED-PAYLOAD), valid for expires from now. q holds
// the multipart parameters (uploads, uploadId, partNumber) when any.
func (b *Bucket) Presign(method, object string, q url.Values, expires time.Duration) (*gcs.AWSSignature, error) {
	return b.presignAt(b.clock(), b.Name, method, object, q, expires)
}

// SignURL returns a presigned URL for method on gs://bucket/object (another
// bucket than the organization's is signed too: the key may reach it).
func (b *Bucket) SignURL(bucket, method, object string, expires time.Duration, at time.Time) (*gcs.AWSSignature, error) {
	if at.IsZero() {
		at = b.clock()
	}
	return b.presignAt(at, bucket, method, object, nil, expires)
}

func (b *Bucket) presignAt(at time.Time, bucket, method, object string, q url.Values, expires time.Duration) (*gcs.AWSSignature, error) {
	return gcs.PresignS3(b.Key, gcs.S3Request{Method: method, Bucket: bucket, Object: object, Query: q,
		Endpoint: b.Endpoint, Region: b.Region, Time: at, Expires: expires})
}

func (b *Bucket) clock() time.Time {
	if b.now != nil {
		return b.now()
	}
	return time.Now()
}
