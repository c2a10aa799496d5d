package resources_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/emulator/emulatortest"
	"github.com/aignostics/aignostics/resources"
)

// contract checks the client's requests against the OpenAPI document, as
// a Prism proxy would: the operation exists, every query parameter is one
// it declares (enum values included), a JSON body has only the request
// schema's properties, all required ones, of the right types and enums,
// and the answer's status is one the operation lists.
type contract struct {
	t       *testing.T
	schemas map[string]any
	ops     []contractOp
	mu      sync.Mutex
	seen    map[string]int // operationId: requests checked
}

type contractOp struct {
	method, id string
	segs       []string
	params     []map[string]any
	body       any // request body schema, nil when none
	statuses   []string
}

func loadContract(t *testing.T) *contract {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "platform-api-1.7.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	c := &contract{t: t, schemas: raw.Components.Schemas, seen: map[string]int{}}
	for path, ops := range raw.Paths {
		for method, rawOp := range ops {
			var op struct {
				ID          string           `json:"operationId"`
				Parameters  []map[string]any `json:"parameters"`
				RequestBody struct {
					Content map[string]struct {
						Schema any `json:"schema"`
					} `json:"content"`
				} `json:"requestBody"`
				Responses map[string]any `json:"responses"`
			}
			if err := json.Unmarshal(rawOp, &op); err != nil {
				t.Fatal(err)
			}
			co := contractOp{method: strings.ToUpper(method), id: op.ID,
				segs: strings.Split(strings.Trim(path, "/"), "/"), params: op.Parameters,
				body: op.RequestBody.Content["application/json"].Schema}
			for s := range op.Responses {
				co.statuses = append(co.statuses, s)
			}
			c.ops = append(c.ops, co)
		}
	}
	return c
}

// find returns the operation of a request path under /api (literal
// segments win over parameters).
func (c *contract) find(method, escapedPath string) (*contractOp, []string) {
	segs := strings.Split(strings.Trim(strings.TrimPrefix(escapedPath, "/api"), "/"), "/")
	var best *contractOp
	var bestArgs []string
	bestLiteral := -1
	for i := range c.ops {
		op := &c.ops[i]
		if op.method != method || len(op.segs) != len(segs) {
			continue
		}
		literal, ok := 0, true
		var args []string
		for k, s := range op.segs {
			switch {
			case strings.HasPrefix(s, "{"):
				args = append(args, s)
			case s == segs[k]:
				literal++
			default:
				ok = false
			}
		}
		if ok && literal > bestLiteral {
			best, bestArgs, bestLiteral = op, args, literal
		}
	}
	return best, bestArgs
}

func (c *contract) resolve(s any) map[string]any {
	m, _ := s.(map[string]any)
	for m != nil {
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		m, _ = c.schemas[strings.TrimPrefix(ref, "#/components/schemas/")].(map[string]any)
	}
	return m
}

// validate checks v against schema: $ref, anyOf, type, enum, format
// date-time/uuid, properties (unknown ones are errors), required, items.
func (c *contract) validate(schema any, v any, at string) []string {
	s := c.resolve(schema)
	if s == nil {
		return nil
	}
	if alts, ok := s["anyOf"].([]any); ok {
		var first []string
		for _, a := range alts {
			errs := c.validate(a, v, at)
			if len(errs) == 0 {
				return nil
			}
			if first == nil {
				first = errs
			}
		}
		return first
	}
	if enum, ok := s["enum"].([]any); ok && !slices.Contains(enum, v) {
		return []string{fmt.Sprintf("%s: %v is not one of %v", at, v, enum)}
	}
	switch s["type"] {
	case "null":
		if v != nil {
			return []string{at + ": want null"}
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			return []string{fmt.Sprintf("%s: want a string, got %T", at, v)}
		}
		if s["format"] == "date-time" {
			if _, err := time.Parse(time.RFC3339Nano, str); err != nil {
				return []string{at + ": not an RFC 3339 date-time: " + str}
			}
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return []string{at + ": want a boolean"}
		}
	case "object":
		obj, ok := v.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want an object, got %T", at, v)}
		}
		props, _ := s["properties"].(map[string]any)
		var errs []string
		for k, pv := range obj {
			ps, known := props[k]
			if !known {
				if s["additionalProperties"] == true || props == nil {
					continue
				}
				errs = append(errs, at+"."+k+": not a property of the request schema")
				continue
			}
			errs = append(errs, c.validate(ps, pv, at+"."+k)...)
		}
		for _, r := range asList(s["required"]) {
			if _, ok := obj[r.(string)]; !ok {
				errs = append(errs, at+"."+r.(string)+": required")
			}
		}
		return errs
	}
	return nil
}

