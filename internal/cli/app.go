package cli

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"

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

	Completion CompletionCmd `cmd:"" help:"Print a shell completion script (bash, zsh, fish, powershell): commands, flags, application ids, versions and recent run ids."`
	Complete   CompleteCmd   `cmd:"" name:"__complete" hidden:"" help:"Complete a command line (used by the completion scripts)."`
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
	args = aliasCommands(args)
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
	if isBareGroup(err) {
		// `aignostics runs`: the group's help page, as --help shows it, exit 0.
		kctx, err = parser.Parse(append(append([]string{}, args...), "--help"))
	}
	if err != nil {
		hint := "aignostics"
		var pe *kong.ParseError
		if errors.As(err, &pe) && pe.Context != nil && pe.Context.Selected() != nil {
			hint = commandPath(pe.Context.Selected())
		}
		msg := suggestPlugin(f, args, builtinCommands(), err.Error())
		return fail(cliErrorf(KindUsage, "%s (see '%s --help')", msg, hint))
	}
	if cli.NoColor {
		f.IO.SetColorEnabled(false)
	}
	if v, ok := f.Getenv("NO_COLOR"); ok && v != "" {
		f.IO.SetColorEnabled(false)
	}
	if cli.Template != "" {
		if o := f.Output(); o.tmplErr != nil {
			return fail(o.tmplErr) // before the command does anything
		}
	}
	kctx.BindTo(ctx, (*context.Context)(nil))
	if err := resolveRunArgs(ctx, f, kctx); err != nil {
		return fail(err)
	}
	if err := kctx.Run(f); err != nil {
		return fail(err)
	}
	return 0, ""
}

// commandAliases are other names of top-level commands, rewritten before
// parsing (kong's own aliases would show in every usage line).
func commandAliases(word string) (string, bool) {
	switch word {
	case "run":
		return "runs", true
	}
	return "", false
}

// aliasCommands rewrites an alias in the command word (the first word
// after the global flags).
func aliasCommands(args []string) []string {
	c, ok := parsePluginCall(args)
	if !ok {
		return args
	}
	name, ok := commandAliases(c.name)
	if !ok {
		return args
	}
	out := append([]string{}, args...)
	out[len(args)-len(c.rest)-1] = name
	return out
}

// commandPath is "aignostics runs list" for a node (kong's FullPath shows
// aliases too).
func commandPath(n *kong.Node) string {
	var words []string
	for ; n != nil; n = n.Parent {
		words = append([]string{n.Name}, words...)
	}
	return strings.Join(words, " ")
}

// isBareGroup reports whether a parse failed only because a command group
// was given without one of its commands.
func isBareGroup(err error) bool {
	var pe *kong.ParseError
	if !errors.As(err, &pe) || pe.Context == nil {
		return false
	}
	sel := pe.Context.Selected()
	if sel == nil || !strings.HasPrefix(err.Error(), "expected ") {
		return false
	}
	for _, c := range sel.Children {
		if c.Type == kong.CommandNode {
			return true
		}
	}
	return false
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
		kong.Help(helpPrinter),
		kong.ExplicitGroups([]kong.Group{{Key: "global", Title: "Global flags:"}}),
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
	return append(names, "help", "run")
}
