package wsi

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkInspect1000 inspects 1,000 slide files (copies of the fixtures
// in a temporary directory) per iteration: the issue wants under 1 s.
func BenchmarkInspect1000(b *testing.B) {
	names := []string{"generic-pyramid.tiff", "aperio.svs", "bigtiff-inch.tiff", "bigendian-strips.tiff", "dicom-pyramid/level-0.dcm"}
	dir := b.TempDir()
	var paths []string
	for i := range 1000 {
		name := names[i%len(names)]
		data, err := os.ReadFile(filepath.Join(fixtures, filepath.FromSlash(name)))
		if err != nil {
			b.Fatal(err)
		}
		p := filepath.Join(dir, fmt.Sprintf("%04d-%s", i, filepath.Base(name)))
		if err := os.WriteFile(p, data, 0o644); err != nil {
			b.Fatal(err)
		}
		paths = append(paths, p)
	}
	b.ResetTimer()
	for b.Loop() {
		for _, p := range paths {
			if _, err := Inspect(p); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/1000files")
}
