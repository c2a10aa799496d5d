package emulator

import (
	"encoding/binary"
	"fmt"
	"io"
	"sync"

	"github.com/aignostics/aignostics/checksum"
)

// Artifact content: the platform keeps one seeded 64 KiB block; chunk k of
// an artifact is that block with every 8-byte word XORed with a word w_k
// drawn from the artifact's seed. Reading is a word-wise XOR (memory speed),
// and the CRC32C of any size follows from precomputed values: CRC is affine
// in the data, so CRC(chunk k) = CRC(block) ^ XOR over the set bits j of w_k
// of L_j (the CRC change caused by bit j in every word), and chunks are
// joined with the "append 64 KiB" operator of zlib's crc32_combine. Nothing
// per artifact is stored.
const genBlock = 64 << 10

// artifactGen holds the shared block and the CRC tables derived from it.
type artifactGen struct {
	block    []byte
	blockCRC uint32
	bitCRC   [64]uint32 // L_j = CRC(pattern of bit j) ^ CRC(zeros)
	shift    [32]uint32 // GF(2) operator: a CRC followed by genBlock zero bytes

	// crcs caches each artifact's CRC32C: computing it costs O(size/64 KiB)
	// (about 10 ms for 1 GiB), and item listings report it for every output.
	mu       sync.Mutex
	crcs     map[crcKey]uint32
	computed int // CRCs computed so far (tests)
}

// crcKey identifies an artifact's content.
type crcKey struct {
	seed uint64
	size int64
}

// maxCachedCRCs bounds the CRC cache (about 32 MiB); past it the cache restarts.
const maxCachedCRCs = 1 << 20

// newArtifactGen derives the block and tables from the platform seed.
func newArtifactGen(seed int64) *artifactGen {
	g := &artifactGen{block: make([]byte, genBlock)}
	for i := 0; i < genBlock; i += 8 {
		binary.LittleEndian.PutUint64(g.block[i:], mix64(uint64(seed)^0x5eed+uint64(i)*0x9e3779b97f4a7c15))
	}
	g.blockCRC = checksum.Sum(g.block)
	zeros := make([]byte, genBlock)
	zeroCRC := checksum.Sum(zeros)
	pat := make([]byte, genBlock)
	for j := range 64 {
		clear(pat)
		for i := j / 8; i < genBlock; i += 8 {
			pat[i] = 1 << (j % 8)
		}
		g.bitCRC[j] = checksum.Sum(pat) ^ zeroCRC
	}
	for i := range 32 {
		g.shift[i] = crcShiftZeros(1<<i, genBlock)
	}
	return g
}

// gf2Times multiplies a GF(2) 32x32 matrix by a vector.
func gf2Times(mat *[32]uint32, vec uint32) uint32 {
	var sum uint32
	for i := 0; vec != 0; i, vec = i+1, vec>>1 {
		if vec&1 != 0 {
			sum ^= mat[i]
		}
	}
	return sum
}

// crcShiftZeros advances a raw CRC32C register over n zero bytes (zlib's
// crc32_combine without the final XOR, for the reflected Castagnoli polynomial).
func crcShiftZeros(crc uint32, n int64) uint32 {
	var odd, even [32]uint32
	odd[0] = 0x82f63b78 // the operator for one zero bit
	for i, row := 1, uint32(1); i < 32; i, row = i+1, row<<1 {
		odd[i] = row
	}
	square := func(dst, src *[32]uint32) {
		for i := range 32 {
			dst[i] = gf2Times(src, src[i])
		}
	}
	square(&even, &odd) // two zero bits
	square(&odd, &even) // four zero bits
	for n > 0 {
		square(&even, &odd)
		if n&1 != 0 {
			crc = gf2Times(&even, crc)
		}
		n >>= 1
		if n == 0 {
			break
		}
		square(&odd, &even)
		if n&1 != 0 {
			crc = gf2Times(&odd, crc)
		}
		n >>= 1
	}
	return crc
}

// artifactBytes is the content of one output artifact; it implements io.ReaderAt.
type artifactBytes struct {
	gen  *artifactGen
	seed uint64
	size int64
}

// chunkWord is the word XORed over chunk k.
func (a artifactBytes) chunkWord(k int64) uint64 {
	return mix64(a.seed + uint64(k)*0x9e3779b97f4a7c15)
}

// mix64 is the SplitMix64 finalizer.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// ReadAt fills b with the bytes at off.
func (a artifactBytes) ReadAt(b []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("read artifact at %d: negative offset", off)
	}
	if off >= a.size {
		return 0, io.EOF
	}
	n := int(min(int64(len(b)), a.size-off))
	out := b[:n]
	for len(out) > 0 {
		k, in := off/genBlock, int(off%genBlock)
		var wb [8]byte
		binary.LittleEndian.PutUint64(wb[:], a.chunkWord(k))
		w := binary.LittleEndian.Uint64(wb[:])
		c := min(len(out), genBlock-in)
		src, dst := a.gen.block[in:in+c], out[:c]
		i := 0
		for ; i < c && (in+i)%8 != 0; i++ { // up to the first word boundary
			dst[i] = src[i] ^ wb[(in+i)%8]
		}
		for ; i+8 <= c; i += 8 {
			binary.LittleEndian.PutUint64(dst[i:], binary.LittleEndian.Uint64(src[i:])^w)
		}
		for ; i < c; i++ {
			dst[i] = src[i] ^ wb[(in+i)%8]
		}
		out, off = out[c:], off+int64(c)
	}
	if n < len(b) {
		return n, io.EOF
	}
	return n, nil
}

// crc32c is the CRC32C of the whole content, computed once per (seed, size).
func (a artifactBytes) crc32c() uint32 {
	g, k := a.gen, crcKey{a.seed, a.size}
	g.mu.Lock()
	c, ok := g.crcs[k]
	g.mu.Unlock()
	if ok {
		return c
	}
	c = a.computeCRC32C()
	g.mu.Lock()
	if g.crcs == nil || len(g.crcs) >= maxCachedCRCs {
		g.crcs = map[crcKey]uint32{}
	}
	g.crcs[k] = c
	g.computed++
	g.mu.Unlock()
	return c
}

// computeCRC32C computes the CRC32C of the whole content without reading it
// (the last partial chunk is read: at most 64 KiB).
func (a artifactBytes) computeCRC32C() uint32 {
	full := a.size / genBlock
	var crc uint32
	for k := range full {
		w := a.chunkWord(k)
		c := a.gen.blockCRC
		for j := 0; w != 0; j, w = j+1, w>>1 {
			if w&1 != 0 {
				c ^= a.gen.bitCRC[j]
			}
		}
		if k == 0 {
			crc = c
		} else {
			crc = gf2Times(&a.gen.shift, crc) ^ c
		}
	}
	if tail := a.size - full*genBlock; tail > 0 {
		buf := make([]byte, tail)
		_, _ = a.ReadAt(buf, full*genBlock)
		crc = checksum.Update(crc, buf)
	}
	return crc
}
