package emulator

import (
	"cmp"
	"net/http"
	"slices"
	"time"
)

// grantSortFields and tokenSortFields: the spec lists no sort keys for these
// lists, so the fields of their response schemas are accepted.
func grantSortFields() []string {
	return []string{"grant_id", "resource_type", "resource_id", "subject_type", "subject_id",
		"relation", "created_by", "created_at", "revoked"}
}

func tokenSortFields() []string {
	return []string{"share_token_id", "created_by", "created_at", "expires_at", "revoked"}
}

// createGrant serves POST /v1/access/grants.
func (p *platform) createGrant(w http.ResponseWriter, r *http.Request, _ []string) {
	v, errs := decodeJSON(r)
	var g grant
	var email string
	if errs == nil {
		body, ok := v.(map[string]any)
		if !ok {
			errs = []fieldError{wrongType("model_attributes_type", v, "body")}
		} else {
			g, email, errs = parseGrant(body)
		}
	}
	if len(errs) > 0 {
		writeInvalid(w, errs)
		return
	}
	if g.Relation != "viewer" {
		writeDetail(w, http.StatusUnprocessableEntity, "Only viewer grants can be created")
		return
	}
	pr := p.caller(r)
	p.mu.Lock()
	defer p.mu.Unlock()
	owner, ok := p.resourceOwner(g.ResourceType, g.ResourceID)
	if !ok {
		writeDetail(w, http.StatusNotFound, "Resource not found")
		return
	}
	if owner != pr.Subject {
		writeDetail(w, http.StatusForbidden, "You don't have permission to grant access to this resource")
		return
	}
	switch g.SubjectType {
	case "share_token":
		if !isUUID(g.SubjectID) {
			writeDetail(w, http.StatusNotFound, "Share token not found")
			return
		}
		g.SubjectID = canonicalUUID(g.SubjectID)
		if _, ok := p.resourceOwner("share_token", g.SubjectID); !ok {
			writeDetail(w, http.StatusNotFound, "Share token not found")
			return
		}
	case "organization_user", "organization_admin":
		if g.SubjectID == "" {
			g.SubjectID = pr.OrgID
		}
	default:
		if g.SubjectID == "" {
			g.SubjectID = email
		}
	}
	g.ID, g.CreatedBy, g.CreatedAt = p.nextID("grant"), pr.Subject, p.now().UTC()
	p.st.grants = append(p.st.grants, &g)
	writeJSON(w, http.StatusCreated, g)
}

// parseGrant checks a GrantCreateRequest.
func parseGrant(body map[string]any) (grant, string, []fieldError) {
	var g grant
	var errs []fieldError
	enum := func(name string, values []string) string {
		var s string
		s, errs = requiredString(body, name, errs, "body")
		if s != "" && !slices.Contains(values, s) {
			errs = append(errs, enumError(values, s, "body", name))
		}
		return s
	}
	g.ResourceType = enum("resource_type", resourceTypes())
	g.SubjectType = enum("subject_type", subjectTypes())
	g.Relation = enum("relation", grantRelations())
	var id, email string
	id, errs = requiredString(body, "resource_id", errs, "body")
	if id != "" && !isUUID(id) {
		errs = append(errs, uuidError(id, "body", "resource_id"))
	} else if id != "" {
		g.ResourceID = canonicalUUID(id)
	}
	g.SubjectID, errs = optionalString(body, "subject_id", errs, "body")
	email, errs = optionalString(body, "subject_email", errs, "body")
	if len(errs) > 0 {
		return g, email, errs
	}
	if g.SubjectID == "" && email == "" && (g.SubjectType == "user" || g.SubjectType == "share_token") {
		errs = append(errs, fieldError{Loc: []any{"body", "subject_id"}, Type: "value_error",
			Msg: "Value error, subject_id or subject_email is required", Input: nil})
	}
	return g, email, errs
}

// grantVisible: the grant's creator, and the user it was granted to, see it.
func grantVisible(g *grant, pr principal) bool {
	return g.CreatedBy == pr.Subject || (g.SubjectType == "user" && g.SubjectID == pr.Subject)
}

