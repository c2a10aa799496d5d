package emulator

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"
)

// grant gives a subject read access to a resource (only viewer grants exist).
type grant struct {
	ID           string    `json:"grant_id"`
	ResourceType string    `json:"resource_type"`
	ResourceID   string    `json:"resource_id"`
	SubjectType  string    `json:"subject_type"`
	SubjectID    string    `json:"subject_id"`
	Relation     string    `json:"relation"`
	CreatedBy    string    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
	Revoked      bool      `json:"revoked"`
}

// shareToken is a bearer credential for shared runs; only its hash is kept.
type shareToken struct {
	ID        string     `json:"share_token_id"`
	Hash      string     `json:"hash"`
	CreatedBy string     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at"`
	Revoked   bool       `json:"revoked"`
}

// The spec's access enums.
func resourceTypes() []string { return []string{"run", "item", "output_artifact", "share_token"} }
func subjectTypes() []string {
	return []string{"user", "organization_admin", "organization_user", "share_token"}
}
func grantRelations() []string { return []string{"owner", "editor", "viewer"} }

// hashShareToken is how share token values are stored and looked up.
func hashShareToken(v string) string {
	sum := sha256.Sum256([]byte(v))
	return hex.EncodeToString(sum[:])
}

// newShareTokenValue returns a fresh random share token.
func newShareTokenValue() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "ast_" + base64.RawURLEncoding.EncodeToString(b), nil
}

// valid reports whether a share token can be used at t.
func (s *shareToken) valid(t time.Time) bool {
	return !s.Revoked && (s.ExpiresAt == nil || t.Before(*s.ExpiresAt))
}

// canRead decides read access to a run: its submitter and organization, an
// active grant to the caller or the caller's organization, or a valid share
// token with an active grant. The caller holds p.mu.
func (p *platform) canRead(rn *run, pr principal, token string) bool {
	if !pr.Anonymous && (rn.SubmittedBy == pr.Subject || rn.OrgID == pr.OrgID) {
		return true
	}
	var tokenID string
	if token != "" {
		h := hashShareToken(token)
		for _, s := range p.st.tokens {
			if s.Hash == h && s.valid(p.now()) {
				tokenID = s.ID
			}
		}
	}
	for _, g := range p.st.grants {
		if g.Revoked || g.ResourceType != "run" || g.ResourceID != rn.ID {
			continue
		}
		switch g.SubjectType {
		case "user":
			if pr.Anonymous {
				continue
			}
			if g.SubjectID == pr.Subject || (pr.Email != "" && g.SubjectID == pr.Email) {
				return true
			}
		case "organization_user", "organization_admin":
			if !pr.Anonymous && g.SubjectID == pr.OrgID {
				return true
			}
		case "share_token":
			if tokenID != "" && g.SubjectID == tokenID {
				return true
			}
		}
	}
	return false
}

// resourceOwner finds the submitter of a grantable resource; ok is false when
// there is no such resource. The caller holds p.mu.
func (p *platform) resourceOwner(kind, id string) (owner string, ok bool) {
	switch kind {
	case "run":
		if rn, ok := p.st.byID[id]; ok {
			return rn.SubmittedBy, true
		}
	case "share_token":
		for _, s := range p.st.tokens {
			if s.ID == id {
				return s.CreatedBy, true
			}
		}
	default:
		for _, rn := range p.st.runs {
			for i := range rn.Items {
				if kind == "item" && itemID(rn, i) == id {
					return rn.SubmittedBy, true
				}
			}
			if kind == "output_artifact" {
				if _, _, found := findArtifact(rn, id); found {
					return rn.SubmittedBy, true
				}
			}
		}
	}
	return "", false
}
