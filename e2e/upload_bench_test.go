package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/emulator/emulatortest"
)

// BenchmarkSlidesUploadBinary runs `aignostics slides upload` of 4 slides
// of 64 MiB (32 MiB parts, 4 in flight) to the in-process emulator, each
// round under a new prefix, and reports the throughput and the process's
// peak RSS from GNU time (target: flat, < 64 MiB whatever the file sizes).
// bench/upload.sh compares it with curl.
func BenchmarkSlidesUploadBinary(b *testing.B) {
	const files, size = 4, 64 << 20
	emu := emulatortest.StartTest(b, emulator.Options{})
	c := newBinaryCLI(b, binary, emu)
	dir := b.TempDir()
	head, err := os.ReadFile(filepath.Join(slideFixtures, "aperio.svs"))
	if err != nil {
		b.Fatal(err)
	}
	for i := range files {
		body := append(append([]byte(nil), head...), make([]byte, size-len(head))...)
		copy(body[len(head):], fmt.Sprintf("slide %d", i)) // each its own content
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("s%d.svs", i)), body, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	gnuTime, err := exec.LookPath("/usr/bin/time")
	if err != nil {
		b.Log("no /usr/bin/time: peak RSS not measured")
	}
	rssFile := filepath.Join(b.TempDir(), "rss")
	var peak int64
	round := 0
	b.ResetTimer()
	for b.Loop() {
		round++
		args := []string{"slides", "upload", dir, "-o", "jsonl", "--prefix", fmt.Sprintf("bench-%d", round)}
		var r binaryResult
		if gnuTime != "" {
			bin := c.bin
			c.bin = gnuTime
			r = c.run(append([]string{"-o", rssFile, "-f", "%M", bin}, args...)...)
			c.bin = bin
			kib, err := readKiB(rssFile)
			if err != nil {
				b.Fatal(err)
			}
			peak = max(peak, kib)
		} else {
			r = c.run(args...)
		}
		if r.code != 0 || strings.Count(r.stdout, `"status":"uploaded"`) != files {
			b.Fatalf("slides upload: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
		}
	}
	if peak > 0 {
		b.ReportMetric(float64(peak)/1024, "MiB-maxrss")
	}
	b.ReportMetric(float64(files*size)*float64(b.N)/b.Elapsed().Seconds()/(1<<20), "MiB/s")
}