// listGrants serves GET /v1/access/grants.
func (p *platform) listGrants(w http.ResponseWriter, r *http.Request, _ []string) {
	q := r.URL.Query()
	var errs []fieldError
	page, size := pageParams(q, "page_size", &errs)
	keys := sortParams(q, grantSortFields(), &errs)
	rtype := enumParam(q, "resource_type", resourceTypes(), &errs)
	rid := uuidParam(q, "resource_id", &errs)
	stype := enumParam(q, "subject_type", subjectTypes(), &errs)
	revoked := boolParam(q, "revoked", &errs)
	relations := map[string]bool{}
	for k, v := range q["relation"] {
		if !slices.Contains(grantRelations(), v) {
			errs = append(errs, enumError(grantRelations(), v, "query", "relation", k))
		}
		relations[v] = true
	}
	if len(errs) > 0 {
		writeInvalid(w, errs)
		return
	}
	sid := q.Get("subject_id")
	pr := p.caller(r)
	p.mu.RLock()
	var out []grant
	for _, g := range p.st.grants {
		if !grantVisible(g, pr) || (rtype != "" && g.ResourceType != rtype) || (rid != "" && g.ResourceID != rid) ||
			(stype != "" && g.SubjectType != stype) || (sid != "" && g.SubjectID != sid) ||
			(len(relations) > 0 && !relations[g.Relation]) || (revoked != nil && g.Revoked != *revoked) {
			continue
		}
		out = append(out, *g)
	}
	p.mu.RUnlock()
	slices.SortStableFunc(out, func(a, b grant) int {
		return compareKeys(keys, func(f string) int {
			switch f {
			case "grant_id":
				return cmp.Compare(a.ID, b.ID)
			case "resource_type":
				return cmp.Compare(a.ResourceType, b.ResourceType)
			case "resource_id":
				return cmp.Compare(a.ResourceID, b.ResourceID)
			case "subject_type":
				return cmp.Compare(a.SubjectType, b.SubjectType)
			case "subject_id":
				return cmp.Compare(a.SubjectID, b.SubjectID)
			case "relation":
				return cmp.Compare(a.Relation, b.Relation)
			case "created_by":
				return cmp.Compare(a.CreatedBy, b.CreatedBy)
			case "created_at":
				return a.CreatedAt.Compare(b.CreatedAt)
			default:
				return cmpBool(a.Revoked, b.Revoked)
			}
		})
	})
	lo, hi := pageBounds(len(out), page, size)
	writeJSON(w, http.StatusOK, append([]grant{}, out[lo:hi]...))
}

// cmpBool orders false before true.
func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// findGrant looks grant_id up, answering 422/404 when it cannot.
func (p *platform) findGrant(w http.ResponseWriter, raw string) (*grant, bool) {
	id, ok := pathUUID(w, "grant_id", raw)
	if !ok {
		return nil, false
	}
	for _, g := range p.st.grants {
		if g.ID == id {
			return g, true
		}
	}
	writeDetail(w, http.StatusNotFound, "Grant not found")
	return nil, false
}

// getGrant serves GET /v1/access/grants/{grant_id}.
func (p *platform) getGrant(w http.ResponseWriter, r *http.Request, args []string) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	g, ok := p.findGrant(w, args[0])
	switch {
	case !ok:
	case !grantVisible(g, p.caller(r)):
		writeDetail(w, http.StatusForbidden, "You don't have permission to view this grant")
	default:
		writeJSON(w, http.StatusOK, *g)
	}
}

// revokeGrant serves DELETE /v1/access/grants/{grant_id}.
func (p *platform) revokeGrant(w http.ResponseWriter, r *http.Request, args []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	g, ok := p.findGrant(w, args[0])
	switch {
	case !ok:
	case g.CreatedBy != p.caller(r).Subject:
		writeDetail(w, http.StatusForbidden, "You don't have permission to revoke this grant")
	case g.Revoked:
		writeDetail(w, http.StatusConflict, "Grant is already revoked")
	default:
		g.Revoked = true
		writeJSON(w, http.StatusOK, *g)
	}
}

