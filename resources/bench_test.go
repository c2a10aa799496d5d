package resources_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/aignostics/aignostics/resources"
)

// seedRuns creates n one-item runs through the API, 8 at a time.
func seedRuns(tb testing.TB, c *resources.Client, n int) {
	tb.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	next := make(chan int)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				v := "1.1.0"
				_, err := c.Runs().Create(context.Background(), resources.RunCreationRequest{
					ApplicationID: "test-app", VersionNumber: &v, Items: items(fmt.Sprintf("bench-%05d", i), 1),
				})
				if err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errs:
		tb.Fatalf("seed runs: %v", err)
	default:
	}
}

// BenchmarkListRuns10000 lists 10,000 runs (100 pages of 100) and reports
// the peak heap seen while ranging, which must stay flat (one page at a time).
func BenchmarkListRuns10000(b *testing.B) {
	const n = 10000
	e := newEnv(b)
	seedRuns(b, e.c, n)
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
