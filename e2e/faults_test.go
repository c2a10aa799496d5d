package e2e

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aignostics/aignostics/checksum"
	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/emulator/emulatortest"
)

// faultSpec is the mix the fault suite runs under: every read must get
// through by retries; corrupted bodies must never end under a final name.
const faultSpec = "auth:503@0.1,auth:reset@0.05,api:503@0.1,api:reset@0.05,api:500@0.03,storage:503@0.05,storage:reset@0.05,storage:truncate@0.03,storage:corrupt@0.05,delay=20ms@0.1"

// TestFaults runs login, list, create, watch and download against an
// emulator with faults on, with a fixed seed; AIGNOSTICS_FAULT_SEEDS=1,2,3
// runs more seeds (the longer mode CI skips).
func TestFaults(t *testing.T) {
	t.Parallel()
	for _, seed := range faultSeeds(t) {
		t.Run("seed="+strconv.FormatInt(seed, 10), func(t *testing.T) { faultRun(t, seed) })
	}
}

// faultSeeds are the seeds of the fault suite: 7, or AIGNOSTICS_FAULT_SEEDS.
func faultSeeds(t *testing.T) []int64 {
	seeds := []int64{7}
	if s := os.Getenv("AIGNOSTICS_FAULT_SEEDS"); s != "" {
		seeds = nil
		for _, f := range strings.Split(s, ",") {
			n, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64)
			if err != nil {
				t.Fatalf("AIGNOSTICS_FAULT_SEEDS: %v", err)
			}
			seeds = append(seeds, n)
		}
	}
	return seeds
}

func faultRun(t *testing.T, seed int64) {
	emu := emulatortest.StartTest(t, emulator.Options{Speed: 200, ArtifactSize: 96 << 10, Seed: seed})
	c := newCLI(t, emu)
	c.env["AIGNOSTICS_AUTHORIZATION_BACKOFF_SECONDS"] = "1"
	if err := emu.SetFaults(faultSpec); err != nil {
		t.Fatal(err)
	}
	c.loginDevice() // through the auth faults

	// Reads complete through retries.
	for range 3 {
		out := c.must("applications", "list", "-o", "json")
		var apps []map[string]any
		if err := json.Unmarshal([]byte(out), &apps); err != nil || len(apps) < 2 {
			t.Fatalf("applications list: %v %q", err, out)
		}
	}

	// A create is never sent twice: each attempt reaches the handler at most once.
	items := writeItems(t, t.TempDir(), 6, "fault")
	var runID string
	for attempt := 1; attempt <= 10 && runID == ""; attempt++ {
		before := emu.Count("create_run")
		r := c.run(nil, "", "runs", "create", "test-app:1.0.0", "--items", items)
		after := emu.Count("create_run")
		if after-before > 1 {
			t.Fatalf("attempt %d: the create reached the platform %d times", attempt, after-before)
		}
		switch r.code {
		case 0:
			runID = strings.TrimSpace(r.stdout)
		case 1:
			if after-before == 1 && !strings.Contains(r.stderr, "may exist") {
				t.Logf("attempt %d: create reached the server and failed: %s", attempt, r.stderr)
			}
		default:
			t.Fatalf("attempt %d: runs create exit %d: %s", attempt, r.code, r.stderr)
		}
	}
	if runID == "" {
		t.Fatal("no run created in 10 attempts")
	}

	r := c.run(nil, "", "runs", "watch", runID, "--interval", "100ms", "--max-wait", "2m", "-o", "jsonl")
	if r.code != 0 {
		t.Fatalf("watch: exit %d: %s", r.code, r.stderr)
	}

	dir := t.TempDir()
	var last result
	for attempt := 1; attempt <= 6; attempt++ {
		last = c.run(nil, "", "runs", "download", runID, dir, "-o", "jsonl")
		assertNoCorruptFinalFiles(t, emu, c, runID, dir)
		if last.code == 0 {
			break
		}
		if last.code != 5 && last.code != 1 {
			t.Fatalf("download attempt %d: exit %d: %s", attempt, last.code, last.stderr)
		}
	}
	if last.code != 0 {
		t.Fatalf("download did not complete in 6 attempts: %s", last.stderr)
	}
	if n := countFiles(t, filepath.Join(dir, runID)); n != 6*3 {
		t.Fatalf("downloaded %d files, want %d", n, 18)
	}
}

// assertNoCorruptFinalFiles checks every final file under dir against the
// checksums the platform publishes (read with the faults off).
func assertNoCorruptFinalFiles(t *testing.T, emu *emulator.Emulator, c *cli, runID, dir string) {
	t.Helper()
	if err := emu.SetFaults(""); err != nil {
		t.Fatal(err)
	}
	defer emu.SetFaults(faultSpec)
	out := c.must("runs", "results", runID, "-o", "jsonl")
	want := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var item struct {
			OutputArtifacts []struct {
				Metadata map[string]any `json:"metadata"`
			} `json:"output_artifacts"`
		}
		if err := json.Unmarshal(sc.Bytes(), &item); err != nil {
			t.Fatalf("results line %q: %v", sc.Text(), err)
		}
		for _, a := range item.OutputArtifacts {
			if s, ok := a.Metadata["checksum_base64_crc32c"].(string); ok {
				want[s] = true
			}
		}
	}
	filepath.WalkDir(filepath.Join(dir, runID), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".part") || strings.HasSuffix(p, ".etag") || p == filepath.Join(dir, runID, "manifest.json") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := checksum.Encode(checksum.Sum(b)); !want[got] {
			t.Fatalf("%s is under its final name with checksum %s, which no artifact has", p, got)
		}
		return nil
	})
}

func countFiles(t *testing.T, dir string) int {
	n := 0
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasSuffix(p, ".part") && !strings.HasSuffix(p, ".etag") && d.Name() != "manifest.json" {
			n++
		}
		return nil
	})
	return n
}
