package emulator

import (
	"net/http"
)

// userJSON is the spec's UserReadResponse.
type userJSON struct {
	ID            string  `json:"id"`
	Email         *string `json:"email"`
	EmailVerified *bool   `json:"email_verified"`
	Name          *string `json:"name"`
	GivenName     *string `json:"given_name"`
	FamilyName    *string `json:"family_name"`
	Nickname      *string `json:"nickname"`
	Picture       *string `json:"picture"`
	UpdatedAt     *string `json:"updated_at"`
}

// organizationJSON is the spec's OrganizationReadResponse.
type organizationJSON struct {
	ID                    string  `json:"id"`
	Name                  *string `json:"name"`
	DisplayName           *string `json:"display_name"`
	BucketHMACAccessKeyID string  `json:"aignostics_bucket_hmac_access_key_id"`
	BucketHMACSecret      string  `json:"aignostics_bucket_hmac_secret_access_key"`
	BucketName            string  `json:"aignostics_bucket_name"`
	BucketProtocol        string  `json:"aignostics_bucket_protocol"`
	LogfireToken          string  `json:"aignostics_logfire_token"`
	SentryDSN             string  `json:"aignostics_sentry_dsn"`
}

// orgBucket is the organization's bucket in the emulated storage.
func orgBucket(orgID string) string { return "aignostics-org-" + orgID }

// getMe serves GET /v1/me: the caller and the organization with its bucket.
func (p *platform) getMe(w http.ResponseWriter, r *http.Request, _ []string) {
	pr := p.caller(r)
	verified := pr.Email != ""
	user := userJSON{ID: pr.Subject, Email: strPtr(pr.Email), Name: strPtr(pr.Name), Nickname: strPtr(pr.Name)}
	if verified {
		user.EmailVerified = &verified
	}
	name := "emulator-org"
	display := "Emulated Organization"
	org := organizationJSON{ID: pr.OrgID, Name: &name, DisplayName: &display,
		BucketHMACAccessKeyID: p.cfg.hmacAccessID, BucketHMACSecret: p.cfg.hmacSecret,
		BucketName: orgBucket(pr.OrgID), BucketProtocol: "gs",
		LogfireToken: "emulator-logfire-token-not-a-secret",
		SentryDSN:    "http://emulator@127.0.0.1:9/0"}
	writeJSON(w, http.StatusOK, map[string]any{"user": user, "organization": org})
}
