package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aignostics/aignostics/internal/clock"
)

// apiHarness serves a platform over real loopback HTTP. The caller is taken
// from X-Test-Sub / X-Test-Org / X-Test-Role / X-Test-Email headers
// (default alice in org-1), and every JSON answer is validated against the
// spec's schema for its operation and status.
type apiHarness struct {
	t     *testing.T
	p     *platform
	clock *clock.Fake
	srv   *httptest.Server
	spec  *specDoc
	sub   string // default caller
	count map[string]int
	mu    sync.Mutex
}

const testOrg = "org-1"

func newHarness(t *testing.T, mod ...func(*platformConfig)) *apiHarness {
	t.Helper()
	h := &apiHarness{t: t, clock: clock.NewFake(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)),
		spec: loadSpec(t), sub: "auth0|alice", count: map[string]int{}}
	cfg := platformConfig{
		now: h.clock.Now, publicURL: "http://127.0.0.1:1", speed: 1, artifactSize: 4096, seed: 7,
		signURL: func(bucket, object string, exp time.Duration) string {
			return fmt.Sprintf("http://storage.test/%s/%s?X-Goog-Expires=%d", bucket, object, int(exp.Seconds()))
		},
		orgID: testOrg, hmacAccessID: "GOOG1EXAMPLE", hmacSecret: "hmac-secret-value",
		count: func(name string) { h.mu.Lock(); h.count[name]++; h.mu.Unlock() },
	}
	for _, m := range mod {
		m(&cfg)
	}
	h.p = newPlatform(cfg)
	h.p.principal = func(r *http.Request) (principal, bool) {
		pr := principal{Subject: r.Header.Get("X-Test-Sub"), OrgID: r.Header.Get("X-Test-Org"),
			Role: r.Header.Get("X-Test-Role"), Email: r.Header.Get("X-Test-Email"), Name: "Test User"}
		if pr.Subject == "" {
			pr.Subject = h.sub
		}
		if pr.OrgID == "" {
			pr.OrgID = testOrg
		}
		return pr, true
	}
	h.srv = httptest.NewServer(h.p)
	t.Cleanup(h.srv.Close)
	return h
}

// resp is one answer of the platform.
type resp struct {
	Status int
	Header http.Header
	Body   []byte
	JSON   any
}

// get decodes a field path ("a/0/b") of the JSON answer.
func (r resp) get(path string) any {
	v := r.JSON
	for _, k := range strings.Split(path, "/") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			var i int
			fmt.Sscan(k, &i)
			if i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

func (r resp) str(path string) string { s, _ := r.get(path).(string); return s }
func (r resp) num(path string) int {
	n, _ := r.get(path).(json.Number)
	i, _ := n.Int64()
	return int(i)
}
func (r resp) list() []any { l, _ := r.JSON.([]any); return l }

// reqOpt changes a request.
type reqOpt func(*http.Request)

func as(sub string) reqOpt { return func(r *http.Request) { r.Header.Set("X-Test-Sub", sub) } }
func inOrg(org string) reqOpt {
	return func(r *http.Request) { r.Header.Set("X-Test-Org", org) }
}

// do sends a request and checks the answer against the spec.
func (h *apiHarness) do(method, path string, body any, opts ...reqOpt) resp {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, h.srv.URL+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, o := range opts {
		o(req)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	out := resp{Status: res.StatusCode, Header: res.Header}
	if out.Body, err = io.ReadAll(res.Body); err != nil {
		h.t.Fatal(err)
	}
	if len(out.Body) > 0 {
		dec := json.NewDecoder(bytes.NewReader(out.Body))
		dec.UseNumber()
		if err := dec.Decode(&out.JSON); err != nil {
			h.t.Fatalf("%s %s: %d answer is not JSON: %v: %s", method, path, res.StatusCode, err, out.Body)
		}
	}
	h.check(method, req.URL, out)
	return out
}

// check validates an answer against the operation's listed statuses and schemas.
func (h *apiHarness) check(method string, u *url.URL, r resp) {
	h.t.Helper()
	op, ok := h.spec.find(method, u.EscapedPath())
	if !ok {
		if r.Status != http.StatusNotFound && r.Status != http.StatusMethodNotAllowed {
			h.t.Errorf("%s %s: no operation, but answered %d", method, u.Path, r.Status)
		}
		return
	}
	schema, listed, hasBody := op.responseSchema(r.Status)
	if !listed {
		h.t.Errorf("%s %s (%s): status %d is not listed by the spec: %s", method, u.Path, op.id, r.Status, r.Body)
		return
	}
	if r.Status == http.StatusTemporaryRedirect {
		if r.Header.Get("Location") == "" {
			h.t.Errorf("%s %s: 307 without Location", method, u.Path)
		}
		return
	}
	if !hasBody {
		// Error answers without a schema carry FastAPI's {"detail": "..."}
		// (or, for 422, its validation error list).
		list := map[string]any{"$ref": "#/components/schemas/HTTPValidationError"}
		_, isStr := r.get("detail").(string)
		_, isList := r.get("detail").([]any)
		if !isStr && !(isList && r.Status == http.StatusUnprocessableEntity && len(h.spec.validate(list, r.JSON, "")) == 0) {
			h.t.Errorf("%s %s: %d body is not {\"detail\": string}: %s", method, u.Path, r.Status, r.Body)
		}
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		h.t.Errorf("%s %s: Content-Type %q", method, u.Path, ct)
	}
	if errs := h.spec.validate(schema, r.JSON, ""); len(errs) > 0 {
		h.t.Errorf("%s %s (%s) %d: body does not match the spec:\n  %s\n  body: %.600s", method, u.Path, op.id,
			r.Status, strings.Join(errs, "\n  "), r.Body)
	}
}

// want fails unless the answer has status.
func (h *apiHarness) want(r resp, status int) resp {
	h.t.Helper()
	if r.Status != status {
		h.t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	return r
}

// slide returns a valid whole_slide_image input for app ("he-tme" adds fields).
func slide(app string) map[string]any {
	md := map[string]any{"checksum_base64_crc32c": "64RKKA==", "width_px": 1000, "height_px": 800,
		"resolution_mpp": 0.25, "media_type": "image/tiff"}
	if app == "he-tme" {
		md["specimen"] = map[string]any{"tissue": "LUNG", "disease": "LUNG_CANCER"}
		md["staining_method"] = "H&E"
	}
	return map[string]any{"name": "whole_slide_image", "download_url": "https://example.com/s.tiff", "metadata": md}
}

// runBody builds a RunCreationRequest with items named by exts.
func runBody(app, version string, exts ...string) map[string]any {
	var items []any
	for _, e := range exts {
		items = append(items, map[string]any{"external_id": e, "input_artifacts": []any{slide(app)}})
	}
	b := map[string]any{"application_id": app, "items": items}
	if version != "" {
		b["version_number"] = version
	}
	return b
}

// createRun submits a run and returns its id.
func (h *apiHarness) createRun(body map[string]any, opts ...reqOpt) string {
	h.t.Helper()
	r := h.want(h.do("POST", "/api/v1/runs", body, opts...), http.StatusCreated)
	return r.str("run_id")
}
