package retry_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aignostics/aignostics/internal/clock"
	"github.com/aignostics/aignostics/internal/retry"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func top() float64 { return 1 }

func TestDelayGrowsAndIsCapped(t *testing.T) {
	p := retry.Policy{Base: 3 * time.Second, Jitter: top}
	var got []time.Duration
	for n := 1; n <= 6; n++ {
		got = append(got, p.Delay(n, 0))
	}
	want := []time.Duration{3 * time.Second, 6 * time.Second, 12 * time.Second, 24 * time.Second, 30 * time.Second, 30 * time.Second}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("waits (-want +got)\n%s", diff)
	}
	low := retry.Policy{Base: 4 * time.Second, Jitter: func() float64 { return 0 }}
	if d := low.Delay(2, 0); d != 4*time.Second {
		t.Errorf("zero jitter: %s, want half of 8s", d)
	}
	flat := retry.Policy{Base: 2 * time.Second, Cap: 2 * time.Second, Jitter: top}
	if d := flat.Delay(9, 0); d != 2*time.Second {
		t.Errorf("Cap = Base: %s, want 2s", d)
	}
}

func TestDelayJitterStaysInRange(t *testing.T) {
	p := retry.Policy{Base: time.Second}
	for range 1000 {
		if d := p.Delay(3, 0); d < 2*time.Second || d > 4*time.Second {
			t.Fatalf("Delay(3) = %s, want within [2s, 4s]", d)
		}
	}
}

func TestRetryAfterReplacesBackoffCapped(t *testing.T) {
	p := retry.Policy{Base: time.Second, Jitter: top}
	if d := p.Delay(1, 7*time.Second); d != 7*time.Second {
		t.Errorf("Retry-After 7s: %s", d)
	}
	if d := p.Delay(1, time.Hour); d != retry.DefaultCap {
		t.Errorf("Retry-After 1h: %s, want the cap", d)
	}
}

func TestMax(t *testing.T) {
	for in, want := range map[int]int{0: retry.DefaultRetries, -1: 0, 10: 10} {
		if got := (retry.Policy{Retries: in}).Max(); got != want {
			t.Errorf("Max with Retries %d = %d, want %d", in, got, want)
		}
	}
}

func TestWaitNotifiesThenSleeps(t *testing.T) {
	clk := clock.NewAutoFake(t0)
	var lines []string
	p := retry.Policy{Base: 7 * time.Second, Retries: 4, Jitter: top, Clock: clk.Clock(),
		Notify: func(ev retry.Event) { lines = append(lines, ev.String()) }}
	if err := p.Wait(context.Background(), 2, 0, errors.New("503 Service Unavailable")); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"503 Service Unavailable; retrying in 14s (2/4)"}, lines); diff != "" {
		t.Errorf("notified (-want +got)\n%s", diff)
	}
	if diff := cmp.Diff([]time.Duration{14 * time.Second}, clk.Slept()); diff != "" {
		t.Errorf("slept (-want +got)\n%s", diff)
	}
	if err := p.Wait(context.Background(), 5, 0, errors.New("x")); !errors.Is(err, retry.ErrExhausted) {
		t.Errorf("Wait past Max = %v, want ErrExhausted", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.Wait(ctx, 1, 0, errors.New("x")); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait on an ended context = %v", err)
	}
}

func TestEventRoundsTheWait(t *testing.T) {
	ev := retry.Event{Retry: 2, Retries: 4, Wait: 3520 * time.Millisecond, Err: errors.New("reset")}
	if got := ev.String(); got != "reset; retrying in 3.5s (2/4)" {
		t.Errorf("String = %q", got)
	}
}

func TestDo(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name     string
		fails    int   // attempts that fail before one succeeds
		final    error // returned by the failing attempts, marked retryable unless permanent
		perm     bool
		wantErr  error
		wantRuns int
	}{
		{"first try", 0, boom, false, nil, 1},
		{"after two failures", 2, boom, false, nil, 3},
		{"exhausted", 99, boom, false, boom, 4},
		{"permanent", 99, boom, true, boom, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := clock.NewAutoFake(t0)
			p := retry.Policy{Base: time.Second, Retries: 3, Clock: clk.Clock()}
			runs := 0
			err := p.Do(context.Background(), func(_ context.Context, attempt int) error {
				if attempt != runs {
					t.Errorf("attempt %d on run %d", attempt, runs)
				}
				runs++
				if runs > tt.fails {
					return nil
				}
				if tt.perm {
					return tt.final
				}
				return retry.Retryable(tt.final)
			})
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) || runs != tt.wantRuns {
				t.Errorf("Do = %v after %d runs, want %v after %d", err, runs, tt.wantErr, tt.wantRuns)
			}
			if err != nil && err.Error() != "boom" {
				t.Errorf("Do's error %q is not op's own", err)
			}
			if len(clk.Slept()) != tt.wantRuns-1 {
				t.Errorf("slept %v", clk.Slept())
			}
		})
	}
}

func TestDoHonoursRetryAfterAndContext(t *testing.T) {
	clk := clock.NewAutoFake(t0)
	p := retry.Policy{Base: time.Second, Jitter: top, Clock: clk.Clock()}
	n := 0
	_ = p.Do(context.Background(), func(context.Context, int) error {
		n++
		if n == 1 {
			return retry.RetryableAfter(errors.New("busy"), 5*time.Second)
		}
		return nil
	})
	if diff := cmp.Diff([]time.Duration{5 * time.Second}, clk.Slept()); diff != "" {
		t.Errorf("slept (-want +got)\n%s", diff)
	}

	ctx, cancel := context.WithCancel(context.Background())
	manual := clock.NewFake(t0)
	p.Clock = manual.Clock()
	done := make(chan error)
	go func() {
		done <- p.Do(ctx, func(context.Context, int) error { return retry.Retryable(errors.New("down")) })
	}()
	manual.BlockUntil(1)
	cancel()
	err := <-done
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "down") {
		t.Errorf("Do cut short = %v, want the cancellation and the last failure", err)
	}
}

func TestParseRetryAfter(t *testing.T) {
	tests := map[string]time.Duration{
		"":                     0,
		"0":                    0,
		"-3":                   0,
		"5":                    5 * time.Second,
		" 7 ":                  7 * time.Second,
		"99999999999999999999": 0,
		"31":                   31 * time.Second,
		"9999999999":           24 * time.Hour,
		t0.Add(10 * time.Second).Format(http.TimeFormat): 10 * time.Second,
		t0.Add(-time.Hour).Format(http.TimeFormat):       0,
		"Fri, 31 Dec 1999 23:59:59 GMT":                  0,
		"soon":                                           0,
	}
	for in, want := range tests {
		if got := retry.ParseRetryAfter(in, t0); got != want {
			t.Errorf("ParseRetryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}

// FuzzRetryAfter checks that any Retry-After header gives a wait in
// [0, DefaultCap].
func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"5", "-1", "Fri, 31 Dec 2100 23:59:59 GMT", "Mon, 02 Jan 2006 15:04:05 GMT", "1e9", " 7 ", "99999999999999999999"} {
		f.Add(s)
	}
	p := retry.Policy{Base: time.Second}
	f.Fuzz(func(t *testing.T, v string) {
		ra := retry.ParseRetryAfter(v, t0)
		if ra < 0 {
			t.Fatalf("ParseRetryAfter(%q) = %v", v, ra)
		}
		if d := p.Delay(1, ra); d < 0 || d > retry.DefaultCap {
			t.Fatalf("Delay after Retry-After %q = %v", v, d)
		}
	})
}
