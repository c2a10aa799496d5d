package emulator

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"
)

func TestShareTokensAndGrants(t *testing.T) {
	h := newHarness(t)
	id := h.createRun(runBody("test-app", "", "a"))
	eve := []reqOpt{as("auth0|eve"), inOrg("org-9")}

	// A share token: the value once, then read without it.
	tok := h.want(h.do("POST", "/api/v1/access/share-tokens", map[string]any{}), http.StatusCreated)
	value, tokID := tok.str("share_token"), tok.str("share_token_id")
	if value == "" || tok.get("expires_at") != nil || tok.get("revoked") != false {
		t.Fatalf("share token: %s", tok.Body)
	}
	read := h.want(h.do("GET", "/api/v1/access/share-tokens/"+tokID, nil), http.StatusOK)
	if read.get("share_token") != nil {
		t.Errorf("share token value shown again: %s", read.Body)
	}
	h.want(h.do("GET", "/api/v1/access/share-tokens/"+tokID, nil, eve...), http.StatusForbidden)
	h.want(h.do("GET", "/api/v1/access/share-tokens/00000000-0000-4000-8000-000000000000", nil), http.StatusNotFound)
	h.want(h.do("GET", "/api/v1/access/share-tokens/x", nil), http.StatusUnprocessableEntity)

	// Without a grant the token opens nothing.
	shared := "/api/v1/runs/" + id + "?share_token=" + url.QueryEscape(value)
	h.want(h.do("GET", shared, nil, eve...), http.StatusForbidden)

	grantBody := map[string]any{"resource_type": "run", "resource_id": id, "subject_type": "share_token",
		"subject_id": tokID, "relation": "viewer"}
	h.want(h.do("POST", "/api/v1/access/grants", grantBody, eve...), http.StatusForbidden)
	g := h.want(h.do("POST", "/api/v1/access/grants", grantBody), http.StatusCreated)
	gid := g.str("grant_id")
	if g.str("created_by") != "auth0|alice" || g.get("revoked") != false {
		t.Errorf("grant: %s", g.Body)
	}
	h.want(h.do("GET", shared, nil, eve...), http.StatusOK)
	h.want(h.do("GET", "/api/v1/runs/"+id+"/items/a?share_token="+url.QueryEscape(value), nil, eve...), http.StatusOK)
	h.want(h.do("GET", "/api/v1/runs/"+id+"/items?share_token="+url.QueryEscape(value), nil, eve...), http.StatusOK)
	h.want(h.do("GET", "/api/v1/runs/"+id+"?share_token=wrong", nil, eve...), http.StatusForbidden)

	// Lists and filters.
	for _, tc := range []struct {
		query string
		n     int
	}{
		{"", 1}, {"?resource_type=run&resource_id=" + id, 1}, {"?subject_type=user", 0}, {"?relation=viewer&relation=owner", 1},
		{"?revoked=false", 1}, {"?revoked=true", 0}, {"?subject_id=" + tokID, 1}, {"?sort=-created_at&sort=grant_id", 1},
		{"?page=2&page_size=5", 0},
	} {
		r := h.want(h.do("GET", "/api/v1/access/grants"+tc.query, nil), http.StatusOK)
		if len(r.list()) != tc.n {
			t.Errorf("grants%s: %d, want %d", tc.query, len(r.list()), tc.n)
		}
	}
	for _, q := range []string{"?resource_type=x", "?relation=admin", "?revoked=maybe", "?resource_id=1", "?sort=nope", "?page_size=500"} {
		h.want(h.do("GET", "/api/v1/access/grants"+q, nil), http.StatusUnprocessableEntity)
	}
	if l := h.want(h.do("GET", "/api/v1/access/grants", nil, eve...), http.StatusOK); len(l.list()) != 0 {
		t.Errorf("eve sees %d grants", len(l.list()))
	}
	for _, tc := range []struct {
		query string
		n     int
	}{{"", 1}, {"?run_id=" + id, 1}, {"?run_id=00000000-0000-4000-8000-000000000000", 0}, {"?revoked=true", 0},
		{"?created_by=auth0|alice", 1}, {"?sort=-expires_at&sort=share_token_id", 1}} {
		r := h.want(h.do("GET", "/api/v1/access/share-tokens"+tc.query, nil), http.StatusOK)
		if len(r.list()) != tc.n {
			t.Errorf("share-tokens%s: %d, want %d", tc.query, len(r.list()), tc.n)
		}
	}
	for _, q := range []string{"?run_id=nope", "?revoked=2", "?sort=value", "?page=0"} {
		h.want(h.do("GET", "/api/v1/access/share-tokens"+q, nil), http.StatusUnprocessableEntity)
	}

	h.want(h.do("GET", "/api/v1/access/grants/"+gid, nil), http.StatusOK)
	h.want(h.do("GET", "/api/v1/access/grants/"+gid, nil, eve...), http.StatusForbidden)
	h.want(h.do("GET", "/api/v1/access/grants/00000000-0000-4000-8000-000000000000", nil), http.StatusNotFound)
	h.want(h.do("DELETE", "/api/v1/access/grants/"+gid, nil, eve...), http.StatusForbidden)

	// Revoking the token closes the door even with the grant in place.
	h.want(h.do("DELETE", "/api/v1/access/share-tokens/"+tokID, nil, eve...), http.StatusForbidden)
	rev := h.want(h.do("DELETE", "/api/v1/access/share-tokens/"+tokID, nil), http.StatusOK)
	if rev.get("revoked") != true {
		t.Errorf("revoked token: %s", rev.Body)
	}
	h.want(h.do("DELETE", "/api/v1/access/share-tokens/"+tokID, nil), http.StatusConflict)
	h.want(h.do("DELETE", "/api/v1/access/share-tokens/00000000-0000-4000-8000-000000000000", nil), http.StatusNotFound)
	h.want(h.do("GET", shared, nil, eve...), http.StatusForbidden)

	rg := h.want(h.do("DELETE", "/api/v1/access/grants/"+gid, nil), http.StatusOK)
	if rg.get("revoked") != true {
		t.Errorf("revoked grant: %s", rg.Body)
	}
	h.want(h.do("DELETE", "/api/v1/access/grants/"+gid, nil), http.StatusConflict)
	h.want(h.do("DELETE", "/api/v1/access/grants/00000000-0000-4000-8000-000000000000", nil), http.StatusNotFound)
}

