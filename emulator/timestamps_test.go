package emulator

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aignostics/aignostics/internal/clock"
)

// TestTimestampsCarryMicroseconds: like the real platform (Python
// datetimes), the API's timestamps have at most six fractional digits.
func TestTimestampsCarryMicroseconds(t *testing.T) {
	clock := clock.NewFake(time.Date(2026, 5, 1, 8, 0, 0, 123456789, time.UTC))
	e := startTest(t, Options{Clock: clock.Clock()})
	token, _, err := e.IssueToken("")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(runBody("test-app", "", "slide-1"))
	req, _ := http.NewRequest("POST", e.URL()+"/api/v1/runs", strings.NewReader(string(b)))
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var created struct {
		RunID string `json:"run_id"`
	}
	json.NewDecoder(res.Body).Decode(&created)
	res.Body.Close()
	req, _ = http.NewRequest("GET", e.URL()+"/api/v1/runs/"+created.RunID, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var run struct {
		SubmittedAt string `json:"submitted_at"`
	}
	if err := json.NewDecoder(res.Body).Decode(&run); err != nil {
		t.Fatal(err)
	}
	if run.SubmittedAt != "2026-05-01T08:00:00.123456Z" {
		t.Fatalf("submitted_at = %q, want microseconds: 2026-05-01T08:00:00.123456Z", run.SubmittedAt)
	}
}
