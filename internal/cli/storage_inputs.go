package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aignostics/aignostics/gcs"
	"github.com/aignostics/aignostics/resources"
)

// InputURLExpiry is how long signed input URLs stay valid: 7 days, the GCS
// maximum, since the platform may queue a run before it reads the slides.
const InputURLExpiry = resources.InputURLExpiry

// inputSigner signs gs:// input URLs, loading what it needs on first use:
// the service-account key (--credentials, else GOOGLE_APPLICATION_CREDENTIALS)
// when one is configured, else the organization's bucket keys from /v1/me,
// which sign URLs into the organization's bucket (AWS4-HMAC-SHA256).
type inputSigner struct {
	f           *Factory
	credentials string // --credentials
	at          time.Time

	loaded bool
	sa     *gcs.ServiceAccount
	base   gcs.SignOptions
	bucket *resources.Bucket
}

func (s *inputSigner) load(ctx context.Context) error {
	if s.loaded {
		return nil
	}
	st, err := s.f.Settings()
	if err != nil {
		return err
	}
	s.at = s.f.Now()
	if s.credentials != "" || st.GoogleApplicationCredentials != "" {
		if s.sa, err = loadServiceAccount(s.credentials, st.GoogleApplicationCredentials); err != nil {
			return err
		}
		if st.StorageEmulatorHost != "" {
			if s.base.Scheme, s.base.Hostname, err = emulatorHost(st.StorageEmulatorHost); err != nil {
				return cliError(KindConfig, err)
			}
		}
		s.base.Time = s.at
	} else {
		cl, err := s.f.Client()
		if err != nil {
			return err
		}
		if s.bucket, err = cl.OrgBucket(ctx); err != nil {
			if errors.Is(err, resources.ErrNoBucketKeys) {
				return cliError(KindConfig, fmt.Errorf("no service-account key (give --credentials FILE or set GOOGLE_APPLICATION_CREDENTIALS), and %w", err))
			}
			return err
		}
	}
	s.loaded = true
	return nil
}

// sign returns a GET URL valid for expires; load comes first.
func (s *inputSigner) sign(u gcs.URL, expires time.Duration) (string, error) {
	if s.sa != nil {
		o := s.base
		o.Method, o.Bucket, o.Object, o.Expires = "GET", u.Bucket, u.Object, expires
		return gcs.SignRSA(s.sa, o)
	}
	if u.Bucket != s.bucket.Name {
		return "", cliError(KindConfig, fmt.Errorf("no service-account key (give --credentials FILE or set GOOGLE_APPLICATION_CREDENTIALS): without one only gs://%s/... (the organization's bucket) can be signed", s.bucket.Name))
	}
	sig, err := s.bucket.SignURL(u.Bucket, "GET", u.Object, expires, s.at)
	if err != nil {
		return "", err
	}
	return sig.URL, nil
}

// signGSInputs replaces every gs:// download URL of the items' input
// artifacts with a signed GET URL valid for expires (see inputSigner;
// STORAGE_EMULATOR_HOST honoured, as in `storage sign`). Keys are loaded only
// when there is a gs:// URL. It returns how many URLs it signed; errors name
// the item index and external id. Meant for `runs create` (before
// validation; its --dry-run says so).
func signGSInputs(ctx context.Context, f *Factory, items []resources.ItemCreationRequest, expires time.Duration, credentials string) (int, error) {
	n, _, err := signGSInputsBuckets(ctx, f, items, expires, credentials)
	return n, err
}

// signGSInputsBuckets is signGSInputs that also returns, per item, where its
// first gs:// input lies (bucket, key, signed URL) for the item's
// custom_metadata.sdk.platform_bucket; nil for items without one.
func signGSInputsBuckets(ctx context.Context, f *Factory, items []resources.ItemCreationRequest, expires time.Duration, credentials string) (int, []*resources.PlatformBucket, error) {
	s := &inputSigner{f: f, credentials: credentials}
	signed := 0
	buckets := make([]*resources.PlatformBucket, len(items))
	for i := range items {
		for j := range items[i].InputArtifacts {
			a := &items[i].InputArtifacts[j]
			if len(a.DownloadURL) < 5 || !strings.EqualFold(a.DownloadURL[:5], "gs://") {
				continue
			}
			where := fmt.Sprintf("item %d (%q) input %q", i, items[i].ExternalID, a.Name)
			u, err := gcs.ParseURL(a.DownloadURL)
			if err != nil {
				return signed, nil, cliError(KindInvalid, fmt.Errorf("%s: %w", where, err))
			}
			if err := s.load(ctx); err != nil {
				return signed, nil, fmt.Errorf("sign gs:// input URLs: %w", err)
			}
			signedURL, err := s.sign(u, expires)
			if err != nil {
				var ee *ExitError
				if errors.As(err, &ee) {
					return signed, nil, fmt.Errorf("%s: %w", where, err)
				}
				return signed, nil, cliError(KindInvalid, fmt.Errorf("%s: %w", where, err))
			}
			a.DownloadURL = signedURL
			signed++
			if buckets[i] == nil {
				buckets[i] = &resources.PlatformBucket{BucketName: u.Bucket, ObjectKey: u.Object, SignedDownloadURL: signedURL}
			}
		}
	}
	return signed, buckets, nil
}
