package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/aignostics/aignostics/gcs"
	"github.com/aignostics/aignostics/resources"
)

// InputURLExpiry is how long signed input URLs stay valid: 7 days, the GCS
// maximum, since the platform may queue a run before it reads the slides.
const InputURLExpiry = gcs.MaxExpires

// signGSInputs replaces every gs:// download URL of the items' input artifacts
// with a V4 signed URL (GET, valid for expires) made with the service-account
// key of GOOGLE_APPLICATION_CREDENTIALS (STORAGE_EMULATOR_HOST honoured, as in
// `storage sign`). The key is read only when there is a gs:// URL. It returns
// how many URLs it signed; errors name the item index and external id.
// Meant for `runs create` (before validation; its --dry-run should say so).
func signGSInputs(f *Factory, items []resources.ItemCreationRequest, expires time.Duration) (int, error) {
	var (
		sa     *gcs.ServiceAccount
		base   gcs.SignOptions
		signed int
	)
	for i := range items {
		for j := range items[i].InputArtifacts {
			a := &items[i].InputArtifacts[j]
			if len(a.DownloadURL) < 5 || !strings.EqualFold(a.DownloadURL[:5], "gs://") {
				continue
			}
			where := fmt.Sprintf("item %d (%q) input %q", i, items[i].ExternalID, a.Name)
			u, err := gcs.ParseURL(a.DownloadURL)
			if err != nil {
				return signed, cliError(KindInvalid, fmt.Errorf("%s: %w", where, err))
			}
			if sa == nil {
				s, err := f.Settings()
				if err != nil {
					return signed, err
				}
				if sa, err = loadServiceAccount("", s.GoogleApplicationCredentials); err != nil {
					return signed, fmt.Errorf("sign gs:// input URLs: %w", err)
				}
				if s.StorageEmulatorHost != "" {
					if base.Scheme, base.Hostname, err = emulatorHost(s.StorageEmulatorHost); err != nil {
						return signed, cliError(KindConfig, err)
					}
				}
				base.Time = f.Now()
			}
			o := base
			o.Method, o.Bucket, o.Object, o.Expires = "GET", u.Bucket, u.Object, expires
			if a.DownloadURL, err = gcs.SignRSA(sa, o); err != nil {
				return signed, cliError(KindInvalid, fmt.Errorf("%s: %w", where, err))
			}
			signed++
		}
	}
	return signed, nil
}
