package emulator

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestSpecEveryOperationRouted calls every operation of the spec and checks
// the platform answers it (not the router's generic 404/405), with a status
// the spec lists (checked by the harness).
func TestSpecEveryOperationRouted(t *testing.T) {
	h := newHarness(t)
	id := h.createRun(runBody("test-app", "", "a"))
	values := map[string]string{
		"application_id": "test-app", "version": "1.0.0", "name": "README.md", "run_id": id, "external_id": "a",
		"artifact_id": "00000000-0000-4000-8000-000000000000", "grant_id": "00000000-0000-4000-8000-000000000000",
		"share_token_id": "00000000-0000-4000-8000-000000000000",
	}
	if len(h.spec.ops) != 26 {
		t.Errorf("spec has %d operations, the platform routes 26", len(h.spec.ops))
	}
	for _, op := range h.spec.ops {
		path := "/api" + op.path
		for k, v := range values {
			path = strings.ReplaceAll(path, "{"+k+"}", v)
		}
		if strings.Contains(path, "{") {
			t.Errorf("%s %s: unknown path parameter", op.method, op.path)
			continue
		}
		var body any
		if op.method == "POST" || op.method == "PUT" {
			body = map[string]any{}
		}
		r := h.do(op.method, path, body)
		if r.Status == http.StatusMethodNotAllowed || (r.Status == http.StatusNotFound && r.str("detail") == "Not Found") {
			t.Errorf("%s %s (%s): not routed: %d %s", op.method, op.path, op.id, r.Status, r.Body)
		}
	}
}

// TestSpecEnumsMatch checks the platform's enums against the spec's.
func TestSpecEnumsMatch(t *testing.T) {
	d := loadSpec(t)
	enum := func(name string) string {
		s := d.schemas[name].(map[string]any)
		return fmt.Sprint(s["enum"])
	}
	for name, got := range map[string][]string{
		"ItemState": itemStates(), "RunState": itemStates(), "ArtifactState": itemStates(),
		"ItemTerminationReason": itemReasons(), "ArtifactTerminationReason": itemReasons(),
		"RunTerminationReason": {runAllProcessed, "CANCELED_BY_SYSTEM", runCanceledUser},
		"RunOutput":            {outputNone, outputPartial, outputFull},
		"ItemOutput":           {outputNone, outputFull},
		"ArtifactOutput":       {outputNone, artifactAvail, artifactDeleted, "DELETED_BY_SYSTEM"},
		"ResourceType":         resourceTypes(), "SubjectType": subjectTypes(), "GrantRelation": grantRelations(),
	} {
		if want := enum(name); fmt.Sprint(got) != want {
			t.Errorf("%s: platform %v, spec %s", name, got, want)
		}
	}
	for op, fields := range map[string][]string{"list_runs_v1_runs_get": runSortFields(),
		"list_run_items_v1_runs__run_id__items_get": itemSortFields(),
		"list_applications_v1_applications_get":     applicationSortFields()} {
		for _, o := range d.ops {
			if o.id != op {
				continue
			}
			for _, p := range o.params {
				if p["name"] != "sort" {
					continue
				}
				desc := p["schema"].(map[string]any)["description"].(string)
				for _, f := range fields {
					if !strings.Contains(desc, "`"+f+"`") {
						t.Errorf("%s: sort field %s is not in the spec", op, f)
					}
				}
				if n := strings.Count(desc[:strings.Index(desc, "Examples")], "- `"); n != len(fields) {
					t.Errorf("%s: spec lists %d sort fields, platform %d", op, n, len(fields))
				}
			}
		}
	}
}