func asList(v any) []any { l, _ := v.([]any); return l }

// check validates one request and its answer's status.
func (c *contract) check(r *http.Request, body []byte, status int) {
	op, _ := c.find(r.Method, r.URL.EscapedPath())
	if op == nil {
		c.t.Errorf("%s %s: no operation of the spec", r.Method, r.URL.Path)
		return
	}
	c.mu.Lock()
	c.seen[op.id]++
	c.mu.Unlock()
	for name, values := range r.URL.Query() {
		var decl map[string]any
		for _, p := range op.params {
			if p["in"] == "query" && p["name"] == name {
				decl = p
			}
		}
		if decl == nil {
			c.t.Errorf("%s %s (%s): query parameter %q is not declared", r.Method, r.URL.Path, op.id, name)
			continue
		}
		for _, v := range values {
			sch := c.resolve(decl["schema"])
			if sch["type"] == "integer" {
				if _, err := strconv.Atoi(v); err != nil {
					c.t.Errorf("%s (%s): %s=%q is not an integer", r.URL.Path, op.id, name, v)
				}
				continue
			}
			{
				if alts, ok := sch["anyOf"].([]any); ok && len(alts) > 0 {
					sch = c.resolve(alts[0])
				}
				if sch["type"] == "array" {
					sch = c.resolve(sch["items"])
				}
				if sch["type"] == "boolean" && v != "true" && v != "false" {
					c.t.Errorf("%s (%s): %s=%q is not a boolean", r.URL.Path, op.id, name, v)
				}
				if enum, ok := sch["enum"].([]any); ok && !slices.Contains(enum, any(v)) {
					c.t.Errorf("%s (%s): %s=%q is not one of %v", r.URL.Path, op.id, name, v, enum)
				}
			}
		}
	}
	switch {
	case op.body == nil && len(body) > 0:
		c.t.Errorf("%s %s (%s): a body the operation does not take", r.Method, r.URL.Path, op.id)
	case op.body != nil:
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			c.t.Errorf("%s %s (%s): body is not JSON: %v", r.Method, r.URL.Path, op.id, err)
		} else if errs := c.validate(op.body, v, "body"); len(errs) > 0 {
			c.t.Errorf("%s %s (%s): %s\n  body: %s", r.Method, r.URL.Path, op.id, strings.Join(errs, "; "), body)
		}
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			c.t.Errorf("%s %s: Content-Type %q", r.Method, r.URL.Path, ct)
		}
	}
	// 401 comes from the authentication layer, which the document lists on
	// one operation only; a share-token reader meets it on version details.
	if status != http.StatusUnauthorized && !slices.Contains(op.statuses, strconv.Itoa(status)) {
		c.t.Errorf("%s %s (%s): answered %d, which the spec does not list", r.Method, r.URL.Path, op.id, status)
	}
}

// statusRecorder keeps the status a handler answered.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) { s.status = code; s.ResponseWriter.WriteHeader(code) }

// proxy serves the emulator's API through the contract check.
func (c *contract) proxy(emu *emulator.Emulator) *httptest.Server {
	target, _ := url.Parse(emu.URL())
	rp := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := &statusRecorder{ResponseWriter: w, status: 200}
		rp.ServeHTTP(rec, r)
		if strings.HasPrefix(r.URL.Path, "/api/v1/") {
			c.check(r, body, rec.status)
		}
	}))
	c.t.Cleanup(srv.Close)
	return srv
}

