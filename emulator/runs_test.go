package emulator

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// stats reads a run's statistics as a compact map.
func stats(r resp) map[string]int {
	out := map[string]int{}
	for _, k := range []string{"item_count", "item_pending_count", "item_processing_count", "item_user_error_count",
		"item_system_error_count", "item_skipped_count", "item_succeeded_count"} {
		out[strings.TrimSuffix(strings.TrimPrefix(k, "item_"), "_count")] = r.num("statistics/" + k)
	}
	return out
}

func TestRunProgression(t *testing.T) {
	h := newHarness(t)
	id := h.createRun(runBody("test-app", "1.0.0", "s1", "s2", "s3", "s4", "s5-fail-user", "s6-fail-system"))
	steps := []struct {
		after         time.Duration
		state, reason string
		stats         map[string]int
		items         []string // item states by external id order
	}{
		{0, "PENDING", "", map[string]int{"pending": 6}, []string{"PENDING", "PENDING", "PENDING", "PENDING", "PENDING", "PENDING"}},
		{1999 * time.Millisecond, "PENDING", "", map[string]int{"pending": 6}, nil},
		{time.Millisecond, "PROCESSING", "", map[string]int{"processing": 4, "pending": 2},
			[]string{"PROCESSING", "PROCESSING", "PROCESSING", "PROCESSING", "PENDING", "PENDING"}},
		{5 * time.Second, "PROCESSING", "", map[string]int{"succeeded": 4, "processing": 2},
			[]string{"TERMINATED", "TERMINATED", "TERMINATED", "TERMINATED", "PROCESSING", "PROCESSING"}},
		{5 * time.Second, "TERMINATED", "ALL_ITEMS_PROCESSED", map[string]int{"succeeded": 4, "user_error": 1, "system_error": 1},
			[]string{"TERMINATED", "TERMINATED", "TERMINATED", "TERMINATED", "TERMINATED", "TERMINATED"}},
	}
	for _, s := range steps {
		h.clock.Advance(s.after)
		r := h.want(h.do("GET", "/api/v1/runs/"+id, nil), http.StatusOK)
		if r.str("state") != s.state || r.str("termination_reason") != s.reason {
			t.Errorf("+%v: state %s/%s, want %s/%s", s.after, r.str("state"), r.str("termination_reason"), s.state, s.reason)
		}
		want := map[string]int{"count": 6, "pending": 0, "processing": 0, "user_error": 0, "system_error": 0, "skipped": 0, "succeeded": 0}
		for k, v := range s.stats {
			want[k] = v
		}
		if diff := cmp.Diff(want, stats(r)); diff != "" {
			t.Errorf("+%v: statistics (-want +got):\n%s", s.after, diff)
		}
		if (r.get("terminated_at") != nil) != (s.state == "TERMINATED") {
			t.Errorf("+%v: terminated_at %v in state %s", s.after, r.get("terminated_at"), s.state)
		}
		if s.items == nil {
			continue
		}
		items := h.want(h.do("GET", "/api/v1/runs/"+id+"/items?sort=external_id", nil), http.StatusOK)
		var got []string
		for i := range items.list() {
			got = append(got, items.str(fmt.Sprintf("%d/state", i)))
		}
		if diff := cmp.Diff(s.items, got); diff != "" {
			t.Errorf("+%v: item states (-want +got):\n%s", s.after, diff)
		}
	}
	items := h.want(h.do("GET", "/api/v1/runs/"+id+"/items?sort=external_id", nil), http.StatusOK)
	for i, want := range []string{"SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "USER_ERROR", "SYSTEM_ERROR"} {
		p := fmt.Sprintf("%d/", i)
		if got := items.str(p + "termination_reason"); got != want {
			t.Errorf("item %d reason %s, want %s", i, got, want)
		}
		wantOut, wantArt := "FULL", "AVAILABLE"
		if want != "SUCCEEDED" {
			wantOut, wantArt = "NONE", "NONE"
			if items.str(p+"error_code") == "" || items.str(p+"error_message") == "" {
				t.Errorf("item %d: failed without error code/message", i)
			}
		}
		if items.str(p+"output") != wantOut || items.str(p+"output_artifacts/0/output") != wantArt {
			t.Errorf("item %d: output %s/%s, want %s/%s", i, items.str(p+"output"), items.str(p+"output_artifacts/0/output"), wantOut, wantArt)
		}
	}
	run := h.want(h.do("GET", "/api/v1/runs/"+id, nil), http.StatusOK)
	if run.str("output") != "PARTIAL" || run.get("error_code") != nil {
		t.Errorf("run with failures: output %s error_code %v", run.str("output"), run.get("error_code"))
	}
}

