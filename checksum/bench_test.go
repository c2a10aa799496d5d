package checksum

import (
	"fmt"
	"testing"
)

// BenchmarkCRC32C reports throughput (MB/s) of the hardware path.
func BenchmarkCRC32C(b *testing.B) {
	for _, size := range []int{1 << 20, 64 << 20} {
		buf := make([]byte, size)
		for i := range buf {
			buf[i] = byte(i * 7)
		}
		b.Run(fmt.Sprintf("%dMiB", size>>20), func(b *testing.B) {
			b.SetBytes(int64(size))
			h := New()
			for b.Loop() {
				h.Write(buf)
			}
		})
	}
}
