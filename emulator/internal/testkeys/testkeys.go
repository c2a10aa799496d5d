// Package testkeys hands the emulators of one test process RSA keys made
// once: a 2048-bit key takes long to make (longer under -race), and every
// emulator needs at least two. The n-th key an emulator asks for is the
// n-th key of the process, so two keys of one emulator always differ.
package testkeys

import (
	"crypto/rand"
	"crypto/rsa"
	"sync"
)

// pool is the process's keys. It is the one piece of package state: it
// exists to be shared by every emulator a test process starts.
var pool struct {
	mu   sync.Mutex
	keys []*rsa.PrivateKey
}

// key returns the n-th key of the process, making it on first use.
func key(n int) (*rsa.PrivateKey, error) {
	pool.mu.Lock()
	defer pool.mu.Unlock()
	for len(pool.keys) <= n {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, err
		}
		pool.keys = append(pool.keys, k)
	}
	return pool.keys[n], nil
}

// Generator returns an emulator.Options.GenerateKey for one emulator: its
// first call gives the process's first key, its second the second, and so on.
func Generator() func() (*rsa.PrivateKey, error) {
	var mu sync.Mutex
	next := 0
	return func() (*rsa.PrivateKey, error) {
		mu.Lock()
		n := next
		next++
		mu.Unlock()
		return key(n)
	}
}
