package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/emulator/emulatortest"
)

// BenchmarkRunsListBinary10000 runs `aignostics runs list -o jsonl` over
// 10,000 runs and reports the process's peak RSS (target: flat, < 30 MiB).
//
// The peak RSS comes from GNU time (apt-get install -y time), not from
// ProcessState.SysUsage: Go starts children with CLONE_VM, and Linux carries
// the parent's high-water mark into the child's ru_maxrss at exec, so that
// figure would be the test process's own (emulator and 10,000 runs included).
func BenchmarkRunsListBinary10000(b *testing.B) {
	const n = 10000
	bin := binary
	emu := emulatortest.StartTest(b, emulator.Options{ArtifactSize: 1024})
	if err := emu.CreateRuns(n, "test-app", ""); err != nil {
		b.Fatal(err)
	}
	c := newBinaryCLI(b, bin, emu)
	gnuTime, err := exec.LookPath("/usr/bin/time")
	if err != nil {
		b.Log("no /usr/bin/time: peak RSS not measured")
	}
	rssFile := filepath.Join(b.TempDir(), "rss")
	var peak int64
	b.ResetTimer()
	for b.Loop() {
		var r binaryResult
		if gnuTime != "" {
			bin := c.bin
			c.bin = gnuTime
			r = c.run("-o", rssFile, "-f", "%M", bin, "runs", "list", "-o", "jsonl")
			c.bin = bin
			kib, err := readKiB(rssFile)
			if err != nil {
				b.Fatal(err)
			}
			peak = max(peak, kib)
		} else {
			r = c.run("runs", "list", "-o", "jsonl")
		}
		if r.code != 0 {
			b.Fatalf("runs list: exit %d %s", r.code, r.stderr)
		}
		if got := strings.Count(r.stdout, "\n"); got != n {
			b.Fatalf("listed %d runs, want %d", got, n)
		}
	}
	if peak > 0 {
		b.ReportMetric(float64(peak)/1024, "MiB-maxrss")
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "runs/s")
}

// readKiB reads the number GNU time wrote with -f %M.
func readKiB(path string) (int64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	fields := strings.Fields(string(data))
	if len(fields) == 0 {
		return 0, fmt.Errorf("empty %s", path)
	}
	return strconv.ParseInt(fields[len(fields)-1], 10, 64)
}
