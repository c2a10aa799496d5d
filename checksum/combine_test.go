package checksum

import (
	"math/rand/v2"
	"testing"
)

func TestCombine(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range [][2]int{{0, 0}, {0, 5}, {5, 0}, {1, 1}, {3, 1000}, {4096, 77}, {1 << 20, 12345}} {
		a, b := make([]byte, n[0]), make([]byte, n[1])
		for i := range a {
			a[i] = byte(r.Uint32())
		}
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		want := Sum(append(append([]byte{}, a...), b...))
		if got := Combine(Sum(a), Sum(b), int64(len(b))); got != want {
			t.Errorf("Combine(%d, %d bytes) = %08x, want %08x", n[0], n[1], got, want)
		}
	}
}