func TestRunSpeedAndFullOutput(t *testing.T) {
	h := newHarness(t, func(c *platformConfig) { c.speed = 10 })
	id := h.createRun(runBody("he-tme", "", "a", "b"))
	h.clock.Advance(699 * time.Millisecond) // 0.2s pending + 0.5s processing at speed 10
	if r := h.do("GET", "/api/v1/runs/"+id, nil); r.str("state") != "PROCESSING" {
		t.Fatalf("state %s before 0.7s", r.str("state"))
	}
	h.clock.Advance(time.Millisecond)
	r := h.want(h.do("GET", "/api/v1/runs/"+id, nil), http.StatusOK)
	if r.str("state") != "TERMINATED" || r.str("output") != "FULL" || r.get("error_code") != nil {
		t.Fatalf("at 0.7s: %s", r.Body)
	}
	if r.str("version_number") != "1.2.0" {
		t.Errorf("omitted version resolved to %s, want the latest 1.2.0", r.str("version_number"))
	}
}

func TestQueuePositions(t *testing.T) {
	h := newHarness(t)
	first := h.createRun(runBody("test-app", "", "a1", "a2", "a3", "a4", "a5", "a6"))
	other := h.createRun(runBody("test-app", "", "o1", "o2"), as("auth0|olga"), inOrg("org-2"))
	second := h.createRun(runBody("test-app", "", "b1", "b2"))
	r := h.want(h.do("GET", "/api/v1/runs/"+second, nil), http.StatusOK)
	if r.num("num_preceding_items_platform") != 8 || r.num("num_preceding_items_org") != 6 {
		t.Errorf("second run queue: platform %v org %v, want 8 and 6", r.get("num_preceding_items_platform"), r.get("num_preceding_items_org"))
	}
	it := h.want(h.do("GET", "/api/v1/runs/"+second+"/items/b2", nil), http.StatusOK)
	if it.num("queue_position_platform") != 10 || it.num("queue_position_org") != 8 {
		t.Errorf("b2 queue position: platform %v org %v, want 10 and 8", it.get("queue_position_platform"), it.get("queue_position_org"))
	}
	h.clock.Advance(2 * time.Second) // all runs start; first has 2 pending items left
	r = h.want(h.do("GET", "/api/v1/runs/"+second, nil), http.StatusOK)
	if r.num("num_preceding_items_platform") != 2 || r.num("num_preceding_items_org") != 2 {
		t.Errorf("after start: %v/%v, want 2/2", r.get("num_preceding_items_platform"), r.get("num_preceding_items_org"))
	}
	a5 := h.want(h.do("GET", "/api/v1/runs/"+first+"/items/a5", nil), http.StatusOK)
	if a5.num("queue_position_platform") != 1 || a5.get("queue_position_org") == nil {
		t.Errorf("a5 position %v, want 1", a5.get("queue_position_platform"))
	}
	a1 := h.want(h.do("GET", "/api/v1/runs/"+first+"/items/a1", nil), http.StatusOK)
	if a1.get("queue_position_platform") != nil {
		t.Errorf("processing item has a queue position %v", a1.get("queue_position_platform"))
	}
	h.clock.Advance(time.Hour)
	r = h.want(h.do("GET", "/api/v1/runs/"+first, nil), http.StatusOK)
	if r.get("num_preceding_items_platform") != nil {
		t.Errorf("terminated run has preceding items %v", r.get("num_preceding_items_platform"))
	}
	_ = other
}

