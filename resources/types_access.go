package resources

import (
	"time"

	"github.com/aignostics/aignostics/settings"
)

// ResourceType is the spec's ResourceType: what a grant gives access to.
type ResourceType string

// The spec's resource types.
const (
	ResourceRun            ResourceType = "run"
	ResourceItem           ResourceType = "item"
	ResourceOutputArtifact ResourceType = "output_artifact"
	ResourceShareToken     ResourceType = "share_token"
)

// SubjectType is the spec's SubjectType: who a grant gives access to.
type SubjectType string

// The spec's subject types.
const (
	SubjectUser              SubjectType = "user"
	SubjectOrganizationAdmin SubjectType = "organization_admin"
	SubjectOrganizationUser  SubjectType = "organization_user"
	SubjectShareToken        SubjectType = "share_token"
)

// GrantRelation is the spec's GrantRelation. Only viewer grants can be
// created.
type GrantRelation string

// The spec's grant relations.
const (
	RelationOwner  GrantRelation = "owner"
	RelationEditor GrantRelation = "editor"
	RelationViewer GrantRelation = "viewer"
)

// GrantCreateRequest is the spec's GrantCreateRequest. SubjectID (or, for a
// user, SubjectEmail) names the subject.
type GrantCreateRequest struct {
	ResourceType ResourceType  `json:"resource_type"`
	ResourceID   string        `json:"resource_id"`
	SubjectType  SubjectType   `json:"subject_type"`
	SubjectID    *string       `json:"subject_id,omitempty"`
	SubjectEmail *string       `json:"subject_email,omitempty"`
	Relation     GrantRelation `json:"relation"`
}

// GrantReadResponse is the spec's GrantReadResponse.
type GrantReadResponse struct {
	GrantID      string        `json:"grant_id"`
	ResourceType ResourceType  `json:"resource_type"`
	ResourceID   string        `json:"resource_id"`
	SubjectType  SubjectType   `json:"subject_type"`
	SubjectID    string        `json:"subject_id"`
	Relation     GrantRelation `json:"relation"`
	CreatedBy    string        `json:"created_by"`
	CreatedAt    time.Time     `json:"created_at"`
	Revoked      bool          `json:"revoked"`
}

// ShareTokenCreateRequest is the spec's ShareTokenCreateRequest; a nil
// ExpiresAt makes a token that does not expire.
type ShareTokenCreateRequest struct {
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// ShareTokenCreateResponse is the spec's ShareTokenCreateResponse. The
// server shows ShareToken only here, once. It is a settings.Secret: every
// printed or marshalled form is masked; Reveal returns it.
type ShareTokenCreateResponse struct {
	ShareTokenID string          `json:"share_token_id"`
	ShareToken   settings.Secret `json:"share_token"`
	CreatedAt    time.Time       `json:"created_at"`
	ExpiresAt    *time.Time      `json:"expires_at"`
	Revoked      bool            `json:"revoked"`
}

// ShareTokenReadResponse is the spec's ShareTokenReadResponse (no value).
type ShareTokenReadResponse struct {
	ShareTokenID string     `json:"share_token_id"`
	CreatedAt    time.Time  `json:"created_at"`
	ExpiresAt    *time.Time `json:"expires_at"`
	Revoked      bool       `json:"revoked"`
}

// VersionDocumentResponse is the spec's VersionDocumentResponse.
type VersionDocumentResponse struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	MimeType   string    `json:"mime_type"`
	Visibility string    `json:"visibility"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}