func TestSnapshotRestore(t *testing.T) {
	h := newHarness(t)
	body := runBody("he-tme", "1.0.0", "a", "b-fail-user")
	body["custom_metadata"] = map[string]any{"n": 1.50, "s": "x"}
	body["scheduling"] = map[string]any{"deadline": "2026-04-01T00:00:00Z"}
	id := h.createRun(body)
	h.clock.Advance(3 * time.Second)
	h.want(h.do("POST", "/api/v1/runs/"+id+"/cancel", nil), http.StatusAccepted)
	other := h.createRun(runBody("test-app", "", "z"))
	h.clock.Advance(time.Minute)
	h.want(h.do("DELETE", "/api/v1/runs/"+other+"/artifacts", nil), http.StatusOK)
	tok := h.want(h.do("POST", "/api/v1/access/share-tokens", map[string]any{}), http.StatusCreated)
	h.want(h.do("POST", "/api/v1/access/grants", map[string]any{"resource_type": "run", "resource_id": id,
		"subject_type": "share_token", "subject_id": tok.str("share_token_id"), "relation": "viewer"}), http.StatusCreated)
	before := h.want(h.do("GET", "/api/v1/runs?sort=submitted_at", nil), http.StatusOK)
	items := h.want(h.do("GET", "/api/v1/runs/"+id+"/items", nil), http.StatusOK)

	snap, err := h.p.snapshot()
	if err != nil {
		t.Fatal(err)
	}
	h2 := newHarness(t)
	h2.clock = h.clock
	h2.p.cfg.now = h.clock.Now
	if err := h2.p.restore(snap); err != nil {
		t.Fatal(err)
	}
	after := h2.want(h2.do("GET", "/api/v1/runs?sort=submitted_at", nil), http.StatusOK)
	if string(before.Body) != string(after.Body) {
		t.Errorf("runs differ after restore:\n%s\n%s", before.Body, after.Body)
	}
	items2 := h2.want(h2.do("GET", "/api/v1/runs/"+id+"/items", nil), http.StatusOK)
	if string(items.Body) != string(items2.Body) {
		t.Errorf("items differ after restore")
	}
	h2.want(h2.do("GET", "/api/v1/runs/"+id+"?share_token="+tok.str("share_token"), nil, as("auth0|eve"), inOrg("org-9")), http.StatusOK)
	// New ids do not collide with restored ones.
	next := h2.createRun(runBody("test-app", "", "n"))
	if next == id || next == other {
		t.Errorf("id %s reused after restore", next)
	}
	for _, bad := range []string{"", "{", `{"version":2}`, `{"version":1,"runs":[{"application_id":"x","items":[]}]}`,
		`{"version":1,"runs":[{"application_id":"test-app","version_number":"7.0.0","items":[]}]}`} {
		if err := h2.p.restore([]byte(bad)); err == nil {
			t.Errorf("restore(%q) accepted", bad)
		}
	}
}

func TestCreateRunsSeeding(t *testing.T) {
	h := newHarness(t)
	if err := h.p.createRuns(120, "he-tme", ""); err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][2]string{{"nope", ""}, {"test-app", "3.0.0"}} {
		if err := h.p.createRuns(1, bad[0], bad[1]); err == nil {
			t.Errorf("createRuns(%s, %s) accepted", bad[0], bad[1])
		}
	}
	r := h.want(h.do("GET", "/api/v1/runs?page_size=100&page=2&sort=-submitted_at", nil), http.StatusOK)
	if len(r.list()) != 20 || r.str("0/version_number") != "1.2.0" || r.str("0/submitted_by") != seedSubject {
		t.Fatalf("seeded list page 2: %d runs: %.300s", len(r.list()), r.Body)
	}
	// The seeded items are valid for the version (the same check as POST /v1/runs).
	p := h.p
	p.mu.RLock()
	problems := validateItems(p.st.runs[0].ver, p.st.runs[0].Items)
	p.mu.RUnlock()
	if len(problems) > 0 {
		t.Errorf("seeded items invalid: %v", problems)
	}
}

// BenchmarkListRuns10k lists a page of 10,000 runs sorted the CLI's way.
func BenchmarkListRuns10k(b *testing.B) {
	p := newPlatform(platformConfig{orgID: testOrg, artifactSize: 1024, now: func() time.Time {
		return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}})
	p.principal = func(*http.Request) (principal, bool) { return principal{Subject: "u", OrgID: testOrg}, true }
	if err := p.createRuns(10000, "test-app", ""); err != nil {
		b.Fatal(err)
	}
	req, _ := http.NewRequest("GET", "/api/v1/runs?page_size=100&sort=-submitted_at&custom_metadata=%24.seeded%20%3D%3D%20true", nil)
	for b.Loop() {
		w := &listBenchWriter{h: http.Header{}}
		p.ServeHTTP(w, req)
		if w.status != http.StatusOK {
			b.Fatalf("status %d", w.status)
		}
	}
}

type listBenchWriter struct {
	h      http.Header
	status int
}

func (w *listBenchWriter) Header() http.Header         { return w.h }
func (w *listBenchWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *listBenchWriter) WriteHeader(s int)           { w.status = s }

func FuzzParseMetaFilter(f *testing.F) {
	for _, s := range []string{`$.a == "x"`, `$.a.b like_regex "^x" flag "i"`, `$.t[*] ? (@ == "d")`, `$.s ? (@.k > 1.5)`,
		`a == true`, `$."k y"[0] != null`, `$.a ? (@ like_regex "(" )`, `$`, `$.a &&`} {
		f.Add(s)
	}
	doc := map[string]any{"a": "x", "t": []any{"d", map[string]any{"k": 2.0}}, "s": map[string]any{"k": 2.0}}
	f.Fuzz(func(t *testing.T, s string) {
		flt, err := parseMetaFilter(s)
		if err != nil {
			return
		}
		_ = flt.match(doc)
		_ = flt.match(nil)
	})
}