func TestGrantToUserAndValidation(t *testing.T) {
	h := newHarness(t)
	id := h.createRun(runBody("test-app", "", "a"))
	eve := []reqOpt{as("auth0|eve"), inOrg("org-9")}
	h.want(h.do("GET", "/api/v1/runs/"+id, nil, eve...), http.StatusForbidden)
	g := h.want(h.do("POST", "/api/v1/access/grants", map[string]any{"resource_type": "run", "resource_id": id,
		"subject_type": "user", "subject_id": "auth0|eve", "relation": "viewer"}), http.StatusCreated)
	h.want(h.do("GET", "/api/v1/runs/"+id, nil, eve...), http.StatusOK)
	// The grantee sees the grant.
	h.want(h.do("GET", "/api/v1/access/grants/"+g.str("grant_id"), nil, eve...), http.StatusOK)
	// An organization grant by email-less default subject.
	org := h.want(h.do("POST", "/api/v1/access/grants", map[string]any{"resource_type": "run", "resource_id": id,
		"subject_type": "organization_user", "subject_id": "org-7", "relation": "viewer"}), http.StatusCreated)
	_ = org
	h.want(h.do("GET", "/api/v1/runs/"+id, nil, as("auth0|zed"), inOrg("org-7")), http.StatusOK)
	byEmail := h.want(h.do("POST", "/api/v1/access/grants", map[string]any{"resource_type": "run", "resource_id": id,
		"subject_type": "user", "subject_email": "carol@example.com", "relation": "viewer"}), http.StatusCreated)
	if byEmail.str("subject_id") != "carol@example.com" {
		t.Errorf("grant by email: %s", byEmail.Body)
	}
	h.want(h.do("GET", "/api/v1/runs/"+id, nil, as("auth0|carol"), inOrg("org-8"),
		func(r *http.Request) { r.Header.Set("X-Test-Email", "carol@example.com") }), http.StatusOK)

	// Grants on items and artifacts, and their 404s.
	h.clock.Advance(time.Minute)
	item := h.want(h.do("GET", "/api/v1/runs/"+id+"/items/a", nil), http.StatusOK)
	for kind, rid := range map[string]string{"item": item.str("item_id"), "output_artifact": item.str("output_artifacts/0/output_artifact_id")} {
		h.want(h.do("POST", "/api/v1/access/grants", map[string]any{"resource_type": kind, "resource_id": rid,
			"subject_type": "user", "subject_id": "auth0|eve", "relation": "viewer"}), http.StatusCreated)
		h.want(h.do("POST", "/api/v1/access/grants", map[string]any{"resource_type": kind, "resource_id": "00000000-0000-4000-8000-000000000000",
			"subject_type": "user", "subject_id": "auth0|eve", "relation": "viewer"}), http.StatusNotFound)
	}
	h.want(h.do("POST", "/api/v1/access/grants", map[string]any{"resource_type": "run", "resource_id": id,
		"subject_type": "share_token", "subject_id": "00000000-0000-4000-8000-000000000000", "relation": "viewer"}), http.StatusNotFound)
	for i, bad := range []any{
		map[string]any{"resource_type": "run", "resource_id": id, "subject_type": "user", "subject_id": "x", "relation": "owner"},
		map[string]any{"resource_type": "run", "resource_id": id, "subject_type": "user", "relation": "viewer"},
		map[string]any{"resource_type": "job", "resource_id": id, "subject_type": "user", "subject_id": "x", "relation": "viewer"},
		map[string]any{"resource_type": "run", "resource_id": "1", "subject_type": "user", "subject_id": "x", "relation": "viewer"},
		map[string]any{"resource_id": id, "subject_type": "user", "subject_id": "x", "relation": "viewer"},
		`{"resource_type":`, `[]`,
	} {
		r := h.want(h.do("POST", "/api/v1/access/grants", bad), http.StatusUnprocessableEntity)
		if r.get("detail") == nil {
			t.Errorf("bad grant %d: no detail", i)
		}
		if i == 0 && r.str("detail") != "Only viewer grants can be created" {
			t.Errorf("owner grant: %s", r.Body)
		}
	}
	h.want(h.do("POST", "/api/v1/access/grants", map[string]any{"resource_type": "run", "resource_id": "00000000-0000-4000-8000-000000000000",
		"subject_type": "user", "subject_id": "x", "relation": "viewer"}), http.StatusNotFound)
}

