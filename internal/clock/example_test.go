package clock_test

import (
	"context"
	"fmt"
	"time"

	"github.com/aignostics/aignostics/internal/clock"
)

// A test drives code that waits by advancing a fake clock once the code is
// blocked, without sleeping in real time.
func ExampleFake() {
	f := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	poll := func(c clock.Clock, done chan<- string) {
		_ = c.Sleep(context.Background(), 5*time.Second)
		done <- c.Now().Format(time.TimeOnly)
	}
	done := make(chan string)
	go poll(f.Clock(), done)
	f.BlockUntil(1) // the poller is asleep
	f.Advance(5 * time.Second)
	fmt.Println(<-done)
	// Output: 00:00:05
}
