package emulator

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// listFixture creates five runs a second apart with distinct metadata; it
// returns their ids in submission order.
func listFixture(h *apiHarness) []string {
	var ids []string
	metas := []map[string]any{
		{"study": "alpha", "score": 0.9, "tags": []any{"draft", "lung"}, "sdk": map[string]any{"note": "First Try"}},
		{"study": "beta", "score": 0.5, "ok": true},
		{"study": "alpha", "score": 0.7, "ok": false, "nested": map[string]any{"k": "v"}},
		nil,
		{"study": "gamma", "tags": []any{"final"}},
	}
	apps := []struct{ app, ver string }{{"test-app", "1.0.0"}, {"he-tme", "1.0.0"}, {"test-app", "1.1.0"}, {"test-app", "0.9.0"}, {"he-tme", "1.2.0"}}
	for i, m := range metas {
		b := runBody(apps[i].app, apps[i].ver, fmt.Sprintf("slide-%d", i), "shared")
		if m != nil {
			b["custom_metadata"] = m
		}
		sub := "auth0|alice"
		if i == 1 {
			sub = "auth0|bob"
		}
		ids = append(ids, h.createRun(b, as(sub)))
		h.clock.Advance(time.Second)
	}
	// Run 0 and 1 finish; run 1 is canceled first; 2-4 are still going.
	h.clock.Advance(-5 * time.Second)
	h.clock.Advance(1500 * time.Millisecond)
	h.want(h.do("POST", "/api/v1/runs/"+ids[1]+"/cancel", nil, as("auth0|bob")), http.StatusAccepted)
	h.clock.Advance(5500 * time.Millisecond)
	return ids
}

func runIDs(r resp) []string {
	var out []string
	for i := range r.list() {
		out = append(out, r.str(fmt.Sprintf("%d/run_id", i)))
	}
	return out
}

func pick(ids []string, idx ...int) []string {
	var out []string
	for _, i := range idx {
		out = append(out, ids[i])
	}
	return out
}

func TestListRunsFilters(t *testing.T) {
	h := newHarness(t)
	ids := listFixture(h)
	h.createRun(runBody("test-app", "", "foreign"), as("auth0|olga"), inOrg("org-2"))
	q := url.QueryEscape
	for _, tc := range []struct {
		query string
		want  []int
	}{
		{"", []int{0, 1, 2, 3, 4}},
		{"application_id=he-tme", []int{1, 4}},
		{"application_id=test-app&application_version=1.1.0", []int{2}},
		{"application_version=1.0.0", []int{0, 1}},
		{"external_id=slide-3", []int{3}},
		{"external_id=shared", []int{0, 1, 2, 3, 4}},
		{"submitted_by=me", []int{0, 2, 3, 4}},
		{"submitted_by=auth0|bob", []int{1}},
		{"organization_id=my_org", []int{0, 1, 2, 3, 4}},
		{"for_organization=" + testOrg, []int{0, 1, 2, 3, 4}},
		{"for_organization=org-2", nil},
		{"custom_metadata=" + q(`$.study == "alpha"`), []int{0, 2}},
		{"custom_metadata=" + q(`study == "alpha"`), []int{0, 2}},
		{"custom_metadata=" + q(`$.study ? (@ == "beta")`), []int{1}},
		{"custom_metadata=" + q(`$.score > 0.6`), []int{0, 2}},
		{"custom_metadata=" + q(`$.score ? (@ <= 0.5)`), []int{1}},
		{"custom_metadata=" + q(`$.ok == true`), []int{1}},
		{"custom_metadata=" + q(`$.ok == false`), []int{2}},
		{"custom_metadata=" + q(`$.study like_regex "^(alpha|gamma)$"`), []int{0, 2, 4}},
		{"custom_metadata=" + q(`$.sdk.note ? (@ like_regex "first" flag "i")`), []int{0}},
		{"custom_metadata=" + q(`$.tags[*] ? (@ == "draft")`), []int{0}},
		{"custom_metadata=" + q(`$.tags ? (@ like_regex "^(final|x)$")`), []int{4}},
		{"custom_metadata=" + q(`$.nested`), []int{2}},
		{"custom_metadata=" + q(`$.nested ? (@.k == "v")`), []int{2}},
		{"custom_metadata=" + q(`$.study == "zeta"`), nil},
		{"application_id=test-app&custom_metadata=" + q(`$.study == "alpha"`) + "&submitted_by=me", []int{0, 2}},
	} {
		r := h.want(h.do("GET", "/api/v1/runs?"+tc.query, nil), http.StatusOK)
		if diff := cmp.Diff(pick(ids, tc.want...), runIDs(r)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.query, diff)
		}
	}
	other := h.want(h.do("GET", "/api/v1/runs", nil, as("auth0|olga"), inOrg("org-2")), http.StatusOK)
	if len(other.list()) != 1 {
		t.Errorf("org-2 sees %d runs, want its own 1", len(other.list()))
	}
	admin := h.want(h.do("GET", "/api/v1/runs?for_organization=org-2", nil, func(r *http.Request) { r.Header.Set("X-Test-Role", "superadmin") }), http.StatusOK)
	if len(admin.list()) != 1 {
		t.Errorf("superadmin for org-2 sees %d runs, want 1", len(admin.list()))
	}
}

