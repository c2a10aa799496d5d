package emulator

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aignostics/aignostics/checksum"
)

func TestArtifactBytesReadAt(t *testing.T) {
	gen := newArtifactGen(5)
	a := artifactBytes{gen: gen, seed: 42, size: 1000}
	whole := make([]byte, 1000)
	if n, err := a.ReadAt(whole, 0); n != 1000 || err != nil {
		t.Fatalf("ReadAt whole: %d %v", n, err)
	}
	for _, tc := range []struct {
		off, n int64
	}{{0, 1}, {1, 7}, {3, 9}, {7, 17}, {8, 8}, {13, 500}, {995, 5}, {999, 1}} {
		b := make([]byte, tc.n)
		n, err := a.ReadAt(b, tc.off)
		if int64(n) != tc.n || (err != nil && err != io.EOF) || !bytes.Equal(b, whole[tc.off:tc.off+tc.n]) {
			t.Errorf("ReadAt(%d, %d) = %d %v, bytes differ from the whole read", tc.off, tc.n, n, err)
		}
	}
	b := make([]byte, 10)
	if n, err := a.ReadAt(b, 995); n != 5 || err != io.EOF {
		t.Errorf("short read at the end: %d %v, want 5 EOF", n, err)
	}
	if n, err := a.ReadAt(b, 1000); n != 0 || err != io.EOF {
		t.Errorf("read at size: %d %v", n, err)
	}
	if _, err := a.ReadAt(b, -1); err == nil {
		t.Error("negative offset accepted")
	}
	other := make([]byte, 1000)
	_, _ = artifactBytes{gen: gen, seed: 43, size: 1000}.ReadAt(other, 0)
	if bytes.Equal(whole, other) {
		t.Error("different seeds give the same bytes")
	}
	// Chunks differ: the content does not repeat every 64 KiB.
	big := artifactBytes{gen: gen, seed: 1, size: 256 << 10}
	x, y := make([]byte, 64<<10), make([]byte, 64<<10)
	_, _ = big.ReadAt(x, 0)
	_, _ = big.ReadAt(y, 64<<10)
	if bytes.Equal(x, y) {
		t.Error("content repeats every 64 KiB")
	}
}

func TestArtifactCRCWithoutReading(t *testing.T) {
	gen := newArtifactGen(11)
	for _, size := range []int64{0, 1, 7, 8, 9, genBlock - 1, genBlock, genBlock + 1, 3*genBlock + 5, 1 << 20, 5<<20 + 3} {
		a := artifactBytes{gen: gen, seed: uint64(size) * 31, size: size}
		h := checksum.New()
		buf := make([]byte, 10000) // not a multiple of the block or of 8
		for off := int64(0); off < size; off += int64(len(buf)) {
			n, _ := a.ReadAt(buf, off)
			_, _ = h.Write(buf[:n])
		}
		if got, want := a.crc32c(), h.Sum32(); got != want {
			t.Errorf("size %d: computed CRC %08x, CRC of the bytes %08x", size, got, want)
		}
	}
	if got, want := crcShiftZeros(0x12345678, 0), uint32(0x12345678); got != want {
		t.Errorf("shift by 0 = %08x", got)
	}
}

func BenchmarkArtifactCRC1GiB(b *testing.B) {
	a := artifactBytes{gen: newArtifactGen(1), seed: 2, size: 1 << 30}
	for b.Loop() {
		_ = a.computeCRC32C()
	}
}

