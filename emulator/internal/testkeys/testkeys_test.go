package testkeys

import "testing"

func TestGeneratorsShareDistinctKeys(t *testing.T) {
	a, b := Generator(), Generator()
	a0, _ := a()
	a1, _ := a()
	b0, _ := b()
	b1, err := b()
	if err != nil {
		t.Fatal(err)
	}
	if a0.Equal(a1) {
		t.Error("one generator gave the same key twice")
	}
	if !a0.Equal(b0) || !a1.Equal(b1) {
		t.Error("the n-th keys of two generators differ: nothing is shared")
	}
	if a0.N.BitLen() != 2048 {
		t.Errorf("key of %d bits, want 2048", a0.N.BitLen())
	}
}
