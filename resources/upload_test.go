package resources_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aignostics/aignostics/checksum"
	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/emulator/emulatortest"
	"github.com/aignostics/aignostics/resources"
)

// testPart is the part size of the upload tests: the emulator takes parts
// this small (Options.MinPartSize) and says so, so the bucket allows them.
const testPart = 64 << 10

// uploadEnv is an emulator whose organization bucket takes small parts.
type uploadEnv struct {
	emu    *emulator.Emulator
	bucket *resources.Bucket
	dir    string
}

func newUploadEnv(t testing.TB, o emulator.Options) *uploadEnv {
	t.Helper()
	clk := newClock()
	o.Clock, o.MinPartSize = clk.Clock(), testPart
	emu := emulatortest.StartTest(t, o)
	c := newClient(t, emu.URL(), emu, resources.Options{Clock: clk.Clock(), DiscoverStorage: true})
	b, err := c.OrgBucket(context.Background())
	if err != nil {
		t.Fatalf("OrgBucket: %v", err)
	}
	if b.MinPartSize != testPart {
		t.Fatalf("the bucket's minimum part size is %d, want the emulator's %d", b.MinPartSize, testPart)
	}
	return &uploadEnv{emu: emu, bucket: b, dir: t.TempDir()}
}

// file writes a file of n random bytes (seeded by name) and returns its path.
func (e *uploadEnv) file(t testing.TB, name string, n int) string {
	t.Helper()
	var seed uint64
	for _, c := range name {
		seed = seed*31 + uint64(c)
	}
	r := rand.New(rand.NewPCG(seed, uint64(n)))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	p := filepath.Join(e.dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// opts are small-part options with a journal and quick retries.
func (e *uploadEnv) opts() resources.UploadOptions {
	return resources.UploadOptions{Prefix: "tester/slides", PartSize: testPart, MultipartThreshold: 2 * testPart,
		Parallel: 3, JournalDir: filepath.Join(e.dir, "journal"), RetryBase: 1}
}

// upload runs Upload and returns the results by path and the errors.
func upload(t testing.TB, b *resources.Bucket, files []resources.UploadFile, o resources.UploadOptions) (map[string]resources.UploadResult, []error) {
	t.Helper()
	got := map[string]resources.UploadResult{}
	var errs []error
	for r, err := range b.Upload(context.Background(), files, o) {
		if r.Path == "" && err != nil {
			t.Fatalf("Upload: %v", err)
		}
		if _, dup := got[r.Path]; dup {
			t.Errorf("%s reported twice", r.Path)
		}
		got[r.Path] = r
		if err != nil {
			errs = append(errs, err)
		}
	}
	return got, errs
}

func fileCRC(t testing.TB, path string) (uint32, int64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return checksum.Sum(b), int64(len(b))
}

// TestUploadSingleAndMultipart: small files in one PUT, larger ones in
// parts (the last one short), an empty file; every object verified under
// its content-addressed key; a second upload skips them all and sends
// nothing.
func TestUploadSingleAndMultipart(t *testing.T) {
	t.Parallel()
	e := newUploadEnv(t, emulator.Options{})
	files := []resources.UploadFile{
		{Path: e.file(t, "small.tiff", 1000)},
		{Path: e.file(t, "below.svs", 2*testPart-1)},
		{Path: e.file(t, "parts.tiff", 5*testPart+17)},
		{Path: e.file(t, "exact.tiff", 4*testPart)},
		{Path: e.file(t, "empty.tiff", 0)},
	}
	// One with a checksum given, as a scan gives it.
	crc, _ := fileCRC(t, files[2].Path)
	files[2].Checksum = checksum.Encode(crc)

	var mu sync.Mutex
	var sent int64
	parts := 0
	o := e.opts()
	o.Progress = func(ev resources.UploadEvent) {
		mu.Lock()
		defer mu.Unlock()
		switch ev.Type {
		case resources.UploadEventBytes:
			sent += ev.Bytes
		case resources.UploadEventPart:
			parts++
		}
	}
	got, errs := upload(t, e.bucket, files, o)
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	var total int64
	for _, f := range files {
		r := got[f.Path]
		crc, size := fileCRC(t, f.Path)
		total += size
		wantKey := resources.ObjectKey("tester/slides", crc, size, filepath.Base(f.Path))
		if r.Status != resources.UploadUploaded || r.Key != wantKey || r.URL != "gs://"+e.emu.OrgBucket()+"/"+wantKey ||
			r.Size != size || r.Checksum != checksum.Encode(crc) || r.BytesSent != size {
			t.Errorf("%s: %+v, want uploaded to %s", f.Path, r, wantKey)
		}
		if n, c, ok := e.emu.OrgObject(wantKey); !ok || n != size || c != checksum.Encode(crc) {
			t.Errorf("%s: stored %d bytes crc %s (%v), want %d %s", wantKey, n, c, ok, size, checksum.Encode(crc))
		}
	}
	if got[files[2].Path].Parts != 6 || got[files[3].Path].Parts != 4 || got[files[1].Path].Parts != 0 {
		t.Errorf("parts: %d, %d, %d; want 6, 4 and one PUT", got[files[2].Path].Parts, got[files[3].Path].Parts, got[files[1].Path].Parts)
	}
	if sent != total || parts != 10 {
		t.Errorf("progress: %d bytes and %d parts, want %d and 10", sent, parts, total)
	}
	if n := e.emu.Count("bucket:part"); n != 10 {
		t.Errorf("%d parts stored, want 10", n)
	}
	if n := e.emu.MultipartUploads(); n != 0 {
		t.Errorf("%d multipart uploads left open", n)
	}
	if left, _ := filepath.Glob(filepath.Join(e.dir, "journal", "*")); len(left) != 0 {
		t.Errorf("journals left: %v", left)
	}

	puts, partsBefore := e.emu.Count("bucket:put"), e.emu.Count("bucket:part")
	again, errs := upload(t, e.bucket, files, e.opts())
	if len(errs) > 0 {
		t.Fatalf("second upload: %v", errs)
	}
	for _, f := range files {
		if r := again[f.Path]; r.Status != resources.UploadSkipped || r.BytesSent != 0 || r.Key != got[f.Path].Key {
			t.Errorf("second upload of %s: %+v, want skipped", f.Path, r)
		}
	}
	if e.emu.Count("bucket:put") != puts || e.emu.Count("bucket:part") != partsBefore {
		t.Errorf("the second upload sent data")
	}
}

// TestObjectKey: {prefix}/{crc32c as 8 hex digits}-{size}/{name}.
func TestObjectKey(t *testing.T) {
	for _, c := range []struct {
		prefix string
		crc    uint32
		size   int64
		want   string
	}{
		{"me/slides", 0xdeadbeef, 5, "me/slides/deadbeef-5/x.tiff"},
		{"/me/slides/", 0x1f, 0, "me/slides/0000001f-0/x.tiff"},
	} {
		if got := resources.ObjectKey(c.prefix, c.crc, c.size, "x.tiff"); got != c.want {
			t.Errorf("ObjectKey(%q, %x, %d) = %q, want %q", c.prefix, c.crc, c.size, got, c.want)
		}
	}
	if p := resources.DefaultUploadPrefix(); !strings.HasSuffix(p, "/slides") || strings.Count(p, "/") != 1 || strings.HasPrefix(p, "/") {
		t.Errorf("DefaultUploadPrefix() = %q, want {user}/slides", p)
	}
}

// TestUploadOptionsChecked: a part size under the bucket's minimum, a bad
// prefix: one error, nothing sent.
func TestUploadOptionsChecked(t *testing.T) {
	t.Parallel()
	e := newUploadEnv(t, emulator.Options{})
	f := []resources.UploadFile{{Path: e.file(t, "a.tiff", 10)}}
	for _, o := range []resources.UploadOptions{
		{PartSize: testPart - 1},
		{PartSize: 6 << 30},
		{Prefix: "a/../b"},
		{Prefix: "/"},
		{MultipartThreshold: -1},
	} {
		n := 0
		for r, err := range e.bucket.Upload(context.Background(), f, o) {
			n++
			if r.Path != "" || !errors.Is(err, resources.ErrBadUploadOptions) {
				t.Errorf("%+v: %+v, %v", o, r, err)
			}
		}
		if n != 1 {
			t.Errorf("%+v: %d results", o, n)
		}
	}
	if e.emu.Count("bucket:put") != 0 {
		t.Error("something was sent")
	}
}

// TestUploadSameContentTwice: two files with the same bytes and name (one
// key) in one upload: one is sent, the other waits and is skipped.
func TestUploadSameContentTwice(t *testing.T) {
	t.Parallel()
	e := newUploadEnv(t, emulator.Options{})
	first := e.file(t, "dup.tiff", 4*testPart)
	b, _ := os.ReadFile(first)
	if err := os.MkdirAll(filepath.Join(e.dir, "copy"), 0o755); err != nil {
		t.Fatal(err)
	}
	second := filepath.Join(e.dir, "copy", "dup.tiff")
	if err := os.WriteFile(second, b, 0o644); err != nil {
		t.Fatal(err)
	}
	got, errs := upload(t, e.bucket, []resources.UploadFile{{Path: first}, {Path: second}}, e.opts())
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	a, c := got[first], got[second]
	if a.Key != c.Key || a.Status == c.Status || e.emu.Count("bucket:part") != 4 || e.emu.MultipartUploads() != 0 {
		t.Errorf("%+v\n%+v\n%d parts stored", a, c, e.emu.Count("bucket:part"))
	}
}

// TestUploadJournalUnwritable: a journal folder that cannot be made (a
// file stands where it should be) costs the resume, not the upload.
func TestUploadJournalUnwritable(t *testing.T) {
	t.Parallel()
	e := newUploadEnv(t, emulator.Options{})
	o := e.opts()
	if err := os.WriteFile(o.JournalDir, []byte("a file"), 0o644); err != nil {
		t.Fatal(err)
	}
	f := e.file(t, "big.tiff", 3*testPart)
	got, errs := upload(t, e.bucket, []resources.UploadFile{{Path: f}}, o)
	if len(errs) > 0 || got[f].Status != resources.UploadUploaded {
		t.Fatalf("%v %+v", errs, got)
	}
}
