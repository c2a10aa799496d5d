// Package cli is the aignostics command line: it parses arguments with kong,
// calls the library packages and renders their results and errors. Every command
// writes only to the streams in Env, so tests call Main directly.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/alecthomas/kong"
	"golang.org/x/term"

	"github.com/aignostics/aignostics/httpx"
)

// CLI is the whole command tree. Each field below Globals is one command group;
// a group is added here only once it works.
type CLI struct {
	Globals

	Version VersionCmd `cmd:"" help:"Print the version, commit and Go version."`
	Plugins PluginsCmd `cmd:"" help:"Command plugins: executables named aignostics-<name> on PATH."`

	Platform PlatformCmd `cmd:"" help:"Log in and out, show the user, print tokens, check health and settings."`

	Applications ApplicationsCmd `cmd:"" help:"Applications you may run: list, describe."`
	Versions     VersionsCmd     `cmd:"" help:"Application versions: list, latest, describe."`
	Runs         RunsCmd         `cmd:"" help:"Submit, list, inspect, watch, cancel and download runs; maintain their metadata and artifacts."`
	Emulator     EmulatorCmd     `cmd:"" help:"Serve a local Aignostics Platform (OAuth, API, storage) for trying the CLI and testing pipelines."`
	Storage      StorageCmd      `cmd:"" help:"Google Cloud Storage helpers: sign gs:// URLs (V4, service-account key)."`
	Demo         DemoCmd         `cmd:"" help:"Run the whole job (login, run, watch, verified download) against an emulator started in-process."`
}

// Globals holds the global flags and everything a command needs from its
// surroundings: the streams, the environment, settings and clients. Commands
// receive it as the argument of their Run method.
type Globals struct {
	APIRoot       string           `name:"api-root" help:"Platform API root (env AIGNOSTICS_API_ROOT); selects the environment." placeholder:"URL"`
	Output        string           `name:"output" short:"o" help:"Output format: auto, text, json or jsonl (env AIGNOSTICS_OUTPUT; auto = text on a terminal, json otherwise)." placeholder:"FORMAT"`
	Verbose       bool             `name:"verbose" short:"v" help:"Log HTTP requests and decisions to stderr (secrets redacted)."`
	NoColor       bool             `name:"no-color" help:"Do not use colour (NO_COLOR is honoured too)."`
	Timeout       time.Duration    `name:"timeout" help:"Per-request timeout, e.g. 30s (env AIGNOSTICS_REQUEST_TIMEOUT_SECONDS)." placeholder:"DURATION"`
	TokenProvider string           `name:"token-provider" help:"Command that prints an access token; replaces login (env AIGNOSTICS_TOKEN_PROVIDER)." placeholder:"CMD"`
	ShowVersion   kong.VersionFlag `name:"version" help:"Print the version and exit."`

	env   Env
	ctx   context.Context
	state *state
}

// Env is what a run of the command line gets from its surroundings.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Getenv looks up a process environment variable; nil means os.LookupEnv.
	Getenv func(string) (string, bool)
	// Environ is the process environment handed to child processes; nil means os.Environ().
	Environ []string
	// IsTerminal reports whether one of the streams above is a terminal;
	// nil means: an *os.File for which term.IsTerminal is true.
	IsTerminal func(stream any) bool
	// Version, Commit and GoVersion describe this build (see BuildInfo).
	Version, Commit, GoVersion string
	// Executable is the path of this binary, for plugins calling back; "" means os.Executable.
	Executable string
	// TokenSource, when set, replaces login and token providers (tests, embedding).
	TokenSource httpx.TokenSource
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (e *Env) fill() {
	if e.Stdin == nil {
		e.Stdin = strings.NewReader("")
	}
	if e.Stdout == nil {
		e.Stdout = io.Discard
	}
	if e.Stderr == nil {
		e.Stderr = io.Discard
	}
	if e.Getenv == nil {
		e.Getenv = os.LookupEnv
	}
	if e.Environ == nil {
		e.Environ = os.Environ()
	}
	if e.IsTerminal == nil {
		e.IsTerminal = func(s any) bool {
			f, ok := s.(*os.File)
			return ok && term.IsTerminal(int(f.Fd()))
		}
	}
	if e.Now == nil {
		e.Now = time.Now
	}
	if e.Version == "" {
		e.Version = "dev"
	}
}

// exitRequest carries kong's request to exit (after --help or --version)
// out of the parser without calling os.Exit.
type exitRequest struct{ code int }