func TestListRunsInvalid(t *testing.T) {
	h := newHarness(t)
	for _, query := range []string{
		"custom_metadata=" + url.QueryEscape(`$.a == "x" && $.b == "y"`),
		"custom_metadata=" + url.QueryEscape(`$.a ? (@.b > 1 || @.c < 2)`),
		"custom_metadata=" + url.QueryEscape(`$.a.size()`),
		"custom_metadata=" + url.QueryEscape(`$.a like_regex "("`),
		"custom_metadata=" + url.QueryEscape(`$.a == `),
		"custom_metadata=" + strings.Repeat("a", 1001),
		"sort=state", "sort=-status", "sort=item_id",
		"page=0", "page_size=4", "page_size=101", "page_size=ten",
	} {
		r := h.want(h.do("GET", "/api/v1/runs?"+query, nil), http.StatusUnprocessableEntity)
		if len(r.get("detail").([]any)) == 0 {
			t.Errorf("%s: empty detail", query)
		}
	}
}

func TestListRunsSortAndPages(t *testing.T) {
	h := newHarness(t)
	ids := listFixture(h)
	for _, tc := range []struct {
		sort string
		want []int
	}{
		{"submitted_at", []int{0, 1, 2, 3, 4}},
		{"-submitted_at", []int{4, 3, 2, 1, 0}},
		{"%2Bsubmitted_at", []int{0, 1, 2, 3, 4}},
		{"application_id&sort=-submitted_at", []int{4, 1, 3, 2, 0}},
		{"-application_id&sort=version_number", []int{3, 0, 2, 1, 4}},
		{"version_number&sort=application_id", []int{3, 1, 0, 2, 4}},
		{"submitted_by&sort=-submitted_at", []int{4, 3, 2, 0, 1}},
		{"-submitted_by", []int{1, 0, 2, 3, 4}},
		// Run 1 was canceled at 1.5s, run 0 ended at 7s; the rest are running (nulls last).
		{"terminated_at", []int{1, 0, 2, 3, 4}},
		{"-terminated_at", []int{2, 3, 4, 0, 1}},
		{"termination_reason", []int{0, 1, 2, 3, 4}},
		{"-termination_reason", []int{2, 3, 4, 1, 0}},
		// Canonical JSON order: {"ok":false..} < {"ok":true..} < {"score":0.9..} < {"study":"gamma"..}, null last.
		{"custom_metadata", []int{2, 1, 0, 4, 3}},
	} {
		r := h.want(h.do("GET", "/api/v1/runs?sort="+tc.sort, nil), http.StatusOK)
		if diff := cmp.Diff(pick(ids, tc.want...), runIDs(r)); diff != "" {
			t.Errorf("sort=%s (-want +got):\n%s", tc.sort, diff)
		}
	}
	byID := slices.Clone(ids)
	slices.Sort(byID)
	r := h.want(h.do("GET", "/api/v1/runs?sort=run_id", nil), http.StatusOK)
	if diff := cmp.Diff(byID, runIDs(r)); diff != "" {
		t.Errorf("sort=run_id (-want +got):\n%s", diff)
	}
	// Pages of 5 over 12 runs: 5, 5, 2, then empty.
	for i := 0; i < 7; i++ {
		h.createRun(runBody("test-app", "", "p"))
		h.clock.Advance(time.Millisecond)
	}
	var all []string
	for page, want := range []int{5, 5, 2, 0} {
		r := h.want(h.do("GET", fmt.Sprintf("/api/v1/runs?page_size=5&page=%d&sort=-submitted_at", page+1), nil), http.StatusOK)
		if len(r.list()) != want {
			t.Fatalf("page %d: %d runs, want %d", page+1, len(r.list()), want)
		}
		if want == 0 && string(r.Body) != "[]\n" {
			t.Errorf("empty page body %q", r.Body)
		}
		all = append(all, runIDs(r)...)
	}
	seen := map[string]bool{}
	for _, id := range all {
		if seen[id] {
			t.Errorf("run %s on two pages", id)
		}
		seen[id] = true
	}
	if len(seen) != 12 || all[len(all)-1] != ids[0] {
		t.Errorf("pages hold %d runs (last %s), want 12 ending with the first run", len(seen), all[len(all)-1])
	}
}

