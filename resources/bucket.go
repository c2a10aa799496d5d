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
	"github.com/aignostics/aignostics/internal/clock"
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
	// MinPartSize is the smallest part (but the last) the storage accepts in
	// a multipart upload: MinPartSize (5 MiB, Cloud Storage's and S3's limit)
	// when zero; a local emulator names its own.
	MinPartSize int64

	now    func() time.Time
	hc     *http.Client // storage requests (no token is ever added to them)
	clk    clock.Clock  // waits between retries
	debugf func(format string, args ...any)
	// answer bounds the reading of a storage answer (httpx's AnswerContext);
	// nil: no bound but the idle timeout.
	answer func(context.Context) (context.Context, func() error)
}

// MinPartSize is the smallest part but the last of a multipart upload to
// Cloud Storage's XML API (as S3's).
const MinPartSize = 5 << 20

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
	endpoint, minPart, err := c.storageEndpoint(ctx)
	if err != nil {
		return nil, err
	}
	return &Bucket{Name: org.AignosticsBucketName, Endpoint: endpoint, Region: gcs.S3Region, MinPartSize: minPart,
		now: c.o.Clock.Now, hc: c.hc.HTTP(), clk: c.o.Clock, debugf: c.o.Debugf, answer: c.hc.AnswerContext,
		Key: gcs.HMACKey{AccessID: org.AignosticsBucketHMACAccessKeyID, Secret: org.AignosticsBucketHMACSecretAccessKey}}, nil
}

// WithHTTP returns a copy of b that sends its storage requests with hc (a
// client that must not add credentials of its own).
func (b *Bucket) WithHTTP(hc *http.Client) *Bucket {
	c := *b
	c.hc = hc
	return &c
}

// storageEndpoint decides where storage requests go (see OrgBucket), and
// the smallest part it takes (a local emulator may name one; 0 otherwise).
func (c *Client) storageEndpoint(ctx context.Context) (string, int64, error) {
	if c.o.StorageEndpoint != "" {
		u, err := gcs.ParseEndpoint(c.o.StorageEndpoint)
		if err != nil {
			return "", 0, err
		}
		return u.String(), 0, nil
	}
	if !c.o.DiscoverStorage {
		return gcs.DefaultEndpoint, 0, nil
	}
	var info struct {
		StorageURL  string `json:"storage_url"`
		MinPartSize int64  `json:"min_part_size"`
	}
	err := c.hc.JSON(ctx, http.MethodGet, c.root+emulatorInfoPath, nil, &info)
	switch {
	case statusOf(err) == http.StatusNotFound:
		c.debugf("storage: %s answers 404 (not an emulator): using %s", c.root, gcs.DefaultEndpoint)
		return gcs.DefaultEndpoint, 0, nil
	case err != nil:
		return "", 0, fmt.Errorf("find the local emulator's storage origin: %w", err)
	}
	u, err := gcs.ParseEndpoint(info.StorageURL)
	if err != nil || !strings.Contains(info.StorageURL, "://") {
		return "", 0, fmt.Errorf("find the local emulator's storage origin: %s names %q, not an http(s) origin", emulatorInfoPath, clipString(info.StorageURL))
	}
	c.debugf("storage: the local emulator's storage origin is %s (parts of at least %d bytes)", u, info.MinPartSize)
	return u.String(), max(info.MinPartSize, 0), nil
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
