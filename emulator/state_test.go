package emulator

import (
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// startOn starts an emulator from o on free ports without test cleanup.
func startOn(t *testing.T, o Options) *Emulator {
	t.Helper()
	e, err := Start(o, "127.0.0.1:0", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestStateSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	o := Options{StateFile: path}
	// Both runs serve on the same API address, so the issuer stays the same.
	listen := func(addr string) (*Emulator, string) {
		e, err := New(o)
		if err != nil {
			t.Fatal(err)
		}
		api, err := net.Listen("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		st, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		e.Serve(api, st)
		return e, api.Addr().String()
	}
	e1, addr := listen("127.0.0.1:0")
	access, refresh, err := e1.IssueToken("")
	if err != nil {
		t.Fatal(err)
	}
	_, rotated, _ := e1.IssueToken("auth0|second")
	// Rotate the second one, so its old token is a "used" one across the restart.
	status, tok := postForm(t, e1.URL()+"/oauth/token", url.Values{"grant_type": {"refresh_token"}, "client_id": {ClientIDInteractive}, "refresh_token": {rotated}})
	if status != 200 {
		t.Fatalf("refresh: %d", status)
	}
	org := e1.keys.orgID
	if err := e1.Close(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("state file: %v %v", fi, err)
	}
	data, _ := os.ReadFile(path)
	for _, secret := range []string{refresh, rotated, str(tok, "refresh_token"), access} {
		if strings.Contains(string(data), secret) {
			t.Errorf("the state file holds a token in clear")
		}
	}

	e2, _ := listen(addr)
	t.Cleanup(func() { e2.Close() })
	if e2.keys.orgID != org {
		t.Errorf("org %s after restart, was %s", e2.keys.orgID, org)
	}
	if status, _, _ := get(t, e2.URL()+"/api/v1/applications", "Authorization", "Bearer "+access); status != 200 {
		t.Errorf("access token after restart: %d", status)
	}
	refreshWith := func(rt string) int {
		s, _ := postForm(t, e2.URL()+"/oauth/token", url.Values{"grant_type": {"refresh_token"}, "client_id": {ClientIDInteractive}, "refresh_token": {rt}})
		return s
	}
	if s := refreshWith(refresh); s != 200 {
		t.Errorf("refresh token after restart: %d", s)
	}
	if s := refreshWith(rotated); s != 400 {
		t.Errorf("rotated token after restart: %d, want 400", s)
	}
}

func TestStateFileErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte("{not json"), 0o600)
	old := filepath.Join(dir, "old.json")
	os.WriteFile(old, []byte(`{"version":99}`), 0o600)
	empty := filepath.Join(dir, "empty.json")
	os.WriteFile(empty, []byte(`{"version":1}`), 0o600)
	for _, p := range []string{bad, old, empty} {
		if _, err := New(Options{StateFile: p}); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("New with %s: %v, want an error naming the file", filepath.Base(p), err)
		}
	}
	// A state file whose directory is a regular file cannot be read: New says so.
	notDir := filepath.Join(dir, "file")
	os.WriteFile(notDir, nil, 0o600)
	if _, err := New(Options{StateFile: filepath.Join(notDir, "state.json")}); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("New with a state file under a regular file: %v", err)
	}
	// A state file in a missing directory cannot be written: Start says so at
	// once (not Close, when the session's state would be lost) and frees its ports.
	missing := filepath.Join(dir, "missing", "state.json")
	e, err := Start(Options{StateFile: missing}, "127.0.0.1:0", "127.0.0.1:0")
	if err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("Start with a state file in a missing directory: %v, want an error naming the file", err)
	}
	if e != nil {
		_ = e.Close()
	}
	// A fresh state file is written by Start, before any change.
	fresh := filepath.Join(dir, "fresh.json")
	e = startOn(t, Options{StateFile: fresh})
	_, statErr := os.Stat(fresh)
	e.Close()
	if statErr != nil {
		t.Errorf("state file after Start: %v", statErr)
	}
}

func TestStateWrittenAfterChanges(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	e := startTest(t, Options{StateFile: path})
	if _, _, err := e.IssueToken(""); err != nil {
		t.Fatal(err)
	}
	e.state.mu.Lock()
	scheduled := e.state.timer != nil
	e.state.mu.Unlock()
	if !scheduled {
		t.Fatalf("no write scheduled after a change")
	}
	if err := e.saveNow(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("state file: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left: %d entries", len(entries))
	}
}

func TestRunsSurviveRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	e1 := startOn(t, Options{StateFile: path})
	access, _, err := e1.IssueToken("")
	if err != nil {
		t.Fatal(err)
	}
	body := `{"application_id":"test-app","version_number":"1.0.0","items":[{"external_id":"slide-1","input_artifacts":[{"name":"whole_slide_image",
"download_url":"https://storage.example.com/slide-1.tiff","metadata":{"checksum_base64_crc32c":"AAAAAA==","width_px":10,"height_px":10,"resolution_mpp":0.25,"media_type":"image/tiff"}}]}]}`
	req, _ := http.NewRequest(http.MethodPost, e1.URL()+"/api/v1/runs", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+access)
	req.Header.Set("Content-Type", "application/json")
	status, _, created := do(t, req)
	if status != http.StatusCreated {
		t.Fatalf("create run: %d %s", status, created)
	}
	var run struct {
		RunID string `json:"run_id"`
	}
	if err := json.Unmarshal(created, &run); err != nil || run.RunID == "" {
		t.Fatalf("create answer %s", created)
	}
	if e1.Count("create_run") != 1 {
		t.Errorf("create_run count %d", e1.Count("create_run"))
	}
	if err := e1.Close(); err != nil {
		t.Fatal(err)
	}
	e2 := startTest(t, Options{StateFile: path})
	access2, _, _ := e2.IssueToken("")
	if status, _, b := get(t, e2.URL()+"/api/v1/runs/"+run.RunID, "Authorization", "Bearer "+access2); status != 200 || !strings.Contains(string(b), "slide") && !strings.Contains(string(b), run.RunID) {
		t.Errorf("run after restart: %d %s", status, b)
	}
}
