package cli

import (
	"bytes"
	"context"
	"fmt"
	"github.com/aignostics/aignostics/internal/iostreams"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/emulator/emulatortest"
	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/internal/clock"
	"github.com/aignostics/aignostics/resources"
)

// stMain is Main.
func stMain(ctx context.Context, args []string, env Env) int {
	code, _ := run(ctx, &CLI{}, args, env)
	return code
}

// stEnv is an emulator and the environment the command line sees.
type stEnv struct {
	t        *testing.T
	emu      *emulator.Emulator
	clk      *clock.Fake // the emulator's and the command line's: waiting advances it
	token    string
	dir      string
	env      map[string]string
	terminal bool // stderr is a terminal
	width    int  // its width (0: unknown)
}

type stResult struct {
	stdout, stderr string
	code           int
}

func newStEnv(t *testing.T, size int64) *stEnv {
	t.Helper()
	clk := clock.NewAutoFake(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	emu := emulatortest.StartTest(t, emulator.Options{Clock: clk.Clock(), ArtifactSize: size, TokenLifetime: 48 * time.Hour})
	access, _, err := emu.IssueToken(emulator.DefaultSubject)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	return &stEnv{t: t, emu: emu, clk: clk, token: access, dir: dir, env: map[string]string{
		"AIGNOSTICS_API_ROOT":  emu.URL(),
		"AIGNOSTICS_ENV_FILE":  os.DevNull,
		"AIGNOSTICS_CACHE_DIR": filepath.Join(dir, "cache"),
		"HOME":                 dir,
	}}
}

func (e *stEnv) run(args ...string) stResult {
	e.t.Helper()
	var out, errb bytes.Buffer
	ios := iostreams.New(nil, &out, &errb)
	ios.SetStderrTTY(e.terminal)
	ios.SetTerminalWidth(e.width)
	code := stMain(context.Background(), args, Env{
		IO:          ios,
		Getenv:      func(k string) (string, bool) { v, ok := e.env[k]; return v, ok },
		Environ:     []string{},
		TokenSource: httpx.StaticToken(e.token),
		Clock:       e.clk.Clock(),
	})
	return stResult{stdout: out.String(), stderr: errb.String(), code: code}
}

func (e *stEnv) want(code int, args ...string) stResult {
	e.t.Helper()
	r := e.run(args...)
	if r.code != code {
		e.t.Fatalf("aignostics %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, code, r.stdout, r.stderr)
	}
	return r
}

// client is a typed client for setting up runs.
func (e *stEnv) client() *resources.Client {
	e.t.Helper()
	hc, err := httpx.New(httpx.Options{AuthOrigin: resources.Origin(e.emu.URL()), Token: httpx.StaticToken(e.token)})
	if err != nil {
		e.t.Fatal(err)
	}
	return resources.NewFromHTTP(e.emu.URL(), hc, resources.Options{Clock: e.clk.Clock()})
}

// submit creates a test-app run of n items and returns it.
func (e *stEnv) submit(n int) *resources.Run {
	e.t.Helper()
	req := resources.RunCreationRequest{ApplicationID: "test-app"}
	for i := range n {
		req.Items = append(req.Items, resources.ItemCreationRequest{
			ExternalID: fmt.Sprintf("slide-%d", i),
			InputArtifacts: []resources.InputArtifactCreationRequest{{
				Name: "whole_slide_image", DownloadURL: "https://example.com/s.tiff",
				Metadata: map[string]any{"checksum_base64_crc32c": "AAAAAA==", "width_px": 10, "height_px": 10,
					"resolution_mpp": 0.5, "media_type": "image/tiff"},
			}},
		})
	}
	run, err := e.client().Runs().Submit(context.Background(), req)
	if err != nil {
		e.t.Fatal(err)
	}
	return run
}
