package resources_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/emulator/emulatortest"
	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/internal/clock"
	"github.com/aignostics/aignostics/resources"
	"github.com/aignostics/aignostics/settings"
)

// testT0 is when the tests' fake clocks start.
var testT0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// newClock returns a fake clock on which sleeping advances the time at once.
func newClock() *clock.Fake { return clock.NewAutoFake(testT0) }

// env is an emulator with a client for it, both on a manual clock.
type env struct {
	emu   *emulator.Emulator
	clock *clock.Fake
	c     *resources.Client
}

func newEnv(t testing.TB) *env {
	t.Helper()
	clk := newClock()
	emu := emulatortest.StartTest(t, emulator.Options{Clock: clk.Clock(), ArtifactSize: 1024})
	return &env{emu: emu, clock: clk, c: newClient(t, emu.URL(), emu, resources.Options{Clock: clk.Clock()})}
}

func newClient(t testing.TB, root string, emu *emulator.Emulator, o resources.Options) *resources.Client {
	t.Helper()
	access, _, err := emu.IssueToken(emulator.DefaultSubject)
	if err != nil {
		t.Fatalf("issue token: %v", err)
	}
	hc, err := httpx.New(httpx.Options{
		AuthOrigin: resources.Origin(root),
		Token:      httpx.StaticToken(access),
		RetryBase:  time.Millisecond,
		Clock:      newClock().Clock(), // retries wait for nothing
	})
	if err != nil {
		t.Fatalf("httpx.New: %v", err)
	}
	return resources.NewFromHTTP(root, hc, o)
}

// items are n valid test-app items whose external ids start with prefix.
func items(prefix string, n int) []resources.ItemCreationRequest {
	out := make([]resources.ItemCreationRequest, n)
	for i := range out {
		id := fmt.Sprintf("%s-%03d", prefix, i)
		out[i] = resources.ItemCreationRequest{
			ExternalID: id,
			InputArtifacts: []resources.InputArtifactCreationRequest{{
				Name:        "whole_slide_image",
				DownloadURL: "https://storage.example.com/slides/" + id + ".tiff",
				Metadata: map[string]any{
					"checksum_base64_crc32c": "AAAAAA==",
					"width_px":               1000,
					"height_px":              800,
					"resolution_mpp":         0.25,
					"media_type":             "image/tiff",
				},
			}},
		}
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// submit creates a valid test-app run and returns it.
func (e *env) submit(t testing.TB, prefix string, n int, md map[string]any) *resources.Run {
	t.Helper()
	run, err := e.c.Runs().Submit(context.Background(), resources.RunCreationRequest{
		ApplicationID: "test-app", Items: items(prefix, n), CustomMetadata: md,
	})
	if err != nil {
		t.Fatalf("submit run: %v", err)
	}
	return run
}

// settingsFor loads settings for an API root without reading the machine's
// environment or env files.
func settingsFor(t testing.TB, root string) *settings.Settings {
	t.Helper()
	dir := t.TempDir()
	env := map[string]string{"AIGNOSTICS_API_ROOT": root, "AIGNOSTICS_ENV_FILE": os.DevNull}
	s, err := settings.Load(settings.LoadOptions{
		Getenv:  func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		HomeDir: dir, WorkDir: dir, UserCacheDir: dir,
	})
	if err != nil {
		t.Fatalf("load settings: %v", err)
	}
	return s
}
