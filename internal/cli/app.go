package cli

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"github.com/alecthomas/kong"
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
	Slides       SlidesCmd       `cmd:"" help:"Whole-slide images on disk: scan them for their size, resolution and checksum."`
	Demo         DemoCmd         `cmd:"" help:"Run the whole job (login, run, watch, verified download) against an emulator started in-process."`
}

// exitRequest carries kong's request to exit (after --help or --version)
// out of the parser without calling os.Exit.
type exitRequest struct{ code int }

// Main runs the command line with args (without the program name) and returns
// the process exit code. It never panics and never calls os.Exit.
func Main(ctx context.Context, args []string, env Env) int {
	code, _ := run(ctx, &CLI{}, args, env)
	return code
}

// run is Main over a given command tree (tests preset unexported fields of
// commands in it); it also returns the kind of the error reported, if any.
func run(ctx context.Context, cli *CLI, args []string, env Env) (code int, kind Kind) {
	env.fill()
	f := newFactory(env, &cli.Globals, args)
	fail := func(err error) (int, Kind) { return f.report(err), classify(err) }
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(exitRequest); ok {
				code, kind = e.code, ""
				return
			}
			code, kind = fail(fmt.Errorf("internal error: %v", r))
		}
	}()
	if handled, code := dispatchPlugin(ctx, args, f, builtinCommands()); handled {
		return code, ""
	}
	// The one kong model of this run, of the command named in args only
	// (see modelFor).
	parser, err := newParser(cli, f, modelFor(args))
	if err != nil {
		return fail(fmt.Errorf("internal error: %w", err))
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
		return fail(cliErrorf(KindUsage, "%s (see '%s --help')", err, hint))
	}
	if cli.NoColor {
		f.IO.SetColorEnabled(false)
	}
	if v, ok := f.Getenv("NO_COLOR"); ok && v != "" {
		f.IO.SetColorEnabled(false)
	}
	kctx.BindTo(ctx, (*context.Context)(nil))
	if err := kctx.Run(f); err != nil {
		return fail(err)
	}
	return 0, ""
}

// newParser builds the kong model of the global flags and of the command
// groups of cli that keep says to keep (nil: all of them).
func newParser(cli *CLI, f *Factory, keep func(commandField) bool) (*kong.Kong, error) {
	opts := []kong.Option{
		kong.Name("aignostics"),
		kong.Description("Command line and Go library for the Aignostics Platform: log in, submit runs of whole-slide images, watch them and download verified results."),
		kong.Writers(f.IO.Out, f.IO.ErrOut),
		kong.Exit(func(code int) { panic(exitRequest{code}) }),
		kong.Vars{"version": f.Version},
		kong.ConfigureHelp(kong.HelpOptions{Compact: true, NoExpandSubcommands: true}),
	}
	v := reflect.ValueOf(cli).Elem()
	for _, c := range commandFields() {
		if keep == nil || keep(c) {
			opts = append(opts, kong.DynamicCommand(c.name, c.help, "", v.Field(c.index).Addr().Interface(), string(c.tag)))
		}
	}
	return kong.New(&cli.Globals, opts...)
}

// builtinCommands lists the names and aliases of the top-level commands,
// for plugin dispatch and `plugins list`.
func builtinCommands() []string {
	var names []string
	for _, c := range commandFields() {
		names = append(names, c.name)
		names = append(names, c.aliases...)
	}
	return append(names, "help")
}