func TestShareTokenExpiry(t *testing.T) {
	h := newHarness(t)
	id := h.createRun(runBody("test-app", "", "a"))
	exp := h.clock.Now().Add(time.Hour).Format(time.RFC3339)
	tok := h.want(h.do("POST", "/api/v1/access/share-tokens", map[string]any{"expires_at": exp}), http.StatusCreated)
	if tok.str("expires_at") == "" {
		t.Fatalf("expires_at not echoed: %s", tok.Body)
	}
	h.want(h.do("POST", "/api/v1/access/grants", map[string]any{"resource_type": "run", "resource_id": id,
		"subject_type": "share_token", "subject_id": tok.str("share_token_id"), "relation": "viewer"}), http.StatusCreated)
	path := fmt.Sprintf("/api/v1/runs/%s?share_token=%s", id, url.QueryEscape(tok.str("share_token")))
	eve := []reqOpt{as("auth0|eve"), inOrg("org-9")}
	h.want(h.do("GET", path, nil, eve...), http.StatusOK)
	h.clock.Advance(time.Hour)
	h.want(h.do("GET", path, nil, eve...), http.StatusForbidden)
	for _, bad := range []any{map[string]any{"expires_at": "tomorrow"}, map[string]any{"expires_at": h.clock.Now().Add(-time.Second).Format(time.RFC3339)}, "[]", "{"} {
		h.want(h.do("POST", "/api/v1/access/share-tokens", bad), http.StatusUnprocessableEntity)
	}
}

