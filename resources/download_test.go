package resources_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aignostics/aignostics/checksum"
	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/emulator/emulatortest"
	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/internal/clock"
	"github.com/aignostics/aignostics/resources"
)

// dlEnv is an emulator, a client and a submitted run.
type dlEnv struct {
	emu *emulator.Emulator
	clk *clock.Fake // the emulator's and the downloader's: waiting advances it
	c   *resources.Client
	run *resources.Run
}

// newDLEnv starts an emulator (artifacts of size bytes, faults as given) and
// submits a run of n items of app ("test-app" or "he-tme").
func newDLEnv(t testing.TB, app string, n int, size int64, faults string) *dlEnv {
	t.Helper()
	clk := newClock()
	emu := emulatortest.StartTest(t, emulator.Options{Clock: clk.Clock(), ArtifactSize: size, Seed: 7, TokenLifetime: 48 * time.Hour})
	access, _, err := emu.IssueToken(emulator.DefaultSubject)
	if err != nil {
		t.Fatal(err)
	}
	hc, err := httpx.New(httpx.Options{
		AuthOrigin: resources.Origin(emu.URL()), Token: httpx.StaticToken(access),
		RetryBase: time.Millisecond, MaxRetries: 8, Clock: newClock().Clock(),
	})
	if err != nil {
		t.Fatal(err)
	}
	c := resources.NewFromHTTP(emu.URL(), hc, resources.Options{Clock: clk.Clock()})
	req := resources.RunCreationRequest{ApplicationID: app}
	for i := range n {
		md := map[string]any{"checksum_base64_crc32c": "AAAAAA==", "width_px": 10, "height_px": 10,
			"resolution_mpp": 0.5, "media_type": "image/tiff"}
		if app == "he-tme" {
			md["specimen"] = map[string]any{"tissue": "LUNG", "disease": "LUNG_CANCER"}
			md["staining_method"] = "H&E"
		}
		req.Items = append(req.Items, resources.ItemCreationRequest{
			ExternalID: fmt.Sprintf("slide-%03d", i),
			InputArtifacts: []resources.InputArtifactCreationRequest{{
				Name: "whole_slide_image", DownloadURL: fmt.Sprintf("https://example.com/s%d.tiff", i), Metadata: md,
			}},
		})
	}
	run, err := c.Runs().Submit(context.Background(), req)
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	if err := emu.SetFaults(faults); err != nil {
		t.Fatal(err)
	}
	return &dlEnv{emu: emu, clk: clk, c: c, run: run}
}

// finish advances the clock until every item is done.
func (e *dlEnv) finish() { e.clk.Advance(time.Hour) }

// files lists every regular file under dir, relative, with slashes.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && d.Name() != resources.ManifestName { // results only
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return out
}

// checkFiles proves every downloaded file's bytes have the checksum its
// artifact's metadata states.
func checkFiles(t *testing.T, e *dlEnv, sum *resources.DownloadSummary) {
	t.Helper()
	want := map[string]string{}
	for it, err := range e.run.Items(context.Background(), resources.ItemListOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range it.OutputArtifacts {
			want[a.OutputArtifactID], _ = a.Metadata["checksum_base64_crc32c"].(string)
		}
	}
	for _, f := range sum.Files {
		b, err := os.ReadFile(f.Path)
		if err != nil {
			t.Fatal(err)
		}
		if got := checksum.Encode(checksum.Sum(b)); got != want[f.ArtifactID] || got != f.CRC32C {
			t.Errorf("%s: crc %s, metadata %s, reported %s", f.Path, got, want[f.ArtifactID], f.CRC32C)
		}
	}
}