func TestCancel(t *testing.T) {
	h := newHarness(t)
	id := h.createRun(runBody("test-app", "", "a", "b", "c", "d", "e"))
	h.clock.Advance(7 * time.Second) // first batch done, e processing
	h.want(h.do("POST", "/api/v1/runs/"+id+"/cancel", nil, as("auth0|mallory")), http.StatusForbidden)
	r := h.want(h.do("POST", "/api/v1/runs/"+id+"/cancel", nil), http.StatusAccepted)
	if string(r.Body) != "{}\n" {
		t.Errorf("cancel body %q, want {}", r.Body)
	}
	h.clock.Advance(time.Second)
	run := h.want(h.do("GET", "/api/v1/runs/"+id, nil), http.StatusOK)
	if run.str("state") != "TERMINATED" || run.str("termination_reason") != "CANCELED_BY_USER" {
		t.Errorf("after cancel: %s/%s", run.str("state"), run.str("termination_reason"))
	}
	if s := stats(run); s["succeeded"] != 4 || s["skipped"] != 1 {
		t.Errorf("after cancel statistics %v, want 4 succeeded 1 skipped", s)
	}
	e := h.want(h.do("GET", "/api/v1/runs/"+id+"/items/e", nil), http.StatusOK)
	if e.str("state") != "TERMINATED" || e.str("termination_reason") != "SKIPPED" || e.str("error_code") != "CANCELED_BY_USER" {
		t.Errorf("canceled item: %s", e.Body)
	}
	skipped := h.want(h.do("GET", "/api/v1/runs/"+id+"/items?termination_reason=SKIPPED", nil), http.StatusOK)
	if len(skipped.list()) != 1 {
		t.Errorf("%d skipped items, want 1", len(skipped.list()))
	}
	h.want(h.do("POST", "/api/v1/runs/"+id+"/cancel", nil), http.StatusConflict)
	h.want(h.do("POST", "/api/v1/runs/00000000-0000-4000-8000-000000000000/cancel", nil), http.StatusNotFound)
	h.want(h.do("POST", "/api/v1/runs/not-a-uuid/cancel", nil), http.StatusUnprocessableEntity)

	// A pending run canceled at once: every item skipped, no output.
	p := h.createRun(runBody("test-app", "", "x"))
	h.want(h.do("POST", "/api/v1/runs/"+p+"/cancel", nil), http.StatusAccepted)
	pr := h.want(h.do("GET", "/api/v1/runs/"+p, nil), http.StatusOK)
	if pr.str("output") != "NONE" || stats(pr)["skipped"] != 1 {
		t.Errorf("canceled pending run: %s", pr.Body)
	}
	// A finished run cannot be canceled.
	f := h.createRun(runBody("test-app", "", "y"))
	h.clock.Advance(time.Minute)
	h.want(h.do("POST", "/api/v1/runs/"+f+"/cancel", nil), http.StatusConflict)
}

