package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/emulator/emulatortest"
)

// binaryCLI runs the built binary against one emulator with a token provider
// that prints a token the emulator issued.
type binaryCLI struct {
	tb  testing.TB
	bin string
	env []string
}

func newBinaryCLI(tb testing.TB, bin string, emu *emulator.Emulator) *binaryCLI {
	tb.Helper()
	dir := tb.TempDir()
	access, _, err := emu.IssueToken(emulator.DefaultSubject)
	if err != nil {
		tb.Fatal(err)
	}
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte(access+"\n"), 0o600); err != nil {
		tb.Fatal(err)
	}
	return &binaryCLI{tb: tb, bin: bin, env: []string{
		"HOME=" + dir,
		"PATH=" + os.Getenv("PATH"),
		"AIGNOSTICS_API_ROOT=" + emu.URL(),
		"AIGNOSTICS_ENV_FILE=" + os.DevNull,
		"AIGNOSTICS_CACHE_DIR=" + filepath.Join(dir, "cache"),
		"AIGNOSTICS_TOKEN_PROVIDER=cat " + tokenFile,
		"NO_COLOR=1",
	}}
}

type binaryResult struct {
	stdout, stderr string
	code           int
}

func (c *binaryCLI) run(args ...string) binaryResult {
	c.tb.Helper()
	cmd := exec.Command(c.bin, args...)
	cmd.Env = c.env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := binaryResult{stdout: out.String(), stderr: errb.String()}
	if cmd.ProcessState == nil {
		c.tb.Fatalf("run %v: %v", args, err)
	}
	r.code = cmd.ProcessState.ExitCode()
	return r
}

func TestRunsEndToEnd(t *testing.T) {
	t.Parallel()
	bin := binary
	// Speed 50: a run is pending 40 ms, each item processes 100 ms.
	emu := emulatortest.StartTest(t, emulator.Options{Speed: 50, ArtifactSize: 1024})
	c := newBinaryCLI(t, bin, emu)

	file := writeE2EItems(t, "e2e", 3)
	r := c.run("runs", "create", "test-app", "--items", file)
	id := strings.TrimSpace(r.stdout)
	if r.code != 0 || !uuidRE.MatchString(id) {
		t.Fatalf("runs create: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	r = c.run("runs", "watch", id, "--interval", "50ms", "-o", "jsonl")
	if r.code != 0 {
		t.Fatalf("runs watch: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	changes := jsonLines(t, r.stdout)
	if last := changes[len(changes)-1]; last["state"] != "TERMINATED" || last["termination_reason"] != "ALL_ITEMS_PROCESSED" {
		t.Fatalf("watch ended on %v", last)
	}
	r = c.run("runs", "list", "-o", "jsonl")
	if r.code != 0 {
		t.Fatalf("runs list: exit %d %s", r.code, r.stderr)
	}
	found := false
	for _, l := range jsonLines(t, r.stdout) {
		if l["run_id"] == id {
			found = true
			if st := l["statistics"].(map[string]any); st["item_succeeded_count"] != float64(3) {
				t.Fatalf("listed run statistics: %v", st)
			}
		}
	}
	if !found {
		t.Fatalf("run %s not listed:\n%s", id, r.stdout)
	}
	// Another run, of 200 items (5 s of processing), cancelled: cancel
	// answers, watch reports it (exit 1), a second cancel is a conflict (exit 2).
	r = c.run("runs", "create", "test-app", "--items", writeE2EItems(t, "big", 200), "-o", "json")
	var created struct {
		RunID string `json:"run_id"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &created); err != nil || r.code != 0 {
		t.Fatalf("runs create -o json: %v %q %q", err, r.stdout, r.stderr)
	}
	if r = c.run("runs", "cancel", created.RunID); r.code != 0 {
		t.Fatalf("runs cancel: exit %d %s", r.code, r.stderr)
	}
	r = c.run("runs", "watch", created.RunID, "--interval", "50ms", "--max-wait", "1m", "-o", "text")
	if r.code != 1 || !strings.Contains(r.stderr, "CANCELED_BY_USER") {
		t.Fatalf("watch of a cancelled run: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if r = c.run("runs", "cancel", created.RunID); r.code != 2 || !strings.Contains(r.stderr, "already terminated") {
		t.Fatalf("second cancel: exit %d %s", r.code, r.stderr)
	}
	r = c.run("runs", "describe", "00000000-0000-4000-8000-00000000abcd")
	if r.code != 2 || !strings.Contains(r.stderr, "00000000-0000-4000-8000-00000000abcd") || strings.Contains(r.stderr, "goroutine") {
		t.Fatalf("describe unknown run: exit %d %s", r.code, r.stderr)
	}
}

// writeE2EItems writes n valid test-app items as JSON Lines.
func writeE2EItems(t *testing.T, prefix string, n int) string {
	t.Helper()
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"external_id":"%s-%d","input_artifacts":[{"name":"whole_slide_image","download_url":"https://storage.example.com/%s-%d.tiff","metadata":{"checksum_base64_crc32c":"AAAAAA==","width_px":1000,"height_px":800,"resolution_mpp":0.25,"media_type":"image/tiff"}}]}`+"\n", prefix, i, prefix, i)
	}
	file := filepath.Join(t.TempDir(), prefix+".jsonl")
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// jsonLines decodes every line of s as a JSON object.
func jsonLines(t *testing.T, s string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for i, line := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %d %q: %v", i+1, line, err)
		}
		out = append(out, m)
	}
	return out
}