func TestDownloadAllThenSkip(t *testing.T) {
	e := newDLEnv(t, "test-app", 12, 70_000, "")
	e.finish()
	dir := t.TempDir()
	var mu sync.Mutex
	events := map[resources.DownloadEventType]int{}
	var bytes int64
	queued := 0
	sum, err := e.run.DownloadToFolder(context.Background(), dir, resources.DownloadOptions{
		Parallel: 3,
		Progress: func(ev resources.DownloadEvent) {
			mu.Lock()
			defer mu.Unlock()
			events[ev.Type]++
			bytes += ev.Bytes
			queued += ev.Queued
		},
	})
	if err != nil {
		t.Fatalf("DownloadToFolder: %v", err)
	}
	if sum.Downloaded != 36 || sum.Skipped != 0 || sum.Failed != 0 || len(sum.Files) != 36 || sum.Bytes != 36*70_000 {
		t.Fatalf("summary %+v", sum)
	}
	if events[resources.EventStart] != 36 || events[resources.EventFile] != 36 || bytes != sum.Bytes || queued != 36 {
		t.Fatalf("events %v, bytes %d, queued %d", events, bytes, queued)
	}
	for _, f := range sum.Files {
		if !f.Verified || f.Status != resources.FileDownloaded || f.Size != 70_000 {
			t.Errorf("file %+v", f)
		}
	}
	checkFiles(t, e, sum)
	got := files(t, dir)
	if len(got) != 36 {
		t.Fatalf("%d files on disk: %v", len(got), got)
	}
	for _, want := range []string{
		e.run.ID + "/slide-000/tissue_qc_tiff_heatmap.tiff",
		e.run.ID + "/slide-000/cell_classification_geojson_polygons.json",
		e.run.ID + "/slide-011/readout_csv.csv",
	} {
		if _, err := os.Stat(filepath.Join(dir, want)); err != nil {
			t.Errorf("missing %s", want)
		}
	}

	before := e.emu.Count("request")
	again, err := e.run.DownloadToFolder(context.Background(), dir, resources.DownloadOptions{})
	if err != nil {
		t.Fatalf("second DownloadToFolder: %v", err)
	}
	if again.Skipped != 36 || again.Downloaded != 0 || again.Bytes != 0 {
		t.Fatalf("second summary %+v", again)
	}
	// Only listing requests: details, version, item pages; no /file.
	if n := e.emu.Count("request") - before; n > 6 {
		t.Errorf("second download made %d requests", n)
	}
}

func TestDownloadGlobalScope(t *testing.T) {
	e := newDLEnv(t, "he-tme", 2, 1000, "")
	e.finish()
	dir := t.TempDir()
	sum, err := e.run.DownloadToFolder(context.Background(), dir, resources.DownloadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(files(t, filepath.Join(dir, e.run.ID)), "\n")
	for _, want := range []string{"_global/run_summary_json.json", "slide-000/cell_features_parquet.parquet", "slide-001/readout_csv.csv"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %s in\n%s", want, got)
		}
	}
	if strings.Contains(got, "slide-000/run_summary") {
		t.Errorf("global artifact inside an item folder:\n%s", got)
	}
	checkFiles(t, e, sum)
}

func TestDownloadCorrupt(t *testing.T) {
	e := newDLEnv(t, "test-app", 3, 50_000, "storage:corrupt")
	e.finish()
	dir := t.TempDir()
	sum, err := e.run.DownloadToFolder(context.Background(), dir, resources.DownloadOptions{})
	if !errors.Is(err, resources.ErrIntegrity) || !errors.Is(err, checksum.ErrMismatch) {
		t.Fatalf("err = %v, want an integrity mismatch", err)
	}
	if sum.Failed != 9 || sum.Downloaded != 0 {
		t.Fatalf("summary %+v", sum)
	}
	if got := files(t, dir); len(got) != 0 {
		t.Fatalf("files left behind: %v", got)
	}
}

func TestDownloadFlakyStorage(t *testing.T) {
	e := newDLEnv(t, "test-app", 8, 300_000, "storage:reset@0.3,storage:503@0.2,storage:truncate@0.3,api:503@0.1")
	e.finish()
	dir := t.TempDir()
	sum, err := e.run.DownloadToFolder(context.Background(), dir, resources.DownloadOptions{Attempts: 20})
	if err != nil {
		t.Fatalf("DownloadToFolder: %v (summary %+v)", err, sum)
	}
	if sum.Downloaded != 24 {
		t.Fatalf("summary %+v", sum)
	}
	resumed := 0
	for _, f := range sum.Files {
		if f.Resumed {
			resumed++
		}
	}
	if resumed == 0 {
		t.Error("no transfer was resumed: the truncate faults did not bite")
	}
	checkFiles(t, e, sum)
	for _, f := range files(t, dir) {
		if strings.HasSuffix(f, ".part") || strings.HasSuffix(f, ".etag") {
			t.Errorf("left over %s", f)
		}
	}
}

