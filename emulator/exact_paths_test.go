package emulator

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// rawGet sends "GET target" exactly as given (no client-side path cleaning)
// to the origin base and returns the status, headers and body.
func rawGet(t *testing.T, base, target string, header ...string) (int, http.Header, []byte) {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	var req bytes.Buffer
	req.WriteString("GET " + target + " HTTP/1.1\r\nHost: " + u.Host + "\r\nConnection: close\r\n")
	for i := 0; i+1 < len(header); i += 2 {
		req.WriteString(header[i] + ": " + header[i+1] + "\r\n")
	}
	req.WriteString("\r\n")
	if _, err := c.Write(req.Bytes()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read GET %s: %v", target, err)
	}
	return resp.StatusCode, resp.Header, b
}

// Object names may hold a leading slash, "//", "." and ".." segments (GCS
// allows them): the storage origin serves the exact signed path, never a
// cleaned one or a redirect to it.
func TestStorageServesExactPaths(t *testing.T) {
	e := startTest(t, Options{})
	for _, name := range []string{"/lead.bin", "a//b.bin", "a/./b.bin", "a/../b.bin", "dir/", "a/.."} {
		t.Run(name, func(t *testing.T) {
			content := []byte("content of " + name)
			putObject(e, ResultsBucket, name, content)
			signed, err := url.Parse(e.signURL(ResultsBucket, name, time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if want := "/" + ResultsBucket + "/" + name; signed.Path != want {
				t.Fatalf("signed path %q, want %q", signed.Path, want)
			}
			status, h, body := rawGet(t, e.StorageURL(), signed.RequestURI())
			if status != http.StatusOK || h.Get("Location") != "" || !bytes.Equal(body, content) {
				t.Errorf("GET %s: %d Location %q body %q", signed.Path, status, h.Get("Location"), body)
			}
		})
	}
}

// The API origin dispatches /api/v1 paths exactly: an external id that is
// "." or ".." (url.PathEscape leaves both as they are) names that item, and
// is not redirected to a cleaned path such as the run itself.
func TestAPIServesExactPaths(t *testing.T) {
	e := startTest(t, Options{})
	token, _, err := e.IssueToken("")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(runBody("test-app", "", ".", "..", "x"))
	req, _ := http.NewRequest(http.MethodPost, e.URL()+"/api/v1/runs", bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	status, _, body := do(t, req)
	if status != http.StatusCreated {
		t.Fatalf("create run: %d %s", status, body)
	}
	var created struct {
		RunID string `json:"run_id"`
	}
	if err := json.Unmarshal(body, &created); err != nil {
		t.Fatal(err)
	}
	for _, ext := range []string{".", ".."} {
		target := "/api/v1/runs/" + created.RunID + "/items/" + url.PathEscape(ext)
		status, h, body := rawGet(t, e.URL(), target, "Authorization", "Bearer "+token)
		var item struct {
			ExternalID string `json:"external_id"`
		}
		_ = json.Unmarshal(body, &item)
		if status != http.StatusOK || h.Get("Location") != "" || item.ExternalID != ext {
			t.Errorf("GET %s: %d Location %q external_id %q", target, status, h.Get("Location"), item.ExternalID)
		}
	}
	// A path that is not an operation is a 404, not a redirect to a cleaned one.
	status, h, _ := rawGet(t, e.URL(), "/api/v1/runs//"+created.RunID, "Authorization", "Bearer "+token)
	if status != http.StatusNotFound || strings.TrimSpace(h.Get("Location")) != "" {
		t.Errorf("GET /api/v1/runs//id: %d Location %q", status, h.Get("Location"))
	}
}
