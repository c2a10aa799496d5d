package cli

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/aignostics/aignostics/gcs"
)

// StorageCmd groups the Google Cloud Storage helpers.
type StorageCmd struct {
	Sign StorageSignCmd `cmd:"" help:"Print a signed URL for gs://BUCKET/OBJECT: V4 with a service-account key (GOOG4-RSA-SHA256), or with --hmac the organization's bucket keys (AWS4-HMAC-SHA256)."`
}

// StorageSignCmd signs a gs:// URL with a service-account key.
type StorageSignCmd struct {
	URL         string   `arg:"" name:"URL" help:"The object, gs://BUCKET/OBJECT."`
	Expires     Duration `name:"expires" default:"6h" help:"Validity: a duration (90m, 6h) or days (7d), at most 7d. Default ${default}." placeholder:"DURATION"`
	Method      string   `name:"method" default:"GET" help:"HTTP method the URL allows: GET, HEAD, PUT, POST or DELETE. Default ${default}." placeholder:"METHOD"`
	Credentials string   `name:"credentials" help:"Service-account JSON key (default: GOOGLE_APPLICATION_CREDENTIALS)." placeholder:"FILE" type:"path"`
	HMAC        bool     `name:"hmac" help:"Sign with the organization's bucket HMAC keys from GET /v1/me (AWS4-HMAC-SHA256, S3 style, for curl, rclone and other tools); needs a login."`
	Timestamp   string   `name:"timestamp" help:"Signing time instead of now." placeholder:"RFC3339"`
}

// signedURL is the JSON form of the result.
type signedURL struct {
	URL       string `json:"url"`
	ExpiresAt string `json:"expires_at"`
}

// Run signs the URL and prints it (json: url and expires_at).
func (c *StorageSignCmd) Run(ctx context.Context, f *Factory) error {
	u, err := gcs.ParseURL(c.URL)
	if err != nil {
		return cliError(KindInvalid, err)
	}
	if c.Expires <= 0 || c.Expires.D() > gcs.MaxExpires {
		return cliErrorf(KindUsage, "--expires %s: must be more than 0 and at most 7d (168h)", c.Expires)
	}
	at := f.Now()
	if c.Timestamp != "" {
		if at, err = time.Parse(time.RFC3339, c.Timestamp); err != nil {
			return cliErrorf(KindUsage, "--timestamp %q: not an RFC 3339 time such as 2026-01-02T15:04:05Z", c.Timestamp)
		}
	}
	if c.HMAC {
		return c.signHMAC(ctx, f, u, at)
	}
	s, err := f.Settings()
	if err != nil {
		return err
	}
	sa, err := loadServiceAccount(c.Credentials, s.GoogleApplicationCredentials)
	if err != nil {
		return err
	}
	o := gcs.SignOptions{Method: c.Method, Bucket: u.Bucket, Object: u.Object, Expires: c.Expires.D(), Time: at}
	if s.StorageEmulatorHost != "" {
		if o.Scheme, o.Hostname, err = emulatorHost(s.StorageEmulatorHost); err != nil {
			return cliError(KindConfig, err)
		}
		f.Debugf("storage sign: STORAGE_EMULATOR_HOST set, signing for %s://%s (path style)", o.Scheme, o.Hostname)
	}
	signed, err := gcs.SignRSA(sa, o)
	if err != nil {
		return cliError(KindInvalid, err)
	}
	expires := at.UTC().Truncate(time.Second).Add(c.Expires.D().Truncate(time.Second))
	return f.Output().Value(signed, signedURL{URL: signed, ExpiresAt: expires.Format(time.RFC3339)})
}

// loadServiceAccount reads the key named by --credentials, else by
// GOOGLE_APPLICATION_CREDENTIALS. Errors never quote the file's content.
func loadServiceAccount(flag, setting string) (*gcs.ServiceAccount, error) {
	path, from := flag, "--credentials"
	if path == "" {
		path, from = setting, "GOOGLE_APPLICATION_CREDENTIALS"
	}
	if path == "" {
		return nil, cliError(KindConfig, errors.New("no service-account key: give --credentials FILE or set GOOGLE_APPLICATION_CREDENTIALS"))
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, cliError(KindConfig, fmt.Errorf("read %s %s: %w", from, path, err))
	}
	sa, err := gcs.ParseServiceAccount(data)
	if err != nil {
		return nil, cliError(KindConfig, fmt.Errorf("%s %s: %w", from, path, err))
	}
	return sa, nil
}

// emulatorHost splits STORAGE_EMULATOR_HOST ("host:port" or
// "http://host:port") into scheme and host; without a scheme it is http.
func emulatorHost(v string) (scheme, host string, err error) {
	if !strings.Contains(v, "://") {
		v = "http://" + v
	}
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || (u.Path != "" && u.Path != "/") {
		return "", "", fmt.Errorf("STORAGE_EMULATOR_HOST=%q: want host:port or http(s)://host:port", v)
	}
	return u.Scheme, u.Host, nil
}

// signHMAC presigns the URL with the organization's bucket keys, for the
// storage origin the API client finds (STORAGE_EMULATOR_HOST, a local
// emulator's, or storage.googleapis.com).
func (c *StorageSignCmd) signHMAC(ctx context.Context, f *Factory, u gcs.URL, at time.Time) error {
	if c.Credentials != "" {
		return cliErrorf(KindUsage, "--hmac and --credentials: give one (--hmac signs with the organization's bucket keys)")
	}
	method := strings.ToUpper(c.Method)
	switch method {
	case "GET", "PUT", "HEAD", "DELETE":
	default:
		return cliErrorf(KindUsage, "--method %q: with --hmac, one of GET, PUT, HEAD, DELETE", c.Method)
	}
	cl, err := f.Client()
	if err != nil {
		return err
	}
	b, err := cl.OrgBucket(ctx)
	if err != nil {
		return err
	}
	if u.Bucket != b.Name {
		f.Output().Notef("note: the organization's keys are for bucket %s; signing for %s anyway", b.Name, u.Bucket)
	}
	sig, err := b.SignURL(u.Bucket, method, u.Object, c.Expires.D(), at)
	if err != nil {
		return cliError(KindInvalid, err)
	}
	f.Debugf("storage sign: AWS4-HMAC-SHA256 for %s, key %s", b.Endpoint, b.Key.AccessID)
	return f.Output().Value(sig.URL, signedURL{URL: sig.URL, ExpiresAt: sig.ExpiresAt.Format(time.RFC3339)})
}