// Main runs the command line with args (without the program name) and returns
// the process exit code. It never panics and never calls os.Exit.
func Main(ctx context.Context, args []string, env Env) (code int) {
	env.fill()
	if handled, code := dispatchPlugin(ctx, args, env, builtinCommands()); handled {
		return code
	}
	cli := &CLI{}
	cli.env = env
	cli.ctx = ctx
	cli.state = &state{args: args}
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(exitRequest); ok {
				code = e.code
				return
			}
			code = cli.Globals.report(fmt.Errorf("internal error: %v", r))
		}
	}()
	parser, err := newParser(cli, env)
	if err != nil {
		return cli.Globals.report(fmt.Errorf("internal error: %w", err))
	}
	switch {
	case len(args) == 0:
		args = []string{"--help"} // a bare `aignostics` shows what it can do
	case args[0] == "help":
		args = append(append([]string{}, args[1:]...), "--help")
	}
	kctx, err := parser.Parse(args)
	if err != nil {
		hint := "aignostics"
		var pe *kong.ParseError
		if errors.As(err, &pe) && pe.Context != nil && pe.Context.Selected() != nil {
			hint = pe.Context.Selected().FullPath() // includes the program name
		}
		return cli.Globals.report(Exit(2, KindUsage, fmt.Errorf("%s (see '%s --help')", err, hint)))
	}
	if err := kctx.Run(&cli.Globals); err != nil {
		return cli.Globals.report(err)
	}
	return 0
}

func newParser(cli *CLI, env Env) (*kong.Kong, error) {
	return kong.New(cli,
		kong.Name("aignostics"),
		kong.Description("Command line and Go library for the Aignostics Platform: log in, submit runs of whole-slide images, watch them and download verified results."),
		kong.Writers(env.Stdout, env.Stderr),
		kong.Exit(func(code int) { panic(exitRequest{code}) }),
		kong.Vars{"version": env.Version},
		kong.ConfigureHelp(kong.HelpOptions{Compact: true, NoExpandSubcommands: true}),
	)
}

// builtinCommands lists the names of the top-level commands, for plugin
// dispatch and `plugins list`.
func builtinCommands() []string {
	parser, err := kong.New(&CLI{}, kong.Exit(func(int) {}))
	if err != nil {
		return nil
	}
	var names []string
	for _, n := range parser.Model.Children {
		names = append(names, n.Name)
		names = append(names, n.Aliases...)
	}
	return append(names, "help")
}

// Context is the command's context; it is cancelled on Ctrl-C.
func (g *Globals) Context() context.Context { return g.ctx }

// Stdin is the input stream.
func (g *Globals) Stdin() io.Reader { return g.env.Stdin }

// Stdout is the stream for results.
func (g *Globals) Stdout() io.Writer { return g.env.Stdout }

// Stderr is the stream for humans: progress, notes and errors.
func (g *Globals) Stderr() io.Writer { return g.env.Stderr }

// Getenv looks up a process environment variable.
func (g *Globals) Getenv(k string) (string, bool) { return g.env.Getenv(k) }

// Env returns the surroundings this run was started with.
func (g *Globals) Env() Env { return g.env }

// Now is the clock.
func (g *Globals) Now() time.Time { return g.env.Now() }

// Interactive reports whether a person can answer prompts: stdin and stderr are terminals.
func (g *Globals) Interactive() bool {
	return g.env.IsTerminal(g.env.Stdin) && g.env.IsTerminal(g.env.Stderr)
}

// StdoutIsTerminal reports whether results go to a terminal.
func (g *Globals) StdoutIsTerminal() bool { return g.env.IsTerminal(g.env.Stdout) }

// StderrIsTerminal reports whether stderr is a terminal (progress displays).
func (g *Globals) StderrIsTerminal() bool { return g.env.IsTerminal(g.env.Stderr) }

// Color reports whether colour may be used on stderr.
func (g *Globals) Color() bool {
	if g.NoColor {
		return false
	}
	if v, ok := g.env.Getenv("NO_COLOR"); ok && v != "" {
		return false
	}
	return g.StderrIsTerminal()
}

// TerminalWidth is the width of the terminal stdout is on, or 0 when it is not one.
func (g *Globals) TerminalWidth() int {
	return terminalWidth(g.env.Stdout)
}

func terminalWidth(w any) int {
	f, ok := w.(*os.File)
	if !ok {
		return 0
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0
	}
	return width
}

// Debugf writes a debug line to stderr when -v was given.
func (g *Globals) Debugf(format string, args ...any) {
	if !g.Verbose {
		return
	}
	fmt.Fprintln(g.env.Stderr, "debug: "+httpx.Redact(fmt.Sprintf(format, args...)))
}
