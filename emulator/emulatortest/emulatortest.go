// Package emulatortest starts an emulator for a Go test, the way
// net/http/httptest starts a server: on free loopback ports, closed when
// the test ends. It is the one part of the emulator that imports testing,
// so that the aignostics binary does not link it.
package emulatortest

import (
	"testing"

	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/emulator/internal/testkeys"
)

// StartTest starts an emulator with o on free ports of 127.0.0.1 and closes
// it when the test ends; it fails the test when the emulator cannot start
// or close cleanly. Unless o.GenerateKey is set, the emulator's RSA keys are
// ones the emulators of this test process share (made once), so starting
// one is cheap; each emulator still has its own key ids, so none accepts
// another's tokens.
func StartTest(tb testing.TB, o emulator.Options) *emulator.Emulator {
	tb.Helper()
	if o.GenerateKey == nil {
		o.GenerateKey = testkeys.Generator()
	}
	e, err := emulator.Start(o, "127.0.0.1:0", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("start emulator: %v", err)
	}
	tb.Cleanup(func() {
		if err := e.Close(); err != nil {
			tb.Errorf("close emulator: %v", err)
		}
	})
	return e
}