// TestRequestsFollowTheSpec drives sharing, share tokens, documents and
// metadata updates through a spec-checking proxy, including their error
// answers (403, 404, 409, 412, 422 as the operations list them).
func TestRequestsFollowTheSpec(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	emu := emulatortest.StartTest(t, emulator.Options{Clock: clk.Clock(), ArtifactSize: 256, Speed: 1000})
	k := loadContract(t)
	srv := k.proxy(emu)
	c := newClient(t, srv.URL, emu, resources.Options{Clock: clk.Clock()})

	run, err := c.Runs().Create(ctx, resources.RunCreationRequest{ApplicationID: "test-app", VersionNumber: ptr("1.0.0"), Items: items("k", 2)})
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	// Grants.
	g, err := run.ShareWithOrganization(ctx, "org_partner")
	if err != nil || g.SubjectType != resources.SubjectOrganizationUser || g.Relation != resources.RelationViewer || g.ResourceID != run.ID {
		t.Fatalf("share: %+v %v", g, err)
	}
	for gr, err := range run.Grants(ctx) {
		if err != nil || gr.GrantID != g.GrantID {
			t.Fatalf("grants: %+v %v", gr, err)
		}
	}
	revoked := true
	for _, err := range c.Access().Grants(ctx, resources.GrantListOptions{SubjectType: resources.SubjectOrganizationUser,
		Relations: []resources.GrantRelation{resources.RelationViewer}, Revoked: &revoked, Sort: []string{"-created_at"}, PageSize: 5}) {
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := run.Unshare(ctx, g.GrantID); err != nil {
		t.Fatal(err)
	}
	if _, err := run.Unshare(ctx, g.GrantID); err == nil || !strings.Contains(err.Error(), "409") {
		t.Fatalf("second unshare: %v", err)
	}
	if _, err := c.Access().CreateGrant(ctx, resources.GrantCreateRequest{ResourceType: resources.ResourceRun, ResourceID: run.ID,
		SubjectType: resources.SubjectUser, SubjectEmail: ptr("bob@example.com"), Relation: resources.RelationEditor}); err == nil || !strings.Contains(err.Error(), "422") {
		t.Fatalf("an editor grant: %v", err)
	}
	// Share tokens.
	exp := clk.Now().Add(2 * time.Hour)
	tok, tg, err := run.CreateShareToken(ctx, &exp)
	if err != nil || tok.ShareToken.Reveal() == "" || tg.SubjectID != tok.ShareTokenID || tok.ExpiresAt == nil {
		t.Fatalf("share token: %+v %+v %v", tok, tg, err)
	}
	if fmt.Sprint(tok) == "" || strings.Contains(fmt.Sprintf("%v %+v", tok, tok), tok.ShareToken.Reveal()) {
		t.Fatal("a printed ShareTokenCreateResponse shows the token")
	}
	if b, _ := json.Marshal(tok); strings.Contains(string(b), tok.ShareToken.Reveal()) {
		t.Fatal("a marshalled ShareTokenCreateResponse shows the token")
	}
	if _, _, err := run.CreateShareToken(ctx, nil); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for st, err := range run.ShareTokens(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, st.ShareTokenID)
	}
	if len(ids) != 2 || !slices.Contains(ids, tok.ShareTokenID) {
		t.Fatalf("share tokens of the run: %v", ids)
	}
	if _, err := c.Access().ShareToken(ctx, tok.ShareTokenID); err != nil {
		t.Fatal(err)
	}
	// Reading with the token alone: a client without a login token.
	reader := resources.NewFromHTTP(srv.URL, c.HTTP().WithToken(nil), resources.Options{Clock: clk.Clock(), ShareToken: tok.ShareToken})
	rr := reader.Run(run.ID)
	if d, err := rr.Details(ctx); err != nil || d.RunID != run.ID {
		t.Fatalf("details by share token: %v", err)
	}
	if _, err := rr.Item(ctx, "k-000"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sum, err := rr.DownloadToFolder(ctx, dir, resources.DownloadOptions{})
	if err != nil || sum.Downloaded == 0 {
		t.Fatalf("download by share token: %+v %v", sum, err)
	}
	if _, err := run.RevokeShareToken(ctx, tok.ShareTokenID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Access().RevokeShareToken(ctx, tok.ShareTokenID); err == nil || !strings.Contains(err.Error(), "409") {
		t.Fatalf("second revoke: %v", err)
	}
	if _, err := rr.Details(ctx); err == nil || !strings.Contains(err.Error(), "403") {
		t.Fatalf("revoked token: %v", err)
	}
	if _, err := run.RevokeShareToken(ctx, "00000000-0000-4000-8000-000000000000"); !errorsIsNotShared(err) {
		t.Fatalf("a token of no run: %v", err)
	}
	// Documents.
	var names []string
	for d, err := range c.Versions().Documents(ctx, "test-app", "1.0.0") {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, d.Name)
	}
	if len(names) != 2 {
		t.Fatalf("documents: %v", names)
	}
	if d, err := c.Versions().Document(ctx, "test-app", "1.0.0", "README.md"); err != nil || d.MimeType != "text/markdown" {
		t.Fatalf("document: %+v %v", d, err)
	}
	path := filepath.Join(dir, "README.md")
	if n, err := c.Versions().DownloadDocument(ctx, "test-app", "1.0.0", "README.md", path); err != nil || n == 0 {
		t.Fatalf("download document: %d %v", n, err)
	}
	if _, err := c.Versions().OpenDocument(ctx, "test-app", "1.0.0", "validation-report.pdf"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("an internal document: %v", err)
	}
	// Metadata updates with and without the precondition.
	it, err := run.Item(ctx, "k-001")
	if err != nil {
		t.Fatal(err)
	}
	s1, err := run.UpdateItemCustomMetadata(ctx, "k-001", map[string]any{"a": 1}, it.CustomMetadataChecksum)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := run.UpdateItemCustomMetadata(ctx, "k-001", map[string]any{"a": 2}, ptr("stale")); !strings.Contains(fmt.Sprint(err), "412") {
		t.Fatalf("stale item checksum: %v", err)
	}
	if _, err := run.UpdateItemCustomMetadata(ctx, "k-001", map[string]any{"a": 3}, s1); err != nil {
		t.Fatal(err)
	}
	if _, err := run.UpdateCustomMetadata(ctx, map[string]any{"r": true}, nil); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"create_grant_v1_access_grants_post", "list_grants_v1_access_grants_get", "get_grant_v1_access_grants__grant_id__get",
		"revoke_grant_v1_access_grants__grant_id__delete", "create_share_token_v1_access_share_tokens_post",
		"list_share_tokens_v1_access_share_tokens_get", "get_share_token_v1_access_share_tokens__share_token_id__get",
		"revoke_share_token_v1_access_share_tokens__share_token_id__delete", "list_version_documents", "get_version_document",
		"get_version_document_content", "put_item_custom_metadata_by_run_v1_runs__run_id__items__external_id__custom_metadata_put",
		"put_run_custom_metadata_v1_runs__run_id__custom_metadata_put", "get_run_v1_runs__run_id__get",
		"get_item_by_run_v1_runs__run_id__items__external_id__get", "list_run_items_v1_runs__run_id__items_get",
		"get_artifact_url_v1_runs__run_id__artifacts__artifact_id__file_get"} {
		if k.seen[id] == 0 {
			t.Errorf("operation %s was not exercised", id)
		}
	}
}

func errorsIsNotShared(err error) bool {
	return err != nil && strings.Contains(err.Error(), resources.ErrNotShared.Error())
}
