package resources

import "time"

// UserReadResponse is the spec's UserReadResponse.
type UserReadResponse struct {
	ID            string     `json:"id"`
	Email         *string    `json:"email,omitempty"`
	EmailVerified *bool      `json:"email_verified,omitempty"`
	Name          *string    `json:"name,omitempty"`
	GivenName     *string    `json:"given_name,omitempty"`
	FamilyName    *string    `json:"family_name,omitempty"`
	Nickname      *string    `json:"nickname,omitempty"`
	Picture       *string    `json:"picture,omitempty"`
	UpdatedAt     *time.Time `json:"updated_at,omitempty"`
}

// OrganizationReadResponse is the spec's OrganizationReadResponse. Its
// bucket secret, Logfire token and Sentry DSN are secrets: callers must mask
// them before printing.
type OrganizationReadResponse struct {
	ID                                  string  `json:"id"`
	Name                                *string `json:"name,omitempty"`
	DisplayName                         *string `json:"display_name,omitempty"`
	AignosticsBucketHMACAccessKeyID     string  `json:"aignostics_bucket_hmac_access_key_id"`
	AignosticsBucketHMACSecretAccessKey string  `json:"aignostics_bucket_hmac_secret_access_key"`
	AignosticsBucketName                string  `json:"aignostics_bucket_name"`
	AignosticsBucketProtocol            string  `json:"aignostics_bucket_protocol"`
	AignosticsLogfireToken              string  `json:"aignostics_logfire_token"`
	AignosticsSentryDSN                 string  `json:"aignostics_sentry_dsn"`
}

// MeReadResponse is the spec's MeReadResponse: the caller and their organization.
type MeReadResponse struct {
	User         UserReadResponse         `json:"user"`
	Organization OrganizationReadResponse `json:"organization"`
}
