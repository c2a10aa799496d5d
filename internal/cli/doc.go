// Package cli is the aignostics command line: it parses arguments with kong,
// calls the library packages and renders their results and errors. It is
// thin: parse, call, print. Only main imports it (deps_test.go checks).
//
// # Layout
//
//   - app.go: the command tree (CLI), Main, and the one kong model of a run.
//   - globals.go: Globals, the global flags, and nothing else.
//   - env.go: Env, what a run gets from its surroundings (main passes the
//     process's; tests pass their own).
//   - factory.go: Factory, which gives commands the streams, flags and
//     clients; every client is built once per run, on first use.
//   - errors.go: error kinds, the one table from kind to exit code, and
//     the reporting of errors (one line, or JSON with -o json|jsonl).
//   - output.go: Output, rendering of objects, lists and single values.
//   - one file per command or small group: platform*.go, runs_*.go,
//     storage*.go, slides*.go, ... named after the command path.
//
// The streams (stdin, stdout, stderr, whether each is a terminal, the
// terminal width, colour) are an internal/iostreams.IOStreams, reached as
// Factory.IO. No command touches os.Stdout, os.Stderr or os.Getenv.
//
// # Adding a command
//
// Declare a struct with kong tags for its flags and arguments, add it as a
// field of its group (or of CLI for a new group, with a help line), and give
// it a Run method. kong calls Run with what it declares among
// context.Context (cancelled on Ctrl-C), *Factory and *kong.Context:
//
//	// RunsCancelCmd is `runs cancel`.
//	type RunsCancelCmd struct {
//		RunID string `arg:"" name:"RUN" help:"Run id."`
//	}
//
//	func (c *RunsCancelCmd) Run(ctx context.Context, f *Factory) error {
//		cl, err := f.Client()
//		if err != nil {
//			return err
//		}
//		...
//		return f.Output().Value(text, jsonValue)
//	}
//
// Give it examples for its help page (TestEveryCommandHasExamples fails
// without them, and parses each one):
//
//	func (*RunsCancelCmd) Examples() []string {
//		return []string{"runs cancel latest", "runs cancel --tags nightly --dry-run"}
//	}
//
// A positional argument named RUN takes latest and id prefixes by itself
// (runref.go resolves it before Run; f.ResolveRun for other places). Help
// pages list the command's own flags first, then "Global flags:"; a bare
// group prints its help.
//
// Results go through f.Output(): Object for one object (aligned key: value
// lines in text), List for streamed lists (a table in text), Value for a
// single value such as an id. Notes for people go to stderr (Output.Notef),
// never to stdout. Where a command has many inputs, an options struct and a
// plain function taking it (run, tested directly) may clarify; it is not
// required.
//
// # Errors and exit codes
//
// A command returns errors; it never prints them or picks exit codes.
// Errors of the library packages are classified centrally (classify and
// classifyDomain: sentinel errors, *httpx.APIError statuses, network
// errors). A command that knows better names the kind only:
//
//	return cliErrorf(KindUsage, "--parallel %d: must be between 1 and 64", n)
//	return cliError(KindInvalid, fmt.Errorf("read items: %w", err))
//
// Kind.ExitCode is the one table from kind to exit code (DESIGN.md, "Exit
// codes"). Library packages speak no CLI words: when a library error needs a
// hint naming a flag or a command, the command line adds it.
//
// # Tests
//
// Tests run Main in-process with an Env whose IO comes from iostreams.Test
// or iostreams.New (set TTY flags and the terminal width explicitly), an
// injected Getenv and, against the emulator, a TokenSource. Help pages, text
// tables and error lines are golden files under testdata/golden (help at
// 80 columns in help/, at 120 in help-120/)
// (golden_test.go): a new command gets its help page there by itself; add
// its table or error line to TestTextTablesGolden or TestErrorLinesGolden.
// After a deliberate change, rewrite them with
//
//	go test ./internal/cli -run Golden -args -update
//
// and review the diff. Output's rendering rules are pinned in output_test.go.
// Tests that run the built binary live in e2e/.
package cli