// tokenJSON is the spec's ShareTokenReadResponse (and, with the value,
// ShareTokenCreateResponse).
type tokenJSON struct {
	ID         string     `json:"share_token_id"`
	ShareToken string     `json:"share_token,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	Revoked    bool       `json:"revoked"`
}

func (s *shareToken) json() tokenJSON {
	return tokenJSON{ID: s.ID, CreatedAt: s.CreatedAt, ExpiresAt: s.ExpiresAt, Revoked: s.Revoked}
}

// createShareToken serves POST /v1/access/share-tokens; the value is shown once.
func (p *platform) createShareToken(w http.ResponseWriter, r *http.Request, _ []string) {
	v, errs := decodeJSON(r)
	var expires *time.Time
	now := p.now().UTC()
	if errs == nil {
		body, ok := v.(map[string]any)
		if !ok {
			errs = []fieldError{wrongType("model_attributes_type", v, "body")}
		} else if x, ok := body["expires_at"]; ok && x != nil {
			s, _ := x.(string)
			t, err := time.Parse(time.RFC3339Nano, s)
			switch {
			case err != nil:
				errs = append(errs, wrongType("datetime_from_date_parsing", x, "body", "expires_at"))
			case !t.After(now):
				errs = append(errs, fieldError{Loc: []any{"body", "expires_at"}, Type: "value_error",
					Msg: "Value error, expires_at must be in the future", Input: x})
			default:
				u := t.UTC()
				expires = &u
			}
		}
	}
	if len(errs) > 0 {
		writeInvalid(w, errs)
		return
	}
	value, err := newShareTokenValue()
	if err != nil {
		writeDetail(w, http.StatusInternalServerError, "could not create a share token")
		return
	}
	pr := p.caller(r)
	p.mu.Lock()
	s := &shareToken{ID: p.nextID("share_token"), Hash: hashShareToken(value), CreatedBy: pr.Subject,
		CreatedAt: now, ExpiresAt: expires}
	p.st.tokens = append(p.st.tokens, s)
	out := s.json()
	p.mu.Unlock()
	out.ShareToken = value
	writeJSON(w, http.StatusCreated, out)
}

// listShareTokens serves GET /v1/access/share-tokens (the caller's own).
func (p *platform) listShareTokens(w http.ResponseWriter, r *http.Request, _ []string) {
	q := r.URL.Query()
	var errs []fieldError
	page, size := pageParams(q, "page_size", &errs)
	keys := sortParams(q, tokenSortFields(), &errs)
	runID := uuidParam(q, "run_id", &errs)
	revoked := boolParam(q, "revoked", &errs)
	if len(errs) > 0 {
		writeInvalid(w, errs)
		return
	}
	by := q.Get("created_by")
	pr := p.caller(r)
	p.mu.RLock()
	var rows []shareToken
	for _, s := range p.st.tokens {
		if s.CreatedBy != pr.Subject || (by != "" && s.CreatedBy != by) ||
			(revoked != nil && s.Revoked != *revoked) || (runID != "" && !p.tokenGrantsRun(s.ID, runID)) {
			continue
		}
		rows = append(rows, *s)
	}
	p.mu.RUnlock()
	slices.SortStableFunc(rows, func(a, b shareToken) int {
		return compareKeys(keys, func(f string) int {
			switch f {
			case "share_token_id":
				return cmp.Compare(a.ID, b.ID)
			case "created_by":
				return cmp.Compare(a.CreatedBy, b.CreatedBy)
			case "created_at":
				return a.CreatedAt.Compare(b.CreatedAt)
			case "expires_at":
				var x, y int64
				if a.ExpiresAt != nil {
					x = a.ExpiresAt.UnixNano()
				}
				if b.ExpiresAt != nil {
					y = b.ExpiresAt.UnixNano()
				}
				return compareNullable(x, a.ExpiresAt != nil, y, b.ExpiresAt != nil)
			default:
				return cmpBool(a.Revoked, b.Revoked)
			}
		})
	})
	lo, hi := pageBounds(len(rows), page, size)
	out := []tokenJSON{}
	for i := range rows[lo:hi] {
		out = append(out, rows[lo+i].json())
	}
	writeJSON(w, http.StatusOK, out)
}

// tokenGrantsRun reports whether a share token has a grant on a run.
func (p *platform) tokenGrantsRun(tokenID, runID string) bool {
	for _, g := range p.st.grants {
		if g.SubjectType == "share_token" && g.SubjectID == tokenID && g.ResourceType == "run" && g.ResourceID == runID {
			return true
		}
	}
	return false
}

// findToken looks share_token_id up for its creator (404/403 otherwise).
func (p *platform) findToken(w http.ResponseWriter, r *http.Request, raw, verb string) (*shareToken, bool) {
	id, ok := pathUUID(w, "share_token_id", raw)
	if !ok {
		return nil, false
	}
	for _, s := range p.st.tokens {
		if s.ID != id {
			continue
		}
		if s.CreatedBy != p.caller(r).Subject {
			writeDetail(w, http.StatusForbidden, "You don't have permission to "+verb+" this share token")
			return nil, false
		}
		return s, true
	}
	writeDetail(w, http.StatusNotFound, "Share token not found")
	return nil, false
}

// getShareToken serves GET /v1/access/share-tokens/{share_token_id}.
func (p *platform) getShareToken(w http.ResponseWriter, r *http.Request, args []string) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if s, ok := p.findToken(w, r, args[0], "view"); ok {
		writeJSON(w, http.StatusOK, s.json())
	}
}

// revokeShareToken serves DELETE /v1/access/share-tokens/{share_token_id}.
func (p *platform) revokeShareToken(w http.ResponseWriter, r *http.Request, args []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s, ok := p.findToken(w, r, args[0], "revoke")
	switch {
	case !ok:
	case s.Revoked:
		writeDetail(w, http.StatusConflict, "Share token is already revoked")
	default:
		s.Revoked = true
		writeJSON(w, http.StatusOK, s.json())
	}
}
