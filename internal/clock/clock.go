// Package clock is the one source of time of the module: Now, a Sleep that
// honours its context, and AfterFunc timers, read either from the system
// clock or from a Fake that tests move by hand.
package clock

import (
	"context"
	"time"
)

// Clock tells the time and waits. The zero value is the system clock; a
// Fake hands out clocks that follow it (see Fake.Clock). A Clock is a small
// value: copy it freely.
type Clock struct {
	f *Fake // nil: the system clock
}

// Real returns the system clock (the zero Clock).
func Real() Clock { return Clock{} }

// Now returns the current time.
func (c Clock) Now() time.Time {
	if c.f != nil {
		return c.f.Now()
	}
	return time.Now()
}

// Since returns the time elapsed since t.
func (c Clock) Since(t time.Time) time.Duration { return c.Now().Sub(t) }

// Sleep waits d, or until ctx ends, when it returns context.Cause(ctx). A
// ctx that has already ended wins over a d that is zero or negative.
func (c Clock) Sleep(ctx context.Context, d time.Duration) error {
	if c.f != nil {
		return c.f.Sleep(ctx, d)
	}
	if err := ctx.Err(); err != nil {
		return context.Cause(ctx)
	}
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}

// AfterFunc runs f once d has passed (in its own goroutine on the system
// clock, within Fake.Advance on a fake one) and returns a Timer that can
// stop or re-arm it, like time.AfterFunc.
func (c Clock) AfterFunc(d time.Duration, f func()) *Timer {
	if c.f != nil {
		return &Timer{ft: c.f.afterFunc(d, f)}
	}
	return &Timer{rt: time.AfterFunc(d, f)}
}

// Timer is a pending call of AfterFunc.
type Timer struct {
	rt *time.Timer
	ft *fakeTimer
}

// Stop prevents the call; it reports whether the call was still pending.
func (t *Timer) Stop() bool {
	if t.ft != nil {
		return t.ft.stop()
	}
	return t.rt.Stop()
}

// Reset arms the timer to run its function d from now; it reports whether
// a call was still pending.
func (t *Timer) Reset(d time.Duration) bool {
	if t.ft != nil {
		return t.ft.reset(d)
	}
	return t.rt.Reset(d)
}