func TestListItems(t *testing.T) {
	h := newHarness(t)
	exts := []string{"e", "c", "a-fail-user", "d", "b"}
	body := runBody("test-app", "", exts...)
	for i, it := range body["items"].([]any) {
		it.(map[string]any)["custom_metadata"] = map[string]any{"rank": i, "group": []string{"x", "y"}[i%2]}
	}
	id := h.createRun(body)
	base := "/api/v1/runs/" + id + "/items"
	extsOf := func(r resp) []string {
		var out []string
		for i := range r.list() {
			out = append(out, r.str(fmt.Sprintf("%d/external_id", i)))
		}
		return out
	}
	all := h.want(h.do("GET", base, nil), http.StatusOK)
	if diff := cmp.Diff(exts, extsOf(all)); diff != "" {
		t.Errorf("default order is submission order (-want +got):\n%s", diff)
	}
	h.clock.Advance(7 * time.Second) // first four terminated, b processing
	q := url.QueryEscape
	itemIDs := map[string]string{}
	for i := range all.list() {
		itemIDs[all.str(fmt.Sprintf("%d/external_id", i))] = all.str(fmt.Sprintf("%d/item_id", i))
	}
	sortedIDs := []string{itemIDs["e"], itemIDs["c"], itemIDs["a-fail-user"], itemIDs["d"], itemIDs["b"]}
	slices.Sort(sortedIDs)
	byItemID := map[string]string{}
	for k, v := range itemIDs {
		byItemID[v] = k
	}
	var wantByID []string
	for _, v := range sortedIDs {
		wantByID = append(wantByID, byItemID[v])
	}
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"sort=external_id", []string{"a-fail-user", "b", "c", "d", "e"}},
		{"sort=-external_id", []string{"e", "d", "c", "b", "a-fail-user"}},
		{"sort=item_id", wantByID},
		{"sort=custom_metadata", []string{"e", "a-fail-user", "b", "c", "d"}},
		{"sort=terminated_at&sort=external_id", []string{"a-fail-user", "c", "d", "e", "b"}},
		{"sort=-termination_reason&sort=external_id", []string{"b", "a-fail-user", "c", "d", "e"}},
		{"state=PROCESSING", []string{"b"}},
		{"state=TERMINATED&termination_reason=USER_ERROR", []string{"a-fail-user"}},
		{"termination_reason=SUCCEEDED&sort=-external_id", []string{"e", "d", "c"}},
		{"external_id__in=d&external_id__in=e", []string{"e", "d"}},
		{"item_id__in=" + itemIDs["c"] + "&item_id__in=" + strings.ToUpper(itemIDs["b"]), []string{"c", "b"}},
		{"custom_metadata=" + q(`$.group == "y"`), []string{"c", "d"}},
		{"custom_metadata=" + q(`$.rank >= 3`), []string{"d", "b"}},
		{"page_size=5&page=2", nil},
	} {
		r := h.want(h.do("GET", base+"?"+tc.query, nil), http.StatusOK)
		if diff := cmp.Diff(tc.want, extsOf(r)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.query, diff)
		}
	}
	for _, query := range []string{"state=DONE", "termination_reason=CANCELED_BY_USER", "item_id__in=nope",
		"sort=submitted_at", "page_size=1", "custom_metadata=" + q("$.a &&")} {
		h.want(h.do("GET", base+"?"+query, nil), http.StatusUnprocessableEntity)
	}
	// Pagination across pages of an item list.
	many := runBody("test-app", "", "i00", "i01", "i02", "i03", "i04", "i05", "i06", "i07", "i08", "i09", "i10", "i11")
	mid := h.createRun(many)
	var got []string
	for page := 1; page <= 4; page++ {
		r := h.want(h.do("GET", fmt.Sprintf("/api/v1/runs/%s/items?page_size=5&page=%d&sort=-external_id", mid, page), nil), http.StatusOK)
		got = append(got, extsOf(r)...)
	}
	if len(got) != 12 || got[0] != "i11" || got[11] != "i00" {
		t.Errorf("paged items %v", got)
	}
}
