package emulator

import (
	"net/http"
	"testing"
)

func TestRunCustomMetadata(t *testing.T) {
	h := newHarness(t)
	body := runBody("test-app", "", "a")
	body["custom_metadata"] = map[string]any{"b": 1, "a": "x"}
	id := h.createRun(body)
	url := "/api/v1/runs/" + id + "/custom-metadata"
	run := h.want(h.do("GET", "/api/v1/runs/"+id, nil), http.StatusOK)
	sum := run.str("custom_metadata_checksum")
	if sum == "" || sum != metadataChecksum(map[string]any{"a": "x", "b": 1}) {
		t.Fatalf("checksum %q is not the canonical JSON hash", sum)
	}
	stale := h.want(h.do("PUT", url, map[string]any{"custom_metadata": map[string]any{"v": 2}, "custom_metadata_checksum": "stale"}), http.StatusPreconditionFailed)
	_ = stale
	ok := h.want(h.do("PUT", url, map[string]any{"custom_metadata": map[string]any{"v": 2}, "custom_metadata_checksum": sum}), http.StatusOK)
	next := ok.str("custom_metadata_checksum")
	if next == "" || next == sum {
		t.Fatalf("new checksum %q", next)
	}
	// The old checksum is stale now.
	h.want(h.do("PUT", url, map[string]any{"custom_metadata": map[string]any{"v": 3}, "custom_metadata_checksum": sum}), http.StatusPreconditionFailed)
	run = h.want(h.do("GET", "/api/v1/runs/"+id, nil), http.StatusOK)
	if run.str("custom_metadata_checksum") != next || run.num("custom_metadata/v") != 2 {
		t.Errorf("after update: %s", run.Body)
	}
	// Without a checksum the update is unconditional; null clears.
	cleared := h.want(h.do("PUT", url, map[string]any{"custom_metadata": nil}), http.StatusOK)
	if cleared.get("custom_metadata_checksum") != nil {
		t.Errorf("cleared checksum %v", cleared.get("custom_metadata_checksum"))
	}
	run = h.want(h.do("GET", "/api/v1/runs/"+id, nil), http.StatusOK)
	if run.get("custom_metadata") != nil || run.get("custom_metadata_checksum") != nil {
		t.Errorf("after clearing: %s", run.Body)
	}
	// A checksum given while there is none is stale.
	h.want(h.do("PUT", url, map[string]any{"custom_metadata": map[string]any{}, "custom_metadata_checksum": next}), http.StatusPreconditionFailed)

	h.want(h.do("PUT", url, map[string]any{"custom_metadata": map[string]any{}}, as("auth0|bob")), http.StatusForbidden)
	h.want(h.do("PUT", "/api/v1/runs/00000000-0000-4000-8000-000000000000/custom-metadata", map[string]any{}), http.StatusNotFound)
	for _, bad := range []any{`{`, `[]`, map[string]any{"custom_metadata": "x"}, map[string]any{"custom_metadata_checksum": 5}} {
		h.want(h.do("PUT", url, bad), http.StatusUnprocessableEntity)
	}
	h.want(h.do("PUT", "/api/v1/runs/bad/custom-metadata", map[string]any{}), http.StatusUnprocessableEntity)
}

func TestItemCustomMetadata(t *testing.T) {
	h := newHarness(t)
	body := runBody("test-app", "", "a/b c", "d")
	body["items"].([]any)[0].(map[string]any)["custom_metadata"] = map[string]any{"k": "v"}
	id := h.createRun(body)
	item := "/api/v1/runs/" + id + "/items/a%2Fb%20c"
	got := h.want(h.do("GET", item, nil), http.StatusOK)
	sum := got.str("custom_metadata_checksum")
	if got.str("custom_metadata/k") != "v" || sum == "" {
		t.Fatalf("item: %s", got.Body)
	}
	h.want(h.do("PUT", item+"/custom-metadata", map[string]any{"custom_metadata": map[string]any{"k": "w"}, "custom_metadata_checksum": "x"}), http.StatusPreconditionFailed)
	up := h.want(h.do("PUT", item+"/custom-metadata", map[string]any{"custom_metadata": map[string]any{"k": "w"}, "custom_metadata_checksum": sum}), http.StatusOK)
	list := h.want(h.do("GET", "/api/v1/runs/"+id+"/items", nil), http.StatusOK)
	if list.str("0/custom_metadata/k") != "w" || list.str("0/custom_metadata_checksum") != up.str("custom_metadata_checksum") {
		t.Errorf("list after update: %s", list.Body)
	}
	if list.get("1/custom_metadata") != nil {
		t.Errorf("item without metadata: %v", list.get("1/custom_metadata"))
	}
	h.want(h.do("PUT", "/api/v1/runs/"+id+"/items/zzz/custom-metadata", map[string]any{}), http.StatusNotFound)
	h.want(h.do("PUT", "/api/v1/runs/00000000-0000-4000-8000-000000000000/items/d/custom-metadata", map[string]any{}), http.StatusNotFound)
	h.want(h.do("PUT", item+"/custom-metadata", map[string]any{}, as("auth0|bob")), http.StatusForbidden)
	h.want(h.do("PUT", item+"/custom-metadata", `{"custom_metadata": 1}`), http.StatusUnprocessableEntity)
}

func TestMe(t *testing.T) {
	h := newHarness(t)
	r := h.want(h.do("GET", "/api/v1/me", nil, func(r *http.Request) { r.Header.Set("X-Test-Email", "alice@example.com") }), http.StatusOK)
	for path, want := range map[string]string{
		"user/id":                             "auth0|alice",
		"user/email":                          "alice@example.com",
		"organization/id":                     testOrg,
		"organization/aignostics_bucket_name": "aignostics-org-" + testOrg,
		"organization/aignostics_bucket_protocol":               "gs",
		"organization/aignostics_bucket_hmac_access_key_id":     "GOOG1EXAMPLE",
		"organization/aignostics_bucket_hmac_secret_access_key": "hmac-secret-value",
	} {
		if got := r.str(path); got != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
	if r.str("organization/aignostics_logfire_token") == "" || r.str("organization/aignostics_sentry_dsn") == "" {
		t.Errorf("missing logfire/sentry: %s", r.Body)
	}
	noMail := h.want(h.do("GET", "/api/v1/me", nil), http.StatusOK)
	if noMail.get("user/email") != nil {
		t.Errorf("email without one in the token: %v", noMail.get("user/email"))
	}
}
