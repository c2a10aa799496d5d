package slides

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/aignostics/aignostics/checksum"
)

// chunk is the read size of a checksum: large enough that system calls
// cost nothing next to the copy, small enough to stay in the cache.
const chunk = 1 << 20

// checksumInOrder computes the CRC32C of the slides among entries, at
// most parallel files at a time, and yields every entry in order as soon
// as it (and every one before it) is done.
func checksumInOrder(ctx context.Context, entries []Entry, parallel int, progress func(Progress), yield func(Entry, error) bool) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var total Progress
	for _, e := range entries {
		if e.Slide != nil {
			total.Slides++
			total.Bytes += e.Slide.SizeBytes
		}
	}
	var mu sync.Mutex
	report := func(bytes int64, file bool) {
		if progress == nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		total.BytesDone += bytes
		if file {
			total.SlidesDone++
		}
		progress(total)
	}
	// The buffers are the bound: a file starts when one is free.
	bufs := make(chan []byte, parallel)
	for range parallel {
		bufs <- make([]byte, chunk)
	}
	done := make([]chan struct{}, len(entries))
	for i := range entries {
		if entries[i].Slide != nil {
			done[i] = make(chan struct{})
		}
	}
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }() // a consumer that stops early stops the reads
	wg.Go(func() {
		for i := range entries {
			s := entries[i].Slide
			if s == nil {
				continue
			}
			var buf []byte
			if ctx.Err() == nil {
				select {
				case buf = <-bufs:
				case <-ctx.Done():
				}
			}
			if buf == nil {
				close(done[i])
				continue
			}
			wg.Go(func() {
				defer close(done[i])
				defer func() { bufs <- buf }()
				sum, err := fileCRC32C(ctx, s.Path, s.SizeBytes, buf, func(n int64) { report(n, false) })
				report(0, true)
				if err != nil {
					entries[i].Err = err
					return
				}
				s.Checksum = sum
			})
		}
	})
	for i := range entries {
		if done[i] != nil {
			select {
			case <-done[i]:
			case <-ctx.Done():
			}
			if err := ctx.Err(); err != nil {
				yield(Entry{}, err)
				return
			}
		}
		e := entries[i]
		if e.Err != nil {
			e.Slide = nil // a slide whose bytes cannot be read is no slide to submit
		}
		if !yield(e, nil) {
			return
		}
	}
}

// fileCRC32C streams the file at path through buf and returns its CRC32C
// in the GCS form; the file must still have the size its header was read
// at.
func fileCRC32C(ctx context.Context, path string, size int64, buf []byte, read func(n int64)) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var crc uint32
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		k, err := f.Read(buf)
		if k > 0 {
			crc = checksum.Update(crc, buf[:k])
			n += int64(k)
			read(int64(k))
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", fmt.Errorf("%s: read: %w", path, err)
		}
	}
	if n != size {
		return "", fmt.Errorf("%s: changed while it was read: %d bytes, %d when its header was read", path, n, size)
	}
	return checksum.Encode(crc), nil
}
