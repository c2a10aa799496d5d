package resources_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/aignostics/aignostics/resources"
)

// BenchmarkListRuns10000 lists 10,000 runs (100 pages of 100) and reports
// the peak heap seen while ranging, which must stay flat (one page at a time).
func BenchmarkListRuns10000(b *testing.B) {
	const n = 10000
	e := newEnv(b)
	if err := e.emu.CreateRuns(n, "test-app", ""); err != nil {
		b.Fatal(err)
	}
	var peak uint64
	var ms runtime.MemStats
	b.ResetTimer()
	for b.Loop() {
		count := 0
		for _, err := range e.c.Runs().ListData(context.Background(), resources.RunListOptions{}) {
			if err != nil {
				b.Fatal(err)
			}
			count++
			if count%1000 == 0 {
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
		}
		if count != n {
			b.Fatalf("listed %d runs, want %d", count, n)
		}
	}
	b.ReportMetric(float64(peak)/(1<<20), "MiB-heap-peak")
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "runs/s")
}
