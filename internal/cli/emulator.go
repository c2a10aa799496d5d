package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/aignostics/aignostics/emulator"
)

// EmulatorCmd serves a local Aignostics Platform (OAuth server, API, storage)
// until it is interrupted.
type EmulatorCmd struct {
	Listen           string        `help:"Address of the API origin (OAuth, /health, /api/v1); default ${default}." default:"127.0.0.1:8780" placeholder:"ADDR"`
	StorageListen    string        `name:"storage-listen" help:"Address of the storage origin (signed URLs); default ${default}." default:"127.0.0.1:8781" placeholder:"ADDR"`
	PublicURL        string        `name:"public-url" help:"Root used in iss, aud and URLs (default: http://LISTEN)." placeholder:"URL"`
	StoragePublicURL string        `name:"storage-public-url" help:"Origin used in signed URLs (default: http://STORAGE-LISTEN)." placeholder:"URL"`
	Speed            float64       `help:"Run simulation speed: every duration is divided by it; default ${default}." default:"1" placeholder:"X"`
	ArtifactSize     int64         `name:"artifact-size" help:"Size of each output artifact in bytes; default ${default}." default:"1048576" placeholder:"BYTES"`
	TokenLifetime    time.Duration `name:"token-lifetime" help:"Access-token lifetime; default ${default}." default:"1h" placeholder:"D"`
	Consent          bool          `help:"Show an Approve/Deny page on /authorize instead of approving at once."`
	DeviceApproval   string        `name:"device-approval" help:"auto: a device code is approved on its second poll; manual: approve on /activate." enum:"auto,manual" default:"auto"`
	Health           string        `help:"What /health answers: up, degraded (200) or down (503)." enum:"up,degraded,down" default:"up"`
	Faults           string        `help:"Faults to inject, e.g. api:503@0.1,storage:reset@0.05 (grammar above)." placeholder:"SPEC"`
	Seed             *int64        `help:"Seed for fault decisions and generated ids and content; default: from the clock, so two emulators make different run ids (give one to reproduce a session)." placeholder:"N"`
	State            string        `help:"Keep state (keys, refresh tokens, runs) in FILE across restarts." type:"path" placeholder:"FILE"`
	WriteCredentials string        `name:"write-credentials" help:"Write a service-account JSON whose signed URLs the storage origin accepts." type:"path" placeholder:"FILE"`
	SeedRuns         int           `name:"seed-runs" help:"Start with N finished runs of test-app (for list benchmarks)." default:"0" placeholder:"N"`
	MinPartSize      int64         `name:"min-part-size" help:"Smallest part (but the last) of a multipart upload to the organization bucket, in bytes (clients learn it and may upload in parts this small); default ${default}, Cloud Storage's." default:"5242880" placeholder:"BYTES"`
}

// Help is the detailed help shown by `aignostics emulator --help`.
func (c *EmulatorCmd) Help() string {
	return `Serves a faithful local Aignostics Platform until Ctrl-C (SIGINT) or SIGTERM:
the OAuth authorization server (PKCE, device flow, refresh), the platform API
under /api/v1, GET /health, and a second, storage origin serving V4-signed URLs.
Point the CLI at it with AIGNOSTICS_API_ROOT=http://127.0.0.1:8780; no other
setting is needed. One line per request is logged on stderr, without tokens.

` + emulator.FaultGrammar
}

// seed is --seed, or one taken from the clock: fresh emulators then make
// different run ids, so results folders of two sessions do not collide.
func (c *EmulatorCmd) seed(f *Factory) int64 {
	if c.Seed != nil {
		return *c.Seed
	}
	return f.Clock.Now().UnixNano()
}

// Run starts the emulator, prints the ready line and serves until the
// command's context ends.
func (c *EmulatorCmd) Run(ctx context.Context, f *Factory) error {
	if _, err := emulator.ParseFaults(c.Faults); err != nil {
		return cliError(KindUsage, fmt.Errorf("--faults: %w", err))
	}
	e, err := emulator.Start(emulator.Options{
		PublicURL:        c.PublicURL,
		StoragePublicURL: c.StoragePublicURL,
		Speed:            c.Speed,
		ArtifactSize:     c.ArtifactSize,
		TokenLifetime:    c.TokenLifetime,
		Consent:          c.Consent,
		DeviceApproval:   c.DeviceApproval,
		Health:           c.Health,
		Faults:           c.Faults,
		Seed:             c.seed(f),
		StateFile:        c.State,
		MinPartSize:      c.MinPartSize,
		Log:              f.IO.ErrOut,
	}, c.Listen, c.StorageListen)
	if err != nil {
		return cliError(KindConfig, fmt.Errorf("start emulator: %w", err))
	}
	if c.WriteCredentials != "" {
		if err := e.WriteCredentials(c.WriteCredentials); err != nil {
			_ = e.Close()
			return cliError(KindConfig, fmt.Errorf("write credentials: %w", err))
		}
	}
	if c.SeedRuns > 0 {
		if err := e.CreateRuns(c.SeedRuns, "test-app", "1.0.0"); err != nil {
			_ = e.Close()
			return cliError(KindConfig, fmt.Errorf("--seed-runs: %w", err))
		}
	}
	out := f.Output()
	ready := map[string]string{"status": "ready", "api_root": e.URL(), "storage_url": e.StorageURL()}
	if c.WriteCredentials != "" {
		ready["credentials"] = c.WriteCredentials
	}
	if err := out.Value(fmt.Sprintf("aignostics emulator ready: api %s storage %s", e.URL(), e.StorageURL()), ready); err != nil {
		_ = e.Close()
		return err
	}
	out.Notef("Use it with: export AIGNOSTICS_API_ROOT=%s", e.URL())
	if c.WriteCredentials != "" {
		out.Notef("Sign URLs with: aignostics storage sign gs://BUCKET/OBJECT --credentials %s (STORAGE_EMULATOR_HOST=%s)", c.WriteCredentials, e.StorageURL())
	}
	<-ctx.Done()
	if err := e.Close(); err != nil {
		return fmt.Errorf("stop emulator: %w", err)
	}
	out.Notef("aignostics emulator stopped")
	return nil
}