func TestCreateRunMalformed(t *testing.T) {
	h := newHarness(t)
	long := strings.Repeat("x", 256)
	for _, tc := range []struct {
		name string
		body any
		loc  string // joined loc of the first error
		typ  string
	}{
		{"not json", `{"application_id":`, "body/18", "json_invalid"},
		{"not an object", `[1]`, "body", "model_attributes_type"},
		{"no application", map[string]any{"items": []any{}}, "body/application_id", "missing"},
		{"no items", map[string]any{"application_id": "test-app"}, "body/items", "missing"},
		{"empty items", map[string]any{"application_id": "test-app", "items": []any{}}, "body/items", "too_short"},
		{"items not a list", map[string]any{"application_id": "test-app", "items": "x"}, "body/items", "list_type"},
		{"app not a string", map[string]any{"application_id": 5, "items": []any{map[string]any{"external_id": "a", "input_artifacts": []any{}}}}, "body/application_id", "string_type"},
		{"metadata not object", map[string]any{"application_id": "test-app", "custom_metadata": []any{}, "items": []any{map[string]any{"external_id": "a", "input_artifacts": []any{}}}}, "body/custom_metadata", "dict_type"},
		{"external id too long", map[string]any{"application_id": "test-app", "items": []any{map[string]any{"external_id": long, "input_artifacts": []any{}}}}, "body/items/0/external_id", "string_too_long"},
		{"no input artifacts", map[string]any{"application_id": "test-app", "items": []any{map[string]any{"external_id": "a"}}}, "body/items/0/input_artifacts", "missing"},
		{"no download url", map[string]any{"application_id": "test-app", "items": []any{map[string]any{"external_id": "a",
			"input_artifacts": []any{map[string]any{"name": "whole_slide_image", "metadata": map[string]any{}}}}}}, "body/items/0/input_artifacts/0/download_url", "missing"},
		{"bad download url", map[string]any{"application_id": "test-app", "items": []any{map[string]any{"external_id": "a",
			"input_artifacts": []any{map[string]any{"name": "whole_slide_image", "download_url": "not a url", "metadata": map[string]any{}}}}}}, "body/items/0/input_artifacts/0/download_url", "url_parsing"},
		{"metadata missing", map[string]any{"application_id": "test-app", "items": []any{map[string]any{"external_id": "a",
			"input_artifacts": []any{map[string]any{"name": "whole_slide_image", "download_url": "https://x/y"}}}}}, "body/items/0/input_artifacts/0/metadata", "missing"},
		{"bad scheduling", map[string]any{"application_id": "test-app", "scheduling": map[string]any{"deadline": "soon"},
			"items": []any{map[string]any{"external_id": "a", "input_artifacts": []any{}}}}, "body/scheduling/deadline", "datetime_from_date_parsing"},
	} {
		r := h.want(h.do("POST", "/api/v1/runs", tc.body), http.StatusUnprocessableEntity)
		var loc []string
		for _, l := range r.get("detail/0/loc").([]any) {
			loc = append(loc, fmt.Sprint(l))
		}
		if got := strings.Join(loc, "/"); got != tc.loc || r.str("detail/0/type") != tc.typ {
			t.Errorf("%s: first error %s %s, want %s %s (%s)", tc.name, got, r.str("detail/0/type"), tc.loc, tc.typ, r.Body)
		}
	}
	if got := h.count["create_run"]; got != 14 {
		t.Errorf("create_run counted %d times, want 14", got)
	}
}

func TestCreateRunSemantic(t *testing.T) {
	h := newHarness(t)
	h.want(h.do("POST", "/api/v1/runs", runBody("nope", "", "a")), http.StatusNotFound)
	h.want(h.do("POST", "/api/v1/runs", runBody("test-app", "2.0.0", "a")), http.StatusNotFound)

	dup := runBody("test-app", "", "a", "b", "a")
	r := h.want(h.do("POST", "/api/v1/runs", dup), http.StatusBadRequest)
	if d := r.str("detail"); !strings.Contains(d, `items[2] (external_id "a")`) || !strings.Contains(d, "duplicate") {
		t.Errorf("duplicate: %s", d)
	}

	unknown := runBody("test-app", "", "a")
	item := unknown["items"].([]any)[0].(map[string]any)
	extra := slide("test-app")
	extra["name"] = "mask"
	item["input_artifacts"] = append(item["input_artifacts"].([]any), extra)
	r = h.want(h.do("POST", "/api/v1/runs", unknown), http.StatusBadRequest)
	if d := r.str("detail"); !strings.Contains(d, `items[0]`) || !strings.Contains(d, `unknown artifact "mask"`) {
		t.Errorf("unknown artifact: %s", d)
	}

	none := runBody("test-app", "", "a", "b")
	none["items"].([]any)[1].(map[string]any)["input_artifacts"] = []any{}
	r = h.want(h.do("POST", "/api/v1/runs", none), http.StatusBadRequest)
	if d := r.str("detail"); !strings.Contains(d, `items[1] (external_id "b"): missing input artifact "whole_slide_image"`) {
		t.Errorf("missing artifact: %s", d)
	}

	bad := runBody("he-tme", "1.0.0", "ok", "broken")
	md := bad["items"].([]any)[1].(map[string]any)["input_artifacts"].([]any)[0].(map[string]any)["metadata"].(map[string]any)
	delete(md, "width_px")
	md["specimen"] = map[string]any{"tissue": "LUNG"}
	r = h.want(h.do("POST", "/api/v1/runs", bad), http.StatusBadRequest)
	d := r.str("detail")
	if !strings.Contains(d, `items[1] (external_id "broken")`) || !strings.Contains(d, "width_px") || !strings.Contains(d, "disease") {
		t.Errorf("metadata: %s", d)
	}
	if strings.Contains(d, "items[0]") {
		t.Errorf("valid item reported: %s", d)
	}
	// test-app does not need the he-tme fields.
	h.createRun(runBody("test-app", "0.9.0", "fine"))
	if got := h.count["create_run"]; got != 7 {
		t.Errorf("create_run counted %d, want 7", got)
	}
}

