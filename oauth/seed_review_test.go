package oauth_test

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/emulator/emulatortest"
	"github.com/aignostics/aignostics/internal/clock"
	"github.com/aignostics/aignostics/oauth"
)

// TestSeedFromDeviceLogin: AIGNOSTICS_REFRESH_TOKEN taken from a device
// login (a refresh token the authorization server binds to the device
// client) is accepted, and later refreshes keep using that client.
func TestSeedFromDeviceLogin(t *testing.T) {
	clk := clock.NewAutoFake(time.Now())
	emu := emulatortest.StartTest(t, emulator.Options{Clock: clk.Clock()})
	ctx := context.Background()

	first := oauth.NewManager(emulatorConfig(t, emu, clk, io.Discard))
	if _, _, err := first.Login(ctx, oauth.LoginOptions{Device: true}); err != nil {
		t.Fatalf("device login: %v", err)
	}
	c := emulatorConfig(t, emu, clk, io.Discard) // another machine: its own empty cache
	c.RefreshTokenSeed = cachedRefreshToken(t, first)
	m := oauth.NewManager(c)
	access, err := m.Token(ctx)
	if err != nil {
		t.Fatalf("seeded with a device-flow refresh token: %v", err)
	}
	clk.Advance(time.Second) // tokens of the same second are identical
	m.Invalidate(access.AccessToken)
	if _, err := m.Token(ctx); err != nil {
		t.Fatalf("refresh of the seeded login: %v", err)
	}
}
