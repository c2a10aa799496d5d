package resources_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aignostics/aignostics/checksum"
	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/resources"
)

// fakeFile is how the fake platform serves the one artifact's /file.
type fakeFile struct {
	body        []byte
	metadata    string // checksum in the metadata
	googHash    string // x-goog-hash crc32c ("" = header absent)
	etag        string
	honourRange bool
	wrongRange  bool // answer a Range with a 206 that starts at 0
	redirect    bool // 307 to a second origin (else 200 from /file itself)
}

// fakePlatform serves one terminated run with one item and one artifact,
// recording the Range headers and Authorization of the file requests.
func fakePlatform(t *testing.T, f fakeFile) (*resources.Client, *atomic.Value, *atomic.Int32) {
	t.Helper()
	var ranges atomic.Value
	ranges.Store([]string{})
	var leaked atomic.Int32
	serveFile := func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" && f.redirect {
			leaked.Add(1)
		}
		ranges.Store(append(ranges.Load().([]string), r.Header.Get("Range")))
		if f.googHash != "" {
			w.Header().Set("x-goog-hash", "crc32c="+f.googHash+",md5=AAAA")
		}
		if f.etag != "" {
			w.Header().Set("ETag", f.etag)
		}
		body := f.body
		if r.Header.Get("Range") != "" && f.wrongRange {
			w.Header().Set("Content-Range", "bytes 0-"+strconv.Itoa(len(body)-1)+"/"+strconv.Itoa(len(body)))
			w.WriteHeader(http.StatusPartialContent)
			w.Write(body)
			return
		}
		if rg := r.Header.Get("Range"); rg != "" && f.honourRange && r.Header.Get("If-Range") == f.etag {
			start, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(rg, "bytes="), "-"))
			if start >= len(body) {
				w.Header().Set("Content-Range", "bytes */"+strconv.Itoa(len(body)))
				w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
				return
			}
			w.Header().Set("Content-Range", "bytes "+strconv.Itoa(start)+"-"+strconv.Itoa(len(body)-1)+"/"+strconv.Itoa(len(body)))
			w.WriteHeader(http.StatusPartialContent)
			w.Write(body[start:])
			return
		}
		w.Write(body)
	}
	storage := httptest.NewServer(http.HandlerFunc(serveFile))
	t.Cleanup(storage.Close)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		js := func(v any) { json.NewEncoder(w).Encode(v) }
		switch p := r.URL.Path; {
		case p == "/api/v1/runs/r1":
			js(map[string]any{"run_id": "r1", "application_id": "app", "version_number": "1.0.0", "state": "TERMINATED"})
		case p == "/api/v1/applications/app/versions/1.0.0":
			js(map[string]any{"version_number": "1.0.0", "output_artifacts": []any{map[string]any{"name": "result", "mime_type": "text/csv", "scope": "ITEM"}}})
		case p == "/api/v1/runs/r1/items":
			js([]any{map[string]any{"item_id": "i1", "external_id": "slide", "state": "TERMINATED", "output": "FULL",
				"output_artifacts": []any{map[string]any{"output_artifact_id": "a1", "name": "result", "state": "TERMINATED",
					"output": "AVAILABLE", "metadata": map[string]any{"checksum_base64_crc32c": f.metadata}}}}})
		case p == "/api/v1/runs/r1/artifacts/a1/file" && f.redirect:
			http.Redirect(w, r, storage.URL+"/bucket/a1", http.StatusTemporaryRedirect)
		case p == "/api/v1/runs/r1/artifacts/a1/file":
			serveFile(w, r)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(api.Close)
	hc, err := httpx.New(httpx.Options{AuthOrigin: api.URL, Token: httpx.StaticToken("secret-token"), RetryBase: time.Millisecond, Clock: newClock().Clock()})
	if err != nil {
		t.Fatal(err)
	}
	return resources.NewFromHTTP(api.URL, hc, resources.Options{Clock: newClock().Clock()}), &ranges, &leaked
}