func TestRunNotFoundAndForbidden(t *testing.T) {
	h := newHarness(t)
	id := h.createRun(runBody("test-app", "", "a"))
	missing := "/api/v1/runs/00000000-0000-4000-8000-000000000000"
	h.want(h.do("GET", missing, nil), http.StatusNotFound)
	h.want(h.do("GET", missing+"/items", nil), http.StatusNotFound)
	h.want(h.do("GET", missing+"/items/a", nil), http.StatusNotFound)
	h.want(h.do("GET", "/api/v1/runs/xyz", nil), http.StatusUnprocessableEntity)
	h.want(h.do("GET", "/api/v1/runs/"+id+"/items/zzz", nil), http.StatusNotFound)
	// Same organization reads; another organization does not.
	h.want(h.do("GET", "/api/v1/runs/"+id, nil, as("auth0|bob")), http.StatusOK)
	h.want(h.do("GET", "/api/v1/runs/"+id, nil, as("auth0|eve"), inOrg("org-9")), http.StatusForbidden)
	h.want(h.do("GET", "/api/v1/runs/"+id+"/items/a", nil, as("auth0|eve"), inOrg("org-9")), http.StatusForbidden)
	h.want(h.do("GET", "/api/v1/runs/"+id+"/items", nil, as("auth0|eve"), inOrg("org-9")), http.StatusNotFound)
	h.want(h.do("GET", "/api/v1/nothing", nil), http.StatusNotFound)
	h.want(h.do("DELETE", "/api/v1/runs", nil), http.StatusMethodNotAllowed)
}

// TestConcurrentRequests mixes writers and readers (run under -race).
func TestConcurrentRequests(t *testing.T) {
	h := newHarness(t)
	seed := h.createRun(runBody("he-tme", "", "s0", "s1"))
	done := make(chan error, 8)
	for g := range 8 {
		go func() {
			var err error
			for i := range 5 {
				switch g % 4 {
				case 0:
					id := h.createRun(runBody("test-app", "", fmt.Sprintf("g%d-%d", g, i)))
					h.do("POST", "/api/v1/runs/"+id+"/cancel", nil)
				case 1:
					if r := h.do("GET", "/api/v1/runs?sort=-submitted_at&page_size=100", nil); r.Status != http.StatusOK {
						err = fmt.Errorf("list: %d", r.Status)
					}
				case 2:
					h.do("GET", "/api/v1/runs/"+seed+"/items", nil)
					h.do("PUT", "/api/v1/runs/"+seed+"/custom-metadata", map[string]any{"custom_metadata": map[string]any{"i": i}})
				default:
					h.clock.Advance(time.Second)
					if r := h.do("GET", "/api/v1/runs/"+seed+"/items/s0", nil); r.Status == http.StatusOK {
						if id := r.str("output_artifacts/0/output_artifact_id"); id != "" {
							h.p.object(resultsBucket, "runs/"+seed+"/"+id)
						}
					}
					if _, e := h.p.snapshot(); e != nil {
						err = e
					}
				}
			}
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
	r := h.want(h.do("GET", "/api/v1/runs?page_size=100", nil), http.StatusOK)
	if n := len(r.list()); n != 11 {
		t.Errorf("%d runs after the concurrent creates, want 11", n)
	}
}
