package e2e

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aignostics/aignostics/checksum"
	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/emulator/emulatortest"
)

// uploadLine is one object of `slides upload -o jsonl`.
type uploadLine struct {
	Path      string `json:"path"`
	URL       string `json:"gs_url"`
	Key       string `json:"object_key"`
	Size      int64  `json:"size"`
	Checksum  string `json:"checksum_base64_crc32c"`
	Status    string `json:"status"`
	BytesSent int64  `json:"bytes_sent"`
	Parts     int    `json:"parts"`
}

func uploadLines(t *testing.T, out string) map[string]uploadLine {
	t.Helper()
	got := map[string]uploadLine{}
	for line := range strings.SplitSeq(strings.TrimSpace(out), "\n") {
		var l uploadLine
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		got[filepath.Base(l.Path)] = l
	}
	return got
}

// slideFolder copies the fixtures without the cut TIFF, and adds a
// larger slide (a fixture with bytes appended) that goes in parts.
func slideFolder(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	copyTree(t, slideFixtures, dir)
	if err := os.Remove(filepath.Join(dir, "not-slides", "truncated.tiff")); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "aperio.svs"))
	if err != nil {
		t.Fatal(err)
	}
	big := append(b, make([]byte, 700<<10)...)
	for i := len(b); i < len(big); i++ {
		big[i] = byte(i * 7)
	}
	if err := os.WriteFile(filepath.Join(dir, "big.svs"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// orgSecret is the organization's HMAC secret, as GET /v1/me gives it.
func orgSecret(t *testing.T, c *cli) string {
	t.Helper()
	var me struct {
		Organization struct {
			Secret string `json:"aignostics_bucket_hmac_secret_access_key"`
		} `json:"organization"`
	}
	out := c.must("-o", "json", "platform", "whoami", "--no-mask-secrets")
	if err := json.Unmarshal([]byte(out), &me); err != nil || me.Organization.Secret == "" {
		t.Fatalf("whoami: %v %q", err, out)
	}
	return me.Organization.Secret
}

// TestSlidesUploadFolder: the binary uploads a folder of slides (small ones
// in one PUT, a larger one in 64 KiB parts) with nothing but
// AIGNOSTICS_API_ROOT set; every object is in the bucket with the file's
// size and CRC32C under its content-addressed key; a second run skips
// them all and sends nothing. With -v, neither the HMAC secret nor a
// signature shows.
func TestSlidesUploadFolder(t *testing.T) {
	t.Parallel()
	emu := emulatortest.StartTest(t, emulator.Options{MinPartSize: 64 << 10})
	c := newCLI(t, emu)
	c.login()
	secret := orgSecret(t, c)
	dir := slideFolder(t)

	r := c.run(nil, "", "-v", "slides", "upload", dir, "-o", "jsonl", "--prefix", "e2e/slides",
		"--part-size", "64KiB", "--multipart-threshold", "256KiB", "--parallel", "3")
	if r.code != 0 {
		t.Fatalf("upload: exit %d\nstderr: %s", r.code, r.stderr)
	}
	got := uploadLines(t, r.stdout)
	if len(got) != 6 {
		t.Fatalf("%d files uploaded, want the 6 slides: %q", len(got), r.stdout)
	}
	for name, l := range got {
		b, err := os.ReadFile(l.Path)
		if err != nil {
			t.Fatal(err)
		}
		sum := checksum.Encode(checksum.Sum(b))
		if l.Status != "uploaded" || l.Size != int64(len(b)) || l.Checksum != sum || l.BytesSent != l.Size ||
			!regexp.MustCompile(`^e2e/slides/[0-9a-f]{8}-[0-9]+/`+regexp.QuoteMeta(name)+`$`).MatchString(l.Key) ||
			l.URL != "gs://"+emu.OrgBucket()+"/"+l.Key {
			t.Errorf("%s: %+v", name, l)
		}
		if n, crc, ok := emu.OrgObject(l.Key); !ok || n != l.Size || crc != sum {
			t.Errorf("%s in the bucket: %d bytes, %s, %v", l.Key, n, crc, ok)
		}
	}
	if big := got["big.svs"]; big.Parts != 19 {
		t.Errorf("big.svs went in %d parts, want 19 of 64 KiB", big.Parts)
	}
	for _, s := range []string{r.stdout, r.stderr} {
		if strings.Contains(s, secret) {
			t.Fatal("the HMAC secret is in the output")
		}
		if m := regexp.MustCompile(`(?i)x-amz-signature=[0-9a-f]{8,}`).FindString(s); m != "" {
			t.Fatalf("a signature is in the output: %s", m)
		}
	}
	if !strings.Contains(r.stderr, "slides upload:") {
		t.Errorf("-v logged nothing of the upload: %s", r.stderr)
	}

	puts, parts := emu.Count("bucket:put"), emu.Count("bucket:part")
	again := c.run(nil, "", "slides", "upload", dir, "-o", "jsonl", "--prefix", "e2e/slides",
		"--part-size", "64KiB", "--multipart-threshold", "256KiB")
	if again.code != 0 {
		t.Fatalf("second upload: exit %d: %s", again.code, again.stderr)
	}
	for name, l := range uploadLines(t, again.stdout) {
		if l.Status != "skipped" || l.BytesSent != 0 || l.Key != got[name].Key {
			t.Errorf("second upload of %s: %+v", name, l)
		}
	}
	if emu.Count("bucket:put") != puts || emu.Count("bucket:part") != parts {
		t.Error("the second upload sent data")
	}

	text := c.run(nil, "", "slides", "upload", dir, "-o", "text", "--prefix", "e2e/slides")
	if text.code != 0 || !strings.Contains(text.stderr, "0 uploaded, 6 skipped") || !strings.Contains(text.stdout, "STATUS") {
		t.Errorf("text: exit %d\nstdout: %s\nstderr: %s", text.code, text.stdout, text.stderr)
	}
}

// TestSlidesUploadCSV: `slides scan --csv` then `slides upload --csv`
// fills the CSV's platform_bucket_url column with the objects' gs:// URLs.
func TestSlidesUploadCSV(t *testing.T) {
	t.Parallel()
	emu := emulatortest.StartTest(t, emulator.Options{})
	c := newCLI(t, emu)
	c.login()
	dir := slideFolder(t)
	csv := filepath.Join(t.TempDir(), "slides.csv")
	c.must("slides", "scan", dir, "--csv", csv, "-o", "json")
	r := c.run(nil, "", "slides", "upload", "--csv", csv, "-o", "jsonl", "--prefix", "csv")
	if r.code != 0 {
		t.Fatalf("upload --csv: exit %d: %s", r.code, r.stderr)
	}
	got := uploadLines(t, r.stdout)
	b, err := os.ReadFile(csv)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	col := slices.Index(strings.Split(lines[0], ";"), "platform_bucket_url")
	if len(lines) != 7 || col < 0 {
		t.Fatalf("csv:\n%s", b)
	}
	for _, line := range lines[1:] {
		f := strings.Split(line, ";")
		name := filepath.Base(f[0])
		if want := got[name].URL; want == "" || f[col] != want {
			t.Errorf("row %q: platform_bucket_url %q, want %q", line, f[col], want)
		}
	}
}

// TestSlidesUploadCSVWithoutChecksums: a CSV scanned with --no-checksum:
// the upload computes each CRC32C and writes it into the CSV with the URL.
func TestSlidesUploadCSVWithoutChecksums(t *testing.T) {
	t.Parallel()
	emu := emulatortest.StartTest(t, emulator.Options{})
	c := newCLI(t, emu)
	c.login()
	dir := slideFolder(t)
	csv := filepath.Join(t.TempDir(), "slides.csv")
	c.must("slides", "scan", dir, "--no-checksum", "--csv", csv, "-o", "json")
	if b, _ := os.ReadFile(csv); strings.Contains(string(b), "==") {
		t.Fatalf("the scan wrote checksums:\n%s", b)
	}
	r := c.run(nil, "", "slides", "upload", "--csv", csv, "-o", "jsonl")
	if r.code != 0 {
		t.Fatalf("upload --csv: exit %d: %s", r.code, r.stderr)
	}
	b, _ := os.ReadFile(csv)
	for name, l := range uploadLines(t, r.stdout) {
		if l.Status != "uploaded" || !strings.Contains(string(b), ";"+l.Checksum+";") || !strings.Contains(string(b), l.URL) {
			t.Errorf("%s: %+v; csv:\n%s", name, l, b)
		}
	}
}

// TestSlidesUploadCorrupt: a storage that corrupts every PUT: exit 5 once
// every file was tried, and no object and no multipart upload is left.
func TestSlidesUploadCorrupt(t *testing.T) {
	t.Parallel()
	emu := emulatortest.StartTest(t, emulator.Options{MinPartSize: 64 << 10})
	c := newCLI(t, emu)
	c.env["AIGNOSTICS_AUTHORIZATION_BACKOFF_SECONDS"] = "0.01"
	c.login()
	dir := slideFolder(t)
	if err := emu.SetFaults("storage:corrupt"); err != nil {
		t.Fatal(err)
	}
	r := c.run(nil, "", "slides", "upload", dir, "-o", "jsonl", "--part-size", "64KiB", "--multipart-threshold", "400KiB")
	if r.code != 5 || !strings.Contains(r.stderr, `"error":"integrity"`) || !strings.Contains(r.stderr, "6 file(s) failed verification") {
		t.Fatalf("exit %d, want 5\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	failed := uploadLines(t, r.stdout)
	if len(failed) != 6 {
		t.Errorf("%d objects printed, want one per file: %s", len(failed), r.stdout)
	}
	for name, l := range failed {
		if l.Status != "failed" {
			t.Errorf("%s: %+v, want failed", name, l)
		}
		if _, _, ok := emu.OrgObject(l.Key); ok {
			t.Errorf("corrupt %s left in the bucket", l.Key)
		}
	}
	if emu.Count("bucket:delete") != 1 || emu.Count("bucket:abort") != 5 {
		t.Errorf("%d objects deleted, %d uploads aborted; want the single PUT's object deleted and 5 aborted",
			emu.Count("bucket:delete"), emu.Count("bucket:abort"))
	}
	if n := emu.MultipartUploads(); n != 0 {
		t.Errorf("%d multipart uploads left open", n)
	}
	if err := emu.SetFaults(""); err != nil {
		t.Fatal(err)
	}
	// Nothing corrupt stayed: a clean run uploads every file again.
	ok := c.run(nil, "", "slides", "upload", dir, "-o", "jsonl", "--part-size", "64KiB", "--multipart-threshold", "256KiB")
	if ok.code != 0 {
		t.Fatalf("clean run: exit %d: %s", ok.code, ok.stderr)
	}
	for name, l := range uploadLines(t, ok.stdout) {
		if l.Status != "uploaded" {
			t.Errorf("%s: %s after the corrupt run, want uploaded", name, l.Status)
		}
	}
}

// TestSlidesUploadBadInput: bad paths, flags and folders without slides
// exit 2 with one line, before anything is sent.
func TestSlidesUploadBadInput(t *testing.T) {
	t.Parallel()
	emu := emulatortest.StartTest(t, emulator.Options{MinPartSize: 64 << 10})
	c := newCLI(t, emu)
	c.login()
	empty := t.TempDir()
	if err := os.WriteFile(filepath.Join(empty, "notes.txt"), []byte("no slide"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{filepath.Join(empty, "missing.svs")}, "no such file"},
		{[]string{empty}, "no slides under"},
		{[]string{empty, "--part-size", "1KiB"}, `--part-size "1KiB": part size 1024 must be from 65536`},
		{[]string{empty, "--part-size", "lots"}, `--part-size "lots"`},
		{[]string{empty, "--prefix", "a/../b"}, `--prefix "a/../b"`},
		{[]string{empty, "--parallel", "0"}, "--parallel 0"},
		{[]string{}, "give PATHs or --csv FILE"},
		{[]string{"--csv", filepath.Join(empty, "none.csv")}, "none.csv"},
	} {
		r := c.run(nil, "", append([]string{"-o", "text", "slides", "upload"}, tc.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
	if emu.Count("bucket:put") != 0 {
		t.Error("something was uploaded")
	}

	// A bucket that refuses the keys: exit 2 at the first file's 403,
	// the others not tried.
	var mu sync.Mutex
	requests := 0
	refuse := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		requests++
		mu.Unlock()
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte("<?xml version='1.0' encoding='UTF-8'?><Error><Code>AccessDenied</Code><Message>Access denied.</Message></Error>"))
	}))
	defer refuse.Close()
	r := c.run(map[string]string{"STORAGE_EMULATOR_HOST": refuse.URL}, "", "-o", "text", "slides", "upload", slideFolder(t), "--parallel", "1")
	if r.code != 2 || !strings.Contains(r.stderr, "refuses the organization's HMAC keys") || !strings.Contains(r.stderr, "403 Forbidden") {
		t.Errorf("403: exit %d, stderr %q", r.code, r.stderr)
	}
	if requests != 1 {
		t.Errorf("%d requests after a 403, want the one", requests)
	}
}

// TestSlidesUploadWithFaults: 503s and reset connections on a share of the
// storage requests (parts, PUTs, HEADs, the multipart calls): the binary
// retries each on its own and every object ends verified in the bucket.
func TestSlidesUploadWithFaults(t *testing.T) {
	t.Parallel()
	emu := emulatortest.StartTest(t, emulator.Options{MinPartSize: 64 << 10, Faults: "storage:503@0.1,storage:reset@0.1", Seed: 3})
	c := newCLI(t, emu)
	c.env["AIGNOSTICS_AUTHORIZATION_BACKOFF_SECONDS"] = "0.01"
	c.login()
	r := c.run(nil, "", "slides", "upload", slideFolder(t), "-o", "jsonl", "--part-size", "64KiB", "--multipart-threshold", "400KiB")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	got := uploadLines(t, r.stdout)
	for name, l := range got {
		if n, crc, ok := emu.OrgObject(l.Key); l.Status != "uploaded" || !ok || n != l.Size || crc != l.Checksum {
			t.Errorf("%s: %+v; stored %d %s %v", name, l, n, crc, ok)
		}
	}
	if len(got) != 6 || emu.MultipartUploads() != 0 {
		t.Errorf("%d files, %d uploads open", len(got), emu.MultipartUploads())
	}
	if emu.Count("fault:503") == 0 || emu.Count("fault:reset") == 0 {
		t.Errorf("faults injected: %d 503s, %d resets; want some of each", emu.Count("fault:503"), emu.Count("fault:reset"))
	}
}

// TestSlidesUploadStorageDribbles: a storage answer's body has the
// whole-answer deadline of API answers: a storage that sends an error
// document one byte at a time (each within the idle timeout) ends the
// upload with the error instead of holding it for hours.
func TestSlidesUploadStorageDribbles(t *testing.T) {
	t.Parallel()
	emu := emulatortest.StartTest(t, emulator.Options{MinPartSize: 64 << 10})
	c := newCLI(t, emu)
	c.login()
	dribble := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		dribble(w, r, "application/xml", http.StatusForbidden)
	}))
	defer dribble.Close()
	r := c.run(map[string]string{"STORAGE_EMULATOR_HOST": dribble.URL, "AIGNOSTICS_REQUEST_TIMEOUT_SECONDS": "1"},
		"", "-o", "text", "slides", "upload", slideFolder(t), "--parallel", "1")
	if r.code != 2 || !strings.Contains(r.stderr, "403 Forbidden") {
		t.Errorf("exit %d, stderr %q; want 2 naming the 403", r.code, r.stderr)
	}
}
