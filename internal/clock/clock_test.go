package clock_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aignostics/aignostics/internal/clock"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func TestRealSleepEndsWithContext(t *testing.T) {
	cause := errors.New("stopped")
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(cause)
	if err := clock.Real().Sleep(ctx, time.Hour); !errors.Is(err, cause) {
		t.Errorf("Sleep on an ended context = %v, want its cause", err)
	}
	if err := clock.Real().Sleep(context.Background(), 0); err != nil {
		t.Errorf("Sleep(0) = %v", err)
	}
	var c clock.Clock // the zero Clock is the system clock
	if d := time.Since(c.Now()); d < -time.Second || d > time.Second {
		t.Errorf("zero Clock's Now is %s away from time.Now", d)
	}
}

func TestRealAfterFunc(t *testing.T) {
	done := make(chan struct{})
	tm := clock.Real().AfterFunc(time.Hour, func() { close(done) })
	if !tm.Stop() {
		t.Fatal("Stop of a pending timer = false")
	}
	tm.Reset(time.Millisecond)
	<-done
}

func TestFakeSleepWakesOnAdvance(t *testing.T) {
	f := clock.NewFake(t0)
	c := f.Clock()
	woke := make(chan time.Time)
	go func() {
		if err := c.Sleep(context.Background(), 5*time.Second); err != nil {
			t.Error(err)
		}
		woke <- c.Now()
	}()
	f.BlockUntil(1)
	f.Advance(4 * time.Second)
	select {
	case <-woke:
		t.Fatal("woke 1s before the deadline")
	default:
	}
	if f.Waiters() != 1 {
		t.Fatalf("Waiters = %d, want 1", f.Waiters())
	}
	f.Advance(time.Second)
	if got := <-woke; !got.Equal(t0.Add(5 * time.Second)) {
		t.Errorf("woke at %s, want %s", got, t0.Add(5*time.Second))
	}
	if got := f.Slept(); len(got) != 1 || got[0] != 5*time.Second {
		t.Errorf("Slept = %v", got)
	}
}

func TestFakeSleepEndsWithContext(t *testing.T) {
	f := clock.NewFake(t0)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error)
	go func() { errc <- f.Clock().Sleep(ctx, time.Hour) }()
	f.BlockUntil(1)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep = %v, want context.Canceled", err)
	}
	if f.Waiters() != 0 {
		t.Errorf("a cancelled sleeper is still counted: %d", f.Waiters())
	}
	if err := f.Clock().Sleep(ctx, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep(0) on an ended context = %v", err)
	}
}

func TestFakeWakesInDeadlineOrder(t *testing.T) {
	f := clock.NewFake(t0)
	var (
		mu    sync.Mutex
		order []time.Duration
		wg    sync.WaitGroup
	)
	for _, d := range []time.Duration{3 * time.Second, time.Second, 2 * time.Second} {
		tm := f.Clock().AfterFunc(d, func() { mu.Lock(); order = append(order, d); mu.Unlock() })
		_ = tm
	}
	for i := range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = f.Clock().Sleep(context.Background(), time.Duration(i)*time.Millisecond+time.Millisecond)
		}()
	}
	f.BlockUntil(8)
	f.Advance(10 * time.Second)
	wg.Wait()
	if len(order) != 3 || order[0] != time.Second || order[1] != 2*time.Second || order[2] != 3*time.Second {
		t.Errorf("timers ran in order %v", order)
	}
}

func TestFakeTimerStopReset(t *testing.T) {
	f := clock.NewFake(t0)
	var runs atomic.Int32
	tm := f.Clock().AfterFunc(time.Second, func() { runs.Add(1) })
	if !tm.Stop() || tm.Stop() {
		t.Fatal("Stop: want true then false")
	}
	f.Advance(time.Hour)
	if runs.Load() != 0 {
		t.Fatal("a stopped timer ran")
	}
	if tm.Reset(time.Second) {
		t.Error("Reset of a stopped timer reported it pending")
	}
	if !tm.Reset(2 * time.Second) {
		t.Error("Reset of an armed timer reported it not pending")
	}
	f.Advance(time.Second)
	if runs.Load() != 0 {
		t.Fatal("ran at the first deadline although it was re-armed")
	}
	f.Advance(time.Second)
	if runs.Load() != 1 {
		t.Fatalf("runs = %d after its deadline, want 1", runs.Load())
	}
	if tm.Stop() {
		t.Error("Stop after it ran = true")
	}
}

func TestAutoFakeSkipsSleeps(t *testing.T) {
	f := clock.NewAutoFake(t0)
	c := f.Clock()
	var fired atomic.Bool
	c.AfterFunc(3*time.Second, func() { fired.Store(true) })
	for _, d := range []time.Duration{time.Second, 2 * time.Second} {
		if err := c.Sleep(context.Background(), d); err != nil {
			t.Fatal(err)
		}
	}
	if got := c.Now(); !got.Equal(t0.Add(3 * time.Second)) {
		t.Errorf("Now = %s after sleeping 3s", got)
	}
	if !fired.Load() {
		t.Error("a timer due during the sleeps did not run")
	}
	if got := f.Slept(); len(got) != 2 {
		t.Errorf("Slept = %v", got)
	}
}

func TestFakeConcurrentUse(t *testing.T) {
	f := clock.NewFake(t0)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				if f.Clock().Sleep(ctx, time.Millisecond) != nil {
					return
				}
				_ = f.Now()
			}
		}()
	}
	stop := make(chan struct{})
	go func() { wg.Wait(); close(stop) }()
	for {
		select {
		case <-stop:
			return
		default:
			f.Advance(time.Millisecond)
		}
	}
}

func TestBlockUntilContext(t *testing.T) {
	f := clock.NewFake(t0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := f.BlockUntilContext(ctx, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("BlockUntilContext = %v", err)
	}
}