// etagOf asks the storage for an artifact's ETag.
func etagOf(t *testing.T, e *dlEnv, artifactID string) string {
	t.Helper()
	resp, err := e.c.HTTP().Do(mustReq(t, e.run.ArtifactFileURL(artifactID)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.Header.Get("ETag")
}

func mustReq(t *testing.T, u string) *http.Request {
	t.Helper()
	r, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestDownloadResume(t *testing.T) {
	const size = 200_000
	e := newDLEnv(t, "test-app", 1, size, "")
	e.finish()
	ref := t.TempDir()
	full, err := e.run.DownloadToFolder(context.Background(), ref, resources.DownloadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f := full.Files[0]
	content, err := os.ReadFile(f.Path)
	if err != nil {
		t.Fatal(err)
	}
	rel, _ := filepath.Rel(ref, f.Path)
	tests := []struct {
		name      string
		prefix    []byte
		etag      string
		wantBytes int64
		wantErr   error
	}{
		{"resumes from the part", content[:size/3], etagOf(t, e, f.ArtifactID), size - size/3, nil},
		{"stale etag: full download", content[:size/3], `"0000"`, size, nil},
		{"no etag: full download", content[:size/3], "", size, nil},
		{"corrupt prefix is caught", append([]byte("XX"), content[2:size/3]...), etagOf(t, e, f.ArtifactID), size - size/3, resources.ErrIntegrity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, rel)
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path+".part", tt.prefix, 0o644); err != nil {
				t.Fatal(err)
			}
			if tt.etag != "" {
				if err := os.WriteFile(path+".part.etag", []byte(tt.etag), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			sum, err := e.run.DownloadToFolder(context.Background(), dir, resources.DownloadOptions{})
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			var got int64
			for _, g := range sum.Files {
				if g.ArtifactID == f.ArtifactID {
					got = sum.Bytes // other artifacts add to Bytes too; subtract them below
				}
			}
			others := int64(0)
			for _, g := range sum.Files {
				if g.ArtifactID != f.ArtifactID && g.Status == resources.FileDownloaded {
					others += g.Size
				}
			}
			if got-others != tt.wantBytes {
				t.Errorf("received %d bytes for the file, want %d", got-others, tt.wantBytes)
			}
			if tt.wantErr != nil {
				if _, err := os.Stat(path); err == nil {
					t.Error("a corrupt final file was left")
				}
				return
			}
			b, err := os.ReadFile(path)
			if err != nil || string(b) != string(content) {
				t.Fatalf("resumed file differs (%v)", err)
			}
		})
	}
}

func TestDownloadRunningAndWait(t *testing.T) {
	e := newDLEnv(t, "test-app", 8, 1000, "")
	// PENDING 2s, then 4 items at a time for 5s each: after 8s the first four are done.
	e.clk.Advance(8 * time.Second)
	dir := t.TempDir()
	sum, err := e.run.DownloadToFolder(context.Background(), dir, resources.DownloadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Downloaded != 12 || len(sum.Pending) != 4 || sum.State == resources.RunTerminated {
		t.Fatalf("summary %+v", sum)
	}
	sum, err = e.run.DownloadToFolder(context.Background(), dir, resources.DownloadOptions{
		Wait: true, PollInterval: 2 * time.Second,
	})
	polls := len(e.clk.Slept())
	if err != nil {
		t.Fatal(err)
	}
	if sum.Downloaded != 12 || sum.Skipped != 12 || len(sum.Pending) != 0 || sum.State != resources.RunTerminated || polls == 0 {
		t.Fatalf("summary %+v after %d polls", sum, polls)
	}
}

func TestDownloadDeleted(t *testing.T) {
	e := newDLEnv(t, "test-app", 2, 1000, "")
	e.finish()
	if err := e.run.DeleteArtifacts(context.Background()); err != nil {
		t.Fatal(err)
	}
	sum, err := e.run.DownloadToFolder(context.Background(), t.TempDir(), resources.DownloadOptions{})
	if !errors.Is(err, resources.ErrArtifactsDeleted) || errors.Is(err, resources.ErrIntegrity) {
		t.Fatalf("err = %v", err)
	}
	if sum.Deleted != 6 {
		t.Fatalf("summary %+v", sum)
	}
}

func TestDownloadChecksumKey(t *testing.T) {
	e := newDLEnv(t, "test-app", 1, 1000, "")
	e.finish()
	sum, err := e.run.DownloadToFolder(context.Background(), t.TempDir(), resources.DownloadOptions{ChecksumKey: "crc"})
	if !errors.Is(err, resources.ErrIntegrity) || !errors.Is(err, resources.ErrMissingChecksum) || !strings.Contains(err.Error(), `"crc"`) {
		t.Fatalf("missing checksum: err = %v", err)
	}
	if strings.Contains(err.Error(), "--") || !errors.Is(sum.Files[0].Err(), resources.ErrMissingChecksum) {
		t.Errorf("missing checksum: err = %v names a flag, or the file's Err %v is not ErrMissingChecksum", err, sum.Files[0].Err())
	}
	sum, err = e.run.DownloadToFolder(context.Background(), t.TempDir(), resources.DownloadOptions{ChecksumKey: "crc", NoVerify: true})
	if err != nil || sum.Downloaded != 3 || sum.Files[0].Verified {
		t.Fatalf("--no-verify: %v %+v", err, sum)
	}
}

func TestDownloadCancelLeavesOnlyParts(t *testing.T) {
	e := newDLEnv(t, "test-app", 4, 600_000, "")
	e.finish()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// One worker: the cancel happens inside its first write, before any file is complete.
	_, err := e.run.DownloadToFolder(ctx, dir, resources.DownloadOptions{
		Parallel: 1,
		Progress: func(ev resources.DownloadEvent) {
			if ev.Type == resources.EventBytes {
				cancel()
			}
		},
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	left := files(t, dir)
	for _, f := range left {
		if !strings.HasSuffix(f, ".part") && !strings.HasSuffix(f, ".part.etag") {
			t.Errorf("final file %s after cancel", f)
		}
	}
	if len(left) == 0 {
		t.Error("no .part file kept to resume from")
	}
}

// Failures at the storage origin are reported without the signed URL's signature.
func TestDownloadFailureHidesSignature(t *testing.T) {
	e := newDLEnv(t, "test-app", 1, 1000, "storage:reset")
	e.finish()
	sum, err := e.run.DownloadToFolder(context.Background(), t.TempDir(), resources.DownloadOptions{Attempts: 1})
	if !errors.Is(err, resources.ErrDownloadFailed) || errors.Is(err, resources.ErrIntegrity) {
		t.Fatalf("err = %v", err)
	}
	if sum.Failed != 3 {
		t.Fatalf("summary %+v", sum)
	}
	for _, f := range sum.Files {
		if f.Error == "" || regexp.MustCompile(`(?i)signature=[0-9a-f]{8}`).MatchString(f.Error) {
			t.Errorf("error %q", f.Error)
		}
	}
}

// A present file whose checksum differs (changed on disk) is fetched again;
// the others are skipped.
func TestDownloadReplacesChangedFile(t *testing.T) {
	e := newDLEnv(t, "test-app", 2, 5000, "")
	e.finish()
	dir := t.TempDir()
	first, err := e.run.DownloadToFolder(context.Background(), dir, resources.DownloadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	victim := first.Files[2].Path
	b, err := os.ReadFile(victim)
	if err != nil {
		t.Fatal(err)
	}
	b[100] ^= 0xff
	if err := os.WriteFile(victim, b, 0o644); err != nil {
		t.Fatal(err)
	}
	again, err := e.run.DownloadToFolder(context.Background(), dir, resources.DownloadOptions{})
	if err != nil || again.Downloaded != 1 || again.Skipped != 5 || again.Bytes != 5000 {
		t.Fatalf("second download: %v %+v", err, again)
	}
	checkFiles(t, e, again)
}

// A present file whose checksum differs is not left under its final name when
// downloading it again fails verification: the folder never holds a file that
// is known not to be the artifact.
func TestDownloadChangedFileThenCorrupt(t *testing.T) {
	e := newDLEnv(t, "test-app", 1, 5000, "")
	e.finish()
	dir := t.TempDir()
	first, err := e.run.DownloadToFolder(context.Background(), dir, resources.DownloadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	victim := first.Files[0].Path
	b, err := os.ReadFile(victim)
	if err != nil {
		t.Fatal(err)
	}
	b[100] ^= 0xff
	if err := os.WriteFile(victim, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := e.emu.SetFaults("storage:corrupt"); err != nil {
		t.Fatal(err)
	}
	again, err := e.run.DownloadToFolder(context.Background(), dir, resources.DownloadOptions{})
	if !errors.Is(err, resources.ErrIntegrity) || again.Failed != 1 || again.Skipped != 2 {
		t.Fatalf("second download: %v %+v", err, again)
	}
	if _, err := os.Stat(victim); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the changed file is still there after a failed download (stat: %v)", err)
	}
	if got := files(t, dir); len(got) != 2 {
		t.Fatalf("files left: %v, want the 2 verified ones", got)
	}
}
