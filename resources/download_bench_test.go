package resources_test

import (
	"context"
	"testing"

	"github.com/aignostics/aignostics/resources"
)

// BenchmarkDownload downloads and verifies 12 artifacts of 8 MiB from the
// in-process emulator with 4 workers; MB/s is end-to-end (HTTP, CRC32C, disk).
// bench/download.sh compares the binary with curl on 1 GiB.
func BenchmarkDownload(b *testing.B) {
	const size = 8 << 20
	e := newDLEnv(b, "test-app", 4, size, "")
	e.finish()
	b.SetBytes(12 * size)
	for b.Loop() {
		sum, err := e.run.DownloadToFolder(context.Background(), b.TempDir(), resources.DownloadOptions{Parallel: 4})
		if err != nil || sum.Downloaded != 12 {
			b.Fatalf("download: %v %+v", err, sum)
		}
	}
}
