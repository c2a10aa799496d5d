package e2e

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Every API answer is bounded (after decompression) and has a whole-answer
// deadline: a gzip bomb, an endless stream and a server dribbling bytes
// end in a clear error instead of eating memory or holding the command.
func TestHostileAnswerBodies(t *testing.T) {
	t.Parallel()
	var bomb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&bomb, gzip.BestCompression)
	zeros := make([]byte, 1<<20)
	for range 100 { // 100 MiB of zeros in about 100 KiB
		zw.Write(zeros)
	}
	zw.Close()
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{"gzip bomb", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(bomb.Bytes())
		}, "too large"},
		{"endless stream", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte("["))
			chunk := []byte(strings.Repeat(`{"application_id":"x","name":"y"},`, 1000))
			for r.Context().Err() == nil {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}, "too large"},
		{"dribbling server", func(w http.ResponseWriter, r *http.Request) {
			dribble(w, r, "application/json", 200)
		}, "did not arrive whole"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHostileServer(t)
			h.handle("GET /api/v1/applications", tt.handler)
			c := newHostileCLI(t, h)
			c.env["AIGNOSTICS_REQUEST_TIMEOUT_SECONDS"] = "1"
			r := c.run(nil, "", "-o", "json", "applications", "list")
			if r.code != 1 || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want 1 saying %q", r.code, r.stderr, tt.want)
			}
			if n := h.count("GET /api/v1/applications"); n != 1 {
				t.Errorf("%d requests, want 1 (such an answer is not retried)", n)
			}
		})
	}
}

// A paginated list whose server ignores `page` (the same full page again)
// stops with an error instead of requesting forever; what came is printed
// and the JSON is left incomplete.
func TestListWithoutProgressStops(t *testing.T) {
	t.Parallel()
	h := newHostileServer(t)
	h.handle("GET /api/v1/runs", func(w http.ResponseWriter, r *http.Request) {
		var page []any
		for i := range pageSize(r) {
			page = append(page, run("00000000-0000-0000-0000-"+strings.Repeat("0", 8)+string(rune('a'+i%6))+"000"))
		}
		writeJSON(w, 200, page)
	})
	c := newHostileCLI(t, h)
	r := c.run(nil, "", "-o", "json", "runs", "list")
	if r.code != 1 || !strings.Contains(r.stderr, "already sent") {
		t.Errorf("exit %d, stderr %q; want 1 saying the page came again", r.code, r.stderr)
	}
	if n := h.count("GET /api/v1/runs"); n != 2 {
		t.Errorf("%d pages requested, want 2", n)
	}
	if !strings.HasPrefix(r.stdout, "[") || strings.HasSuffix(strings.TrimSpace(r.stdout), "]") {
		t.Errorf("stdout is not the first page as an unfinished JSON array: %.80q...", r.stdout)
	}
}

// The health check (platform health, and runs submit before it sends)
// reads its answer itself: it too has the whole-answer deadline, so a
// /health dribbling spaces cannot hold the command.
func TestHealthAnswerDeadline(t *testing.T) {
	t.Parallel()
	h := newHostileServer(t)
	h.handle("GET /health", func(w http.ResponseWriter, r *http.Request) {
		dribble(w, r, "application/json", 200)
	})
	c := newHostileCLI(t, h)
	c.env["AIGNOSTICS_REQUEST_TIMEOUT_SECONDS"] = "1"
	r := c.run(nil, "", "platform", "health")
	if r.code != 1 || !strings.Contains(r.stderr, "did not arrive whole") {
		t.Errorf("exit %d, stderr %q; want 1 saying the answer did not arrive whole", r.code, r.stderr)
	}
}

// dribble answers status and then one space every 200 ms, within any idle
// timeout of a second, until the client goes: an answer that never ends.
func dribble(w http.ResponseWriter, r *http.Request, contentType string, status int) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	rc := http.NewResponseController(w)
	for r.Context().Err() == nil {
		if _, err := w.Write([]byte(" ")); err != nil {
			return
		}
		rc.Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(200 * time.Millisecond):
		}
	}
}
