// Command aignostics is the command line for the Aignostics Platform: log in,
// submit runs of whole-slide images, watch them and download verified results.
// See README.md and `aignostics --help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/aignostics/aignostics/internal/cli"
	"github.com/aignostics/aignostics/internal/iostreams"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	version, commit, goVersion := cli.BuildInfo()
	code := cli.Main(ctx, os.Args[1:], cli.Env{
		IO:        iostreams.System(),
		Version:   version,
		Commit:    commit,
		GoVersion: goVersion,
	})
	if ctx.Err() != nil && code != 0 {
		code = 130
	}
	stop()
	os.Exit(code)
}
