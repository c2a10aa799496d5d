package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aignostics/aignostics/internal/clock"
	"github.com/aignostics/aignostics/resources"
)

// TestSlidesUploadTerminal: on a terminal, a live line on stderr (files
// and bytes done of the total) cleared before the table and at the end;
// stdout has the table only; the HMAC secret shows nowhere.
func TestSlidesUploadTerminal(t *testing.T) {
	t.Parallel()
	e := newRunsEnv(t)
	e.tty = true
	r := e.ok("slides", "upload", slidesDir(t), "--prefix", "tty")
	if !strings.Contains(r.stderr, "upload: 3/3 files, 1.7 MiB of 1.7 MiB") ||
		!strings.Contains(r.stderr, "\r\x1b[K3 uploaded, 0 skipped (already there), 0 failed; 1.7 MiB sent") {
		t.Errorf("stderr %q", r.stderr)
	}
	if !strings.HasPrefix(r.stdout, "STATUS") || strings.Count(r.stdout, "uploaded") != 3 || strings.Contains(r.stdout, "\x1b") {
		t.Errorf("stdout %q", r.stdout)
	}
	me := e.ok("platform", "whoami", "--no-mask-secrets", "-o", "json")
	var who struct {
		Organization struct {
			Secret string `json:"aignostics_bucket_hmac_secret_access_key"`
		} `json:"organization"`
	}
	if err := json.Unmarshal([]byte(me.stdout), &who); err != nil || who.Organization.Secret == "" {
		t.Fatalf("whoami: %v %q", err, me.stdout)
	}
	if strings.Contains(r.stdout+r.stderr, who.Organization.Secret) {
		t.Fatal("the HMAC secret is in the output")
	}
	again := e.ok("slides", "upload", slidesDir(t), "--prefix", "tty", "-o", "jsonl")
	if strings.Count(again.stdout, `"status":"skipped"`) != 3 {
		t.Errorf("second upload: %q", again.stdout)
	}
}

// TestUploadProgressLine: rate and ETA from the bytes sent; skipped and
// resumed bytes count as done without changing the rate.
func TestUploadProgressLine(t *testing.T) {
	t.Parallel()
	clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	var buf bytes.Buffer
	p := &uploadProgress{live: &buf, clock: clk.Clock(), files: 3, total: 400 << 20}
	skipped := resources.UploadResult{Status: resources.UploadSkipped, Size: 100 << 20}
	p.event(resources.UploadEvent{Type: resources.UploadEventFile, Result: &skipped})
	p.event(resources.UploadEvent{Type: resources.UploadEventBytes, Bytes: 1 << 20})
	clk.Advance(2 * time.Second)
	p.event(resources.UploadEvent{Type: resources.UploadEventBytes, Bytes: 99 << 20})
	line := buf.String()[strings.LastIndex(buf.String(), "\r")+1:]
	if want := "upload: 1/3 files, 200.0 MiB of 400.0 MiB  50.0 MiB/s  ETA 4s\x1b[K"; line != want {
		t.Errorf("line %q, want %q", line, want)
	}
	p.event(resources.UploadEvent{Type: resources.UploadEventRetry})
	clk.Advance(time.Second)
	p.event(resources.UploadEvent{Type: resources.UploadEventBytes, Bytes: -10 << 20})
	if line := buf.String()[strings.LastIndex(buf.String(), "\r")+1:]; !strings.Contains(line, "190.0 MiB of 400.0 MiB") || !strings.HasSuffix(line, "(1 retries)\x1b[K") {
		t.Errorf("line %q", line)
	}
}
