package resources

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ErrNotShared: a grant or share token named for a run does not belong to
// that run (nothing is revoked).
var ErrNotShared = errors.New("not shared on this run")

// Access manages grants and share tokens (/v1/access): who may read a run
// besides its submitter.
type Access struct{ c *Client }

// Access returns the grants and share tokens service.
func (c *Client) Access() *Access { return &Access{c: c} }

// GrantListOptions filter the grants list; zero fields do not filter.
type GrantListOptions struct {
	ResourceType ResourceType
	ResourceID   string
	SubjectType  SubjectType
	SubjectID    string
	Relations    []GrantRelation
	Revoked      *bool
	Sort         []string
	PageSize     int // 5..100; 0: the client's default (20)
}

// ShareTokenListOptions filter the share tokens list; zero fields do not filter.
type ShareTokenListOptions struct {
	RunID     string
	CreatedBy string
	Revoked   *bool
	Sort      []string
	PageSize  int // 5..100; 0: the client's default (20)
}

// CreateGrant creates a grant (POST /v1/access/grants, 201). The platform
// creates viewer grants only (422 otherwise).
func (a *Access) CreateGrant(ctx context.Context, req GrantCreateRequest) (GrantReadResponse, error) {
	var out GrantReadResponse
	if err := a.c.hc.JSON(ctx, "POST", a.c.URL("/access/grants", nil), req, &out); err != nil {
		return out, fmt.Errorf("create grant on %s %s: %w", req.ResourceType, req.ResourceID, err)
	}
	return out, nil
}

// Grants yields the grants the caller may see, page by page.
func (a *Access) Grants(ctx context.Context, o GrantListOptions) iter.Seq2[GrantReadResponse, error] {
	size, err := a.c.pageSize(o.PageSize)
	if err != nil {
		return failSeq[GrantReadResponse](err)
	}
	q := url.Values{}
	setNonEmpty(q, "resource_type", string(o.ResourceType))
	setNonEmpty(q, "resource_id", o.ResourceID)
	setNonEmpty(q, "subject_type", string(o.SubjectType))
	setNonEmpty(q, "subject_id", o.SubjectID)
	for _, r := range o.Relations {
		q.Add("relation", string(r))
	}
	if o.Revoked != nil {
		q.Set("revoked", strconv.FormatBool(*o.Revoked))
	}
	for _, s := range o.Sort {
		q.Add("sort", s)
	}
	return pages[GrantReadResponse](ctx, a.c, pageQuery{path: "/access/grants", query: q,
		sizeParam: "page_size", size: size, what: "list grants"})
}

// Grant returns one grant.
func (a *Access) Grant(ctx context.Context, grantID string) (GrantReadResponse, error) {
	var out GrantReadResponse
	if err := a.c.get(ctx, "/access/grants/"+url.PathEscape(grantID), nil, &out); err != nil {
		return out, fmt.Errorf("get grant %s: %w", grantID, err)
	}
	return out, nil
}

// RevokeGrant revokes a grant (DELETE, 200 with the revoked grant; 409 when
// it already was).
func (a *Access) RevokeGrant(ctx context.Context, grantID string) (GrantReadResponse, error) {
	var out GrantReadResponse
	if err := a.c.hc.JSON(ctx, "DELETE", a.c.URL("/access/grants/"+url.PathEscape(grantID), nil), nil, &out); err != nil {
		return out, fmt.Errorf("revoke grant %s: %w", grantID, err)
	}
	return out, nil
}

// CreateShareToken creates a share token (POST /v1/access/share-tokens,
// 201). The value is in the answer only, once; nil expiresAt: no expiry.
// A token opens nothing until a grant names it (see Run.CreateShareToken).
func (a *Access) CreateShareToken(ctx context.Context, expiresAt *time.Time) (ShareTokenCreateResponse, error) {
	var out ShareTokenCreateResponse
	req := ShareTokenCreateRequest{}
	if expiresAt != nil {
		t := expiresAt.UTC()
		req.ExpiresAt = &t
	}
	if err := a.c.hc.JSON(ctx, "POST", a.c.URL("/access/share-tokens", nil), req, &out); err != nil {
		return out, fmt.Errorf("create share token: %w", err)
	}
	return out, nil
}

// ShareTokens yields the caller's share tokens (never their values).
func (a *Access) ShareTokens(ctx context.Context, o ShareTokenListOptions) iter.Seq2[ShareTokenReadResponse, error] {
	size, err := a.c.pageSize(o.PageSize)
	if err != nil {
		return failSeq[ShareTokenReadResponse](err)
	}
	q := url.Values{}
	setNonEmpty(q, "run_id", o.RunID)
	setNonEmpty(q, "created_by", o.CreatedBy)
	if o.Revoked != nil {
		q.Set("revoked", strconv.FormatBool(*o.Revoked))
	}
	for _, s := range o.Sort {
		q.Add("sort", s)
	}
	return pages[ShareTokenReadResponse](ctx, a.c, pageQuery{path: "/access/share-tokens", query: q,
		sizeParam: "page_size", size: size, what: "list share tokens"})
}

