package emulator

import (
	"io"
	"net/http"
	"testing"
	"time"
)

// patternReader is a cheap io.ReaderAt of any size (a repeated 64 KiB block).
type patternReader struct{ block []byte }

func (p patternReader) ReadAt(b []byte, off int64) (int, error) {
	n := 0
	for n < len(b) {
		i := int((off + int64(n)) % int64(len(p.block)))
		n += copy(b[n:], p.block[i:])
	}
	return n, nil
}

// BenchmarkStorageDownload measures a 256 MiB signed-URL download over
// loopback through the storage origin (request log, faults layer, signature check).
func BenchmarkStorageDownload(b *testing.B) {
	const size = 256 << 20
	e := StartTest(b, Options{})
	e.mu.Lock()
	e.objects = map[string]storageObject{ResultsBucket + "/big.bin": {Size: size, ETag: `"big"`, ContentType: "application/octet-stream",
		Content: patternReader{block: testContent(64 << 10)}}}
	e.mu.Unlock()
	signed := e.signURL(ResultsBucket, "big.bin", time.Hour)
	client := &http.Client{}
	buf := make([]byte, 1<<20)
	b.SetBytes(size)
	b.ResetTimer()
	for b.Loop() {
		resp, err := client.Get(signed)
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.CopyBuffer(struct{ io.Writer }{io.Discard}, resp.Body, buf)
		resp.Body.Close()
		if err != nil || n != size {
			b.Fatalf("read %d bytes: %v", n, err)
		}
	}
}