func TestAccessListSorting(t *testing.T) {
	h := newHarness(t)
	id := h.createRun(runBody("test-app", "", "a"))
	var grants []string
	for _, sub := range []string{"auth0|c", "auth0|a", "auth0|b"} {
		g := h.want(h.do("POST", "/api/v1/access/grants", map[string]any{"resource_type": "run", "resource_id": id,
			"subject_type": "user", "subject_id": sub, "relation": "viewer"}), http.StatusCreated)
		grants = append(grants, g.str("grant_id"))
		h.clock.Advance(time.Second)
	}
	h.want(h.do("DELETE", "/api/v1/access/grants/"+grants[1], nil), http.StatusOK)
	field := func(r resp, f string) []string {
		var out []string
		for i := range r.list() {
			out = append(out, fmt.Sprint(r.get(fmt.Sprintf("%d/%s", i, f))))
		}
		return out
	}
	for _, tc := range []struct {
		sort, field string
		want        []string
	}{
		{"subject_id", "subject_id", []string{"auth0|a", "auth0|b", "auth0|c"}},
		{"-subject_id", "subject_id", []string{"auth0|c", "auth0|b", "auth0|a"}},
		{"-created_at", "subject_id", []string{"auth0|b", "auth0|a", "auth0|c"}},
		{"revoked&sort=subject_id", "subject_id", []string{"auth0|b", "auth0|c", "auth0|a"}},
		{"-revoked", "revoked", []string{"true", "false", "false"}},
		{"resource_type&sort=relation&sort=created_by&sort=resource_id&sort=subject_type&sort=-grant_id", "revoked", nil},
	} {
		r := h.want(h.do("GET", "/api/v1/access/grants?sort="+tc.sort, nil), http.StatusOK)
		if len(r.list()) != 3 {
			t.Fatalf("sort=%s: %d grants", tc.sort, len(r.list()))
		}
		if tc.want != nil && fmt.Sprint(field(r, tc.field)) != fmt.Sprint(tc.want) {
			t.Errorf("sort=%s: %v, want %v", tc.sort, field(r, tc.field), tc.want)
		}
	}
	var tokens []string
	for _, exp := range []any{nil, h.clock.Now().Add(2 * time.Hour).Format(time.RFC3339), h.clock.Now().Add(time.Hour).Format(time.RFC3339)} {
		tk := h.want(h.do("POST", "/api/v1/access/share-tokens", map[string]any{"expires_at": exp}), http.StatusCreated)
		tokens = append(tokens, tk.str("share_token_id"))
		h.clock.Advance(time.Second)
	}
	h.want(h.do("DELETE", "/api/v1/access/share-tokens/"+tokens[2], nil), http.StatusOK)
	for _, tc := range []struct {
		sort string
		want []string
	}{
		{"expires_at", []string{tokens[2], tokens[1], tokens[0]}},
		{"-expires_at", []string{tokens[0], tokens[1], tokens[2]}},
		{"-created_at", []string{tokens[2], tokens[1], tokens[0]}},
		{"revoked&sort=-created_at", []string{tokens[1], tokens[0], tokens[2]}},
		{"created_by&sort=created_at", tokens},
	} {
		r := h.want(h.do("GET", "/api/v1/access/share-tokens?sort="+tc.sort, nil), http.StatusOK)
		if got := field(r, "share_token_id"); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("tokens sort=%s: %v, want %v", tc.sort, got, tc.want)
		}
	}
	r := h.want(h.do("GET", "/api/v1/access/share-tokens?sort=share_token_id&page_size=5&page=1", nil), http.StatusOK)
	if len(r.list()) != 3 {
		t.Errorf("%d tokens", len(r.list()))
	}
}
