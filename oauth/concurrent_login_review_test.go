package oauth

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
)

// TestConcurrentTokenCallsLogInOnce: goroutines of one command (parallel
// download workers) that all find no token in an interactive session start
// one login together, not one each (several device codes or browser tabs).
func TestConcurrentTokenCallsLogInOnce(t *testing.T) {
	const n = 4
	f := newFakeAS(t, newClock())
	c := f.config(t.TempDir())
	var arrived sync.WaitGroup
	arrived.Add(n)
	var calls atomic.Int32
	c.Interactive = func() bool {
		if calls.Add(1) <= n {
			arrived.Done()
			arrived.Wait() // every goroutine has found that it needs a login
		}
		return true
	}
	c.Stderr = newSyncBuffer()
	m := NewManager(c)
	tokens := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tokens[i], errs[i] = access(m.Token(context.Background()))
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || tokens[i] != tokens[0] {
			t.Errorf("goroutine %d: err %v, same token %v", i, errs[i], tokens[i] == tokens[0])
		}
	}
	if got := f.count("device"); got != 1 {
		t.Errorf("%d device logins started, want 1", got)
	}
}
