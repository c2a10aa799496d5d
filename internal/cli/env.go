package cli

import (
	"os"
	"time"

	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/internal/clock"
	"github.com/aignostics/aignostics/internal/iostreams"
)

// Env is what a run of the command line gets from its surroundings. main
// passes the process's; tests and the demo pass their own.
type Env struct {
	// IO are the streams and what is known about them; nil means no input,
	// discarded output, no terminal.
	IO *iostreams.IOStreams
	// Getenv looks up a process environment variable; nil means os.LookupEnv.
	Getenv func(string) (string, bool)
	// Environ is the process environment handed to child processes; nil means os.Environ().
	Environ []string
	// Version, Commit and GoVersion describe this build (see BuildInfo).
	Version, Commit, GoVersion string
	// Executable is the path of this binary, for plugins calling back; "" means os.Executable.
	Executable string
	// TokenSource, when set, replaces login and token providers (tests, embedding).
	TokenSource httpx.TokenSource
	// Clock tells the time and waits (polls, retries); zero means the system clock.
	Clock clock.Clock
	// HookTimeout bounds each event hook; 0 means hooks.DefaultTimeout.
	HookTimeout time.Duration
}

func (e *Env) fill() {
	if e.IO == nil {
		e.IO = iostreams.New(nil, nil, nil)
	}
	if e.Getenv == nil {
		e.Getenv = os.LookupEnv
	}
	if e.Environ == nil {
		e.Environ = os.Environ()
	}
	if e.Version == "" {
		e.Version = "dev"
	}
}
