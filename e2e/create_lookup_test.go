package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// After a runs create whose answer was lost, a run found by the first
// external id that is not the run sent (other items) is not reported as
// ours: the command says the run may exist, exit 1.
func TestCreateLookupNeedsAllItems(t *testing.T) {
	t.Parallel()
	h := newHostileServer(t)
	version := emulatorAnswer(t, "/api/v1/applications/test-app/versions/1.0.0")
	h.handle("GET /api/v1/applications/test-app/versions/1.0.0", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(version)
	})
	h.handle("POST /api/v1/runs", func(w http.ResponseWriter, r *http.Request) { hijackCut(w) })
	const otherRun = "11111111-2222-3333-4444-555555555555"
	h.handle("GET /api/v1/runs", func(w http.ResponseWriter, r *http.Request) {
		other := run(otherRun)
		other["submitted_at"] = time.Now().UTC().Format(time.RFC3339)
		other["statistics"] = map[string]any{"item_count": 2}
		writeJSON(w, 200, []any{other})
	})
	h.handle("GET /api/v1/runs/"+otherRun+"/items", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, []any{map[string]any{"item_id": "i1", "external_id": "lookup-0", "state": "PENDING", "output": "NONE"},
			map[string]any{"item_id": "i2", "external_id": "someone-else", "state": "PENDING", "output": "NONE"}})
	})
	c := newHostileCLI(t, h)
	items := writeItems(t, t.TempDir(), 2, "lookup")
	r := c.run(nil, "", "runs", "create", "test-app:1.0.0", "--items", items)
	if r.code != 1 || !strings.Contains(r.stderr, "may exist") || strings.Contains(r.stdout, otherRun) {
		t.Errorf("exit %d, stdout %q, stderr %q; want 1 saying the run may exist, not the other run", r.code, r.stdout, r.stderr)
	}
	if n := h.count("POST /api/v1/runs"); n != 1 {
		t.Errorf("the create was sent %d times, want 1", n)
	}
}
