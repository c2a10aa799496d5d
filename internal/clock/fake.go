package clock

import (
	"context"
	"slices"
	"sync"
	"time"
)

// Fake is a clock for tests: its time moves only when Advance is called (or,
// for a fake from NewAutoFake, by every Sleep). Sleepers and AfterFunc
// timers wake when the time passes their deadline. It is safe for
// concurrent use.
type Fake struct {
	mu      sync.Mutex
	now     time.Time
	auto    bool
	waiters map[*waiter]struct{}
	slept   []time.Duration
	changed chan struct{} // closed (and replaced) whenever waiters changes
}

// waiter is one sleeper (wake) or armed timer (fn).
type waiter struct {
	at   time.Time
	wake chan struct{}
	fn   func()
}

// NewFake returns a fake clock showing start whose time moves only by
// Advance; a Sleep blocks until the time passes its deadline.
func NewFake(start time.Time) *Fake {
	return &Fake{now: start, waiters: map[*waiter]struct{}{}, changed: make(chan struct{})}
}

// NewAutoFake returns a fake clock showing start on which every Sleep
// returns at once, having advanced the time by its duration: for tests of
// code that waits (backoff, polling) whose waits only need to be counted.
func NewAutoFake(start time.Time) *Fake {
	f := NewFake(start)
	f.auto = true
	return f
}

// Clock returns a Clock that reads and waits on f.
func (f *Fake) Clock() Clock { return Clock{f: f} }

// Now returns the fake time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// Advance moves the time forward by d (backward when d is negative: no
// sleeper wakes then) and wakes every sleeper and runs every timer whose
// deadline is not after the new time, earliest first. Timer functions run
// before Advance returns.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	due := f.advanceLocked(d)
	f.mu.Unlock()
	fire(due)
}

// Set moves the time to t, as Advance(t.Sub(f.Now())) does.
func (f *Fake) Set(t time.Time) {
	f.mu.Lock()
	due := f.advanceLocked(t.Sub(f.now))
	f.mu.Unlock()
	fire(due)
}

// advanceLocked moves the time and removes the waiters now due, which the
// caller fires once it released the lock.
func (f *Fake) advanceLocked(d time.Duration) []*waiter {
	f.now = f.now.Add(d)
	var due []*waiter
	for w := range f.waiters {
		if !w.at.After(f.now) {
			due = append(due, w)
		}
	}
	if len(due) == 0 {
		return nil
	}
	for _, w := range due {
		delete(f.waiters, w)
	}
	f.notifyLocked()
	slices.SortStableFunc(due, func(a, b *waiter) int { return a.at.Compare(b.at) })
	return due
}

func fire(due []*waiter) {
	for _, w := range due {
		if w.wake != nil {
			close(w.wake)
		} else {
			w.fn()
		}
	}
}

func (f *Fake) notifyLocked() {
	close(f.changed)
	f.changed = make(chan struct{})
}

// Sleep waits until the time has advanced by d, or until ctx ends (then it
// returns context.Cause(ctx)). On an auto fake it advances the time by d
// and returns at once.
func (f *Fake) Sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	f.slept = append(f.slept, d)
	if ctx.Err() != nil {
		f.mu.Unlock()
		return context.Cause(ctx)
	}
	if d <= 0 {
		f.mu.Unlock()
		return nil
	}
	if f.auto {
		due := f.advanceLocked(d)
		f.mu.Unlock()
		fire(due)
		return nil
	}
	w := &waiter{at: f.now.Add(d), wake: make(chan struct{})}
	f.waiters[w] = struct{}{}
	f.notifyLocked()
	f.mu.Unlock()
	select {
	case <-w.wake:
		return nil
	case <-ctx.Done():
		f.mu.Lock()
		defer f.mu.Unlock()
		if _, pending := f.waiters[w]; !pending {
			return nil // woken by Advance as ctx ended: the sleep was complete
		}
		delete(f.waiters, w)
		f.notifyLocked()
		return context.Cause(ctx)
	}
}

// Slept returns the durations of every Sleep so far, in call order.
func (f *Fake) Slept() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.slept)
}

// Waiters is the number of goroutines blocked in Sleep plus the armed timers.
func (f *Fake) Waiters() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.waiters)
}

// BlockUntil returns once at least n goroutines are blocked in Sleep or n
// timers are armed (together), so a test can Advance knowing the code under
// test is waiting, without sleeping in real time itself.
func (f *Fake) BlockUntil(n int) {
	for {
		f.mu.Lock()
		if len(f.waiters) >= n {
			f.mu.Unlock()
			return
		}
		ch := f.changed
		f.mu.Unlock()
		<-ch
	}
}

// BlockUntilContext is BlockUntil that gives up when ctx ends.
func (f *Fake) BlockUntilContext(ctx context.Context, n int) error {
	for {
		f.mu.Lock()
		if len(f.waiters) >= n {
			f.mu.Unlock()
			return nil
		}
		ch := f.changed
		f.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
}

// fakeTimer is an AfterFunc timer on a Fake.
type fakeTimer struct {
	f  *Fake
	fn func()
	w  *waiter // the current arming; pending while in f.waiters
}

func (f *Fake) afterFunc(d time.Duration, fn func()) *fakeTimer {
	t := &fakeTimer{f: f, fn: fn}
	t.reset(d)
	return t
}

func (t *fakeTimer) stop() bool {
	f := t.f
	f.mu.Lock()
	defer f.mu.Unlock()
	return t.disarmLocked()
}

// disarmLocked removes the current arming and reports whether it was pending.
func (t *fakeTimer) disarmLocked() bool {
	if t.w == nil {
		return false
	}
	_, pending := t.f.waiters[t.w]
	if pending {
		delete(t.f.waiters, t.w)
		t.f.notifyLocked()
	}
	t.w = nil
	return pending
}

func (t *fakeTimer) reset(d time.Duration) bool {
	f := t.f
	f.mu.Lock()
	pending := t.disarmLocked()
	if d <= 0 {
		f.mu.Unlock()
		go t.fn() // due at once, run like time.AfterFunc does
		return pending
	}
	t.w = &waiter{at: f.now.Add(d), fn: t.fn}
	f.waiters[t.w] = struct{}{}
	f.notifyLocked()
	f.mu.Unlock()
	return pending
}