func TestDownloadAgainstFake(t *testing.T) {
	body := []byte(strings.Repeat("0123456789", 50_000))
	good := checksum.Encode(checksum.Sum(body))
	tests := []struct {
		name       string
		f          fakeFile
		part       int    // bytes of a pre-existing .part (with the ETag sidecar)
		wantRanges string // Range headers seen, joined by |
		wantErr    error
		opts       resources.DownloadOptions
	}{
		{"200 from /file", fakeFile{body: body, metadata: good, googHash: good}, 0, "", nil, resources.DownloadOptions{}},
		{"307 without the token", fakeFile{body: body, metadata: good, googHash: good, redirect: true}, 0, "", nil, resources.DownloadOptions{}},
		{"no x-goog-hash", fakeFile{body: body, metadata: good, redirect: true}, 0, "", nil, resources.DownloadOptions{}},
		{"x-goog-hash disagrees", fakeFile{body: body, metadata: good, googHash: "AAAAAA==", redirect: true}, 0, "", checksum.ErrMismatch, resources.DownloadOptions{}},
		{"metadata disagrees", fakeFile{body: body, metadata: "AAAAAA==", googHash: good, redirect: true}, 0, "", checksum.ErrMismatch, resources.DownloadOptions{}},
		{"resume honoured", fakeFile{body: body, metadata: good, googHash: good, etag: `"e1"`, honourRange: true, redirect: true}, 1000, "bytes=1000-", nil, resources.DownloadOptions{}},
		{"range ignored: full download", fakeFile{body: body, metadata: good, googHash: good, etag: `"e1"`, redirect: true}, 1000, "bytes=1000-", nil, resources.DownloadOptions{}},
		{"part as long as the object: 416, start over", fakeFile{body: body, metadata: good, etag: `"e1"`, honourRange: true, redirect: true}, len(body), "bytes=500000-|", nil, resources.DownloadOptions{}},
		{"206 from the wrong offset: start over", fakeFile{body: body, metadata: good, etag: `"e1"`, wrongRange: true, redirect: true}, 1000, "bytes=1000-|", nil, resources.DownloadOptions{}},
		{"malformed metadata checksum", fakeFile{body: body, metadata: "not-a-crc", redirect: true}, 0, "", resources.ErrIntegrity, resources.DownloadOptions{}},
		{"malformed metadata checksum, --no-verify", fakeFile{body: body, metadata: "not-a-crc", googHash: "AAAAAA==", redirect: true}, 0, "", nil, resources.DownloadOptions{NoVerify: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ranges, leaked := fakePlatform(t, tt.f)
			dir := t.TempDir()
			path := filepath.Join(dir, "r1", "slide", "result.csv")
			if tt.part > 0 {
				os.MkdirAll(filepath.Dir(path), 0o755)
				os.WriteFile(path+".part", body[:tt.part], 0o644)
				os.WriteFile(path+".part.etag", []byte(`"e1"`), 0o644)
			}
			sum, err := c.Run("r1").DownloadToFolder(context.Background(), dir, tt.opts)
			if tt.wantErr == nil && err != nil || !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got := strings.Join(ranges.Load().([]string), "|"); got != tt.wantRanges {
				t.Errorf("Range headers %q, want %q", got, tt.wantRanges)
			}
			if leaked.Load() != 0 {
				t.Error("the token was sent to the storage origin")
			}
			b, rerr := os.ReadFile(path)
			if tt.wantErr != nil {
				if rerr == nil {
					t.Error("a final file was written despite the mismatch")
				}
				if _, err := os.Stat(path + ".part"); err == nil {
					t.Error("the .part file of a mismatch was kept")
				}
				return
			}
			if rerr != nil || string(b) != string(body) || sum.Files[0].CRC32C != good || sum.Files[0].Verified == tt.opts.NoVerify {
				t.Fatalf("file: %v, %d bytes, summary %+v", rerr, len(b), sum.Files)
			}
			again, err := c.Run("r1").DownloadToFolder(context.Background(), dir, tt.opts)
			if err != nil || again.Skipped != 1 {
				t.Fatalf("second download: %v %+v", err, again)
			}
			for _, leftover := range []string{path + ".part", path + ".part.etag"} {
				if _, err := os.Stat(leftover); err == nil {
					t.Errorf("%s left behind", leftover)
				}
			}
		})
	}
}