// An artifact's CRC is computed once: listing items (which report it for
// every output) again does not pay O(size) per artifact again.
func TestArtifactCRCComputedOnce(t *testing.T) {
	gen := newArtifactGen(3)
	a := artifactBytes{gen: gen, seed: 9, size: 3*genBlock + 5}
	want := a.computeCRC32C()
	for range 3 {
		if got := a.crc32c(); got != want {
			t.Fatalf("crc32c %08x, want %08x", got, want)
		}
	}
	if b := (artifactBytes{gen: gen, seed: 9, size: 2 * genBlock}); b.crc32c() != b.computeCRC32C() {
		t.Errorf("another size shares the cached CRC")
	}
	if n := gen.computedCRCs(); n != 2 {
		t.Errorf("computed %d CRCs for 2 artifacts", n)
	}

	h := newHarness(t, func(c *platformConfig) { c.artifactSize = 1 << 20 })
	id := h.createRun(runBody("test-app", "", "s1", "s2"))
	h.clock.Advance(time.Hour)
	h.want(h.do("GET", "/api/v1/runs/"+id+"/items", nil), http.StatusOK)
	first := h.p.gen.computedCRCs()
	if first == 0 {
		t.Fatalf("no CRC computed for the listed artifacts")
	}
	h.want(h.do("GET", "/api/v1/runs/"+id+"/items", nil), http.StatusOK)
	h.want(h.do("GET", "/api/v1/runs/"+id+"/items/s1", nil), http.StatusOK)
	if again := h.p.gen.computedCRCs(); again != first {
		t.Errorf("listing again computed %d more CRCs", again-first)
	}
}

func TestArtifactsLifecycle(t *testing.T) {
	h := newHarness(t)
	id := h.createRun(runBody("he-tme", "1.2.0", "s1", "s2-fail-system"))
	item := func(ext string) resp {
		return h.want(h.do("GET", "/api/v1/runs/"+id+"/items/"+ext, nil), http.StatusOK)
	}
	pending := item("s1")
	art := pending.str("output_artifacts/0/output_artifact_id")
	if pending.str("output_artifacts/0/state") != "PENDING" || pending.get("output_artifacts/0/metadata") != nil {
		t.Errorf("pending artifact: %s", pending.Body)
	}
	file := "/api/v1/runs/" + id + "/artifacts/" + art + "/file"
	h.want(h.do("GET", file, nil), http.StatusNotFound)
	h.want(h.do("DELETE", "/api/v1/runs/"+id+"/artifacts", nil), http.StatusUnprocessableEntity)

	h.clock.Advance(10 * time.Second)
	done := item("s1")
	names := map[string]bool{}
	for i := range done.get("output_artifacts").([]any) {
		p := fmt.Sprintf("output_artifacts/%d/", i)
		names[done.str(p+"name")] = true
		if done.str(p+"state") != "TERMINATED" || done.str(p+"termination_reason") != "SUCCEEDED" || done.str(p+"output") != "AVAILABLE" {
			t.Errorf("artifact %d: %s/%s/%s", i, done.str(p+"state"), done.str(p+"termination_reason"), done.str(p+"output"))
		}
		if done.str(p+"metadata/media_type") == "" || done.str(p+"metadata/checksum_base64_crc32c") == "" {
			t.Errorf("artifact %d metadata %v", i, done.get(p+"metadata"))
		}
	}
	if !names["run_summary:json"] || !names["cell_features:parquet"] || len(names) != 5 {
		t.Errorf("first item artifacts %v, want the four item outputs and run_summary:json", names)
	}
	failed := item("s2-fail-system")
	if n := len(failed.get("output_artifacts").([]any)); n != 4 {
		t.Errorf("second item has %d artifacts, want 4 (GLOBAL only on the first)", n)
	}
	if failed.str("output_artifacts/0/termination_reason") != "SYSTEM_ERROR" || failed.str("output_artifacts/0/output") != "NONE" {
		t.Errorf("failed item artifact: %s", failed.Body)
	}
	failedFile := "/api/v1/runs/" + id + "/artifacts/" + failed.str("output_artifacts/0/output_artifact_id") + "/file"
	h.want(h.do("GET", failedFile, nil), http.StatusNotFound)

	r := h.want(h.do("GET", file, nil), http.StatusTemporaryRedirect)
	loc := r.Header.Get("Location")
	object := "runs/" + id + "/" + art
	if loc != "http://storage.test/aignostics-results/"+object+"?X-Goog-Expires=3600" {
		t.Errorf("Location %q", loc)
	}
	obj, ok := h.p.object(resultsBucket, object)
	if !ok || obj.Size != 4096 || obj.ContentType != "image/tiff" || !strings.HasPrefix(obj.ETag, `"`) {
		t.Fatalf("object %+v %v", obj, ok)
	}
	content, err := io.ReadAll(io.NewSectionReader(obj.Content, 0, obj.Size))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := checksum.Encode(checksum.Sum(content)), done.str("output_artifacts/0/metadata/checksum_base64_crc32c"); got != want || obj.CRC32C != checksum.Sum(content) {
		t.Errorf("content CRC %s, metadata says %s, object says %08x", got, want, obj.CRC32C)
	}
	again, _ := h.p.object(resultsBucket, object)
	second, _ := io.ReadAll(io.NewSectionReader(again.Content, 0, again.Size))
	if !bytes.Equal(content, second) {
		t.Error("artifact bytes are not deterministic")
	}
	if _, ok := h.p.object(resultsBucket, "runs/"+id+"/"+failed.str("output_artifacts/0/output_artifact_id")); ok {
		t.Error("failed artifact served")
	}
	for _, bad := range [][2]string{{"other-bucket", object}, {resultsBucket, "runs/x"}, {resultsBucket, "runs/" + id + "/nope"}, {resultsBucket, "nope"}} {
		if _, ok := h.p.object(bad[0], bad[1]); ok {
			t.Errorf("object(%s, %s) found", bad[0], bad[1])
		}
	}

	h.want(h.do("GET", "/api/v1/runs/"+id+"/artifacts/00000000-0000-4000-8000-000000000000/file", nil), http.StatusNotFound)
	h.want(h.do("GET", "/api/v1/runs/"+id+"/artifacts/nope/file", nil), http.StatusUnprocessableEntity)
	h.want(h.do("GET", file, nil, as("auth0|eve"), inOrg("org-9")), http.StatusForbidden)
	h.want(h.do("DELETE", "/api/v1/runs/"+id+"/artifacts", nil, as("auth0|bob")), http.StatusNotFound)
	h.want(h.do("DELETE", "/api/v1/runs/"+id+"/artifacts", nil), http.StatusOK)
	h.want(h.do("DELETE", "/api/v1/runs/"+id+"/artifacts", nil), http.StatusOK)
	h.want(h.do("GET", file, nil), http.StatusGone)
	if _, ok := h.p.object(resultsBucket, object); ok {
		t.Error("deleted artifact still served")
	}
	gone := item("s1")
	if gone.str("output_artifacts/0/output") != "DELETED_BY_USER" || gone.get("output_artifacts/0/download_url") != nil {
		t.Errorf("deleted artifact: %s", gone.Body)
	}
	h.want(h.do("DELETE", "/api/v1/runs/00000000-0000-4000-8000-000000000000/artifacts", nil), http.StatusNotFound)
}