// ShareToken returns one share token (without its value).
func (a *Access) ShareToken(ctx context.Context, id string) (ShareTokenReadResponse, error) {
	var out ShareTokenReadResponse
	if err := a.c.get(ctx, "/access/share-tokens/"+url.PathEscape(id), nil, &out); err != nil {
		return out, fmt.Errorf("get share token %s: %w", id, err)
	}
	return out, nil
}

// RevokeShareToken revokes a share token whatever grants name it (DELETE,
// 200; 409 when it already was).
func (a *Access) RevokeShareToken(ctx context.Context, id string) (ShareTokenReadResponse, error) {
	var out ShareTokenReadResponse
	if err := a.c.hc.JSON(ctx, "DELETE", a.c.URL("/access/share-tokens/"+url.PathEscape(id), nil), nil, &out); err != nil {
		return out, fmt.Errorf("revoke share token %s: %w", id, err)
	}
	return out, nil
}

// ShareWithOrganization gives the users of organization org read access to
// the run: a viewer grant with subject_type organization_user.
func (r *Run) ShareWithOrganization(ctx context.Context, org string) (GrantReadResponse, error) {
	return r.c.Access().CreateGrant(ctx, GrantCreateRequest{ResourceType: ResourceRun, ResourceID: r.ID,
		SubjectType: SubjectOrganizationUser, SubjectID: &org, Relation: RelationViewer})
}

// Grants yields the grants on the run (revoked ones included; see
// GrantReadResponse.Revoked).
func (r *Run) Grants(ctx context.Context) iter.Seq2[GrantReadResponse, error] {
	return r.c.Access().Grants(ctx, GrantListOptions{ResourceType: ResourceRun, ResourceID: r.ID})
}

// Unshare revokes a grant on the run. It first reads the grant and refuses
// (ErrNotShared, nothing revoked) when it is not a grant on this run.
func (r *Run) Unshare(ctx context.Context, grantID string) (GrantReadResponse, error) {
	a := r.c.Access()
	g, err := a.Grant(ctx, grantID)
	if err != nil {
		return g, err
	}
	if g.ResourceType != ResourceRun || !strings.EqualFold(g.ResourceID, r.ID) {
		return g, fmt.Errorf("grant %s is on %s %s: %w", grantID, g.ResourceType, g.ResourceID, ErrNotShared)
	}
	return a.RevokeGrant(ctx, grantID)
}

// CreateShareToken creates a share token and a viewer grant of the run to
// it, so that whoever holds the token can read the run. When the grant
// fails the new token is revoked (best effort) and the error returned.
func (r *Run) CreateShareToken(ctx context.Context, expiresAt *time.Time) (ShareTokenCreateResponse, GrantReadResponse, error) {
	a := r.c.Access()
	tok, err := a.CreateShareToken(ctx, expiresAt)
	if err != nil {
		return tok, GrantReadResponse{}, err
	}
	id := tok.ShareTokenID
	g, err := a.CreateGrant(ctx, GrantCreateRequest{ResourceType: ResourceRun, ResourceID: r.ID,
		SubjectType: SubjectShareToken, SubjectID: &id, Relation: RelationViewer})
	if err != nil {
		if _, rerr := a.RevokeShareToken(context.WithoutCancel(ctx), id); rerr != nil {
			r.c.debugf("share token %s: grant failed and the token could not be revoked: %v", id, rerr)
		}
		return ShareTokenCreateResponse{}, g, fmt.Errorf("share run %s with a new token: %w", r.ID, err)
	}
	return tok, g, nil
}

// ShareTokens yields the caller's share tokens that have a grant on the run.
func (r *Run) ShareTokens(ctx context.Context) iter.Seq2[ShareTokenReadResponse, error] {
	return r.c.Access().ShareTokens(ctx, ShareTokenListOptions{RunID: r.ID})
}

// RevokeShareToken revokes a share token of the run. It refuses
// (ErrNotShared, nothing revoked) a token that has no grant on the run.
func (r *Run) RevokeShareToken(ctx context.Context, tokenID string) (ShareTokenReadResponse, error) {
	found := false
	for t, err := range r.ShareTokens(ctx) {
		if err != nil {
			return ShareTokenReadResponse{}, err
		}
		if strings.EqualFold(t.ShareTokenID, tokenID) {
			found = true
			break
		}
	}
	if !found {
		return ShareTokenReadResponse{}, fmt.Errorf("share token %s: %w (see the run's share-token list)", tokenID, ErrNotShared)
	}
	return r.c.Access().RevokeShareToken(ctx, tokenID)
}

// pageSize returns n, or the client's default for 0, checked to be 5..100.
func (c *Client) pageSize(n int) (int, error) {
	if n == 0 {
		n = c.o.PageSize
	}
	return n, checkPageSize(n)
}

func setNonEmpty(q url.Values, k, v string) {
	if v != "" {
		q.Set(k, v)
	}
}
