package slides

import (
	"context"
	"testing"
)

// benchScan scans 1,000 copies of the fixture slides (one folder each, so
// the DICOM copies stay separate slides) per iteration.
func benchScan(b *testing.B, noChecksum bool) {
	dir := b.TempDir()
	manyCopies(b, dir, 1000)
	var bytes int64
	for e, err := range Scan(context.Background(), []string{dir}, Options{NoChecksum: true}) {
		if err != nil || e.Slide == nil {
			b.Fatalf("%+v %v", e, err)
		}
		bytes += e.Slide.SizeBytes
	}
	if !noChecksum {
		b.SetBytes(bytes)
	}
	b.ResetTimer()
	for b.Loop() {
		n := 0
		for e, err := range Scan(context.Background(), []string{dir}, Options{NoChecksum: noChecksum}) {
			if err != nil || e.Slide == nil || (!noChecksum && e.Slide.Checksum == "") {
				b.Fatalf("%+v %v", e, err)
			}
			n++
		}
		if n != 1000 {
			b.Fatalf("%d slides", n)
		}
	}
}

// BenchmarkScanHeaders1000: walk, inspect and fold 1,000 slides without
// checksums; the issue wants under 1 s on the 2-core machine.
func BenchmarkScanHeaders1000(b *testing.B) { benchScan(b, true) }

// BenchmarkScanChecksums1000: the same with every CRC32C (MB/s over the
// slides' bytes, from the page cache); bench/slides.sh compares with cat.
func BenchmarkScanChecksums1000(b *testing.B) { benchScan(b, false) }