func TestArtifactsDifferPerItemAndRun(t *testing.T) {
	h := newHarness(t)
	a := h.createRun(runBody("test-app", "", "x", "y"))
	b := h.createRun(runBody("test-app", "", "x"))
	h.clock.Advance(time.Minute)
	sums := map[string]bool{}
	for _, path := range []string{a + "/items/x", a + "/items/y", b + "/items/x"} {
		r := h.want(h.do("GET", "/api/v1/runs/"+path, nil), http.StatusOK)
		for i := range r.get("output_artifacts").([]any) {
			sums[r.str(fmt.Sprintf("output_artifacts/%d/metadata/checksum_base64_crc32c", i))] = true
		}
	}
	if len(sums) != 9 {
		t.Errorf("%d distinct checksums over 9 artifacts", len(sums))
	}
}

func BenchmarkArtifactRead(b *testing.B) {
	a := artifactBytes{gen: newArtifactGen(9), seed: 9, size: 64 << 20}
	buf := make([]byte, 256<<10)
	b.SetBytes(a.size)
	for b.Loop() {
		for off := int64(0); off < a.size; off += int64(len(buf)) {
			_, _ = a.ReadAt(buf, off)
		}
	}
}

// computedCRCs reads how many CRCs g computed.
func (g *artifactGen) computedCRCs() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.computed
}
