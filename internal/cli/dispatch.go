package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/aignostics/aignostics/plugins"
	"github.com/aignostics/aignostics/settings"
)

// pluginCall is a command line split into the global flags before the
// command word, the word, and the words after it.
type pluginCall struct {
	apiRoot, output, timeout, tokenProvider        string
	hasAPIRoot, hasOutput, hasTimeout, hasProvider bool
	name                                           string
	rest                                           []string
}

// valueFlag names the global flag that takes a value spelled s.
func valueFlag(s string) (string, bool) {
	switch s {
	case "--api-root":
		return "api-root", true
	case "-o", "--output":
		return "output", true
	case "--timeout":
		return "timeout", true
	case "--token-provider":
		return "token-provider", true
	case "--share-token":
		return "share-token", true // skipped; plugins do not get it
	case "--template":
		return "template", true
	}
	return "", false
}

// parsePluginCall skips the global flags (and their values) at the start of
// args and returns the first other word. ok is false when that word is not a
// possible plugin name: missing, an unknown flag, --help or --version (kong
// deals with those).
func parsePluginCall(args []string) (c pluginCall, ok bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") || a == "-" {
			c.name, c.rest = a, args[i+1:]
			return c, true
		}
		switch a {
		case "-v", "--verbose", "--no-color":
			continue
		}
		name, value, hasValue := strings.Cut(a, "=")
		if !strings.HasPrefix(a, "--") && len(a) > 2 && a[:2] == "-o" {
			name, value, hasValue = "-o", a[2:], true
		}
		flag, known := valueFlag(name)
		if !known {
			return pluginCall{}, false // --help, --version, --, or a flag we do not know
		}
		if !hasValue {
			if i+1 >= len(args) {
				return pluginCall{}, false
			}
			i++
			value = args[i]
		}
		c.set(flag, value)
	}
	return pluginCall{}, false
}

func (c *pluginCall) set(flag, value string) {
	switch flag {
	case "api-root":
		c.apiRoot, c.hasAPIRoot = value, true
	case "output":
		c.output, c.hasOutput = value, true
	case "timeout":
		c.timeout, c.hasTimeout = value, true
	case "token-provider":
		c.tokenProvider, c.hasProvider = value, true
	}
}

// pluginDepthEnv counts the command plugins running inside each other; a
// plugin that runs itself through aignostics stops at maxPluginDepth
// instead of multiplying processes.
const (
	pluginDepthEnv = "AIGNOSTICS_PLUGIN_DEPTH"
	maxPluginDepth = 8
)

// dispatchPlugin runs the command plugin aignostics-<word> found on PATH when
// the first word after the global flags is not one of builtins, and returns
// its exit code. handled is false when kong should parse args instead.
func dispatchPlugin(ctx context.Context, args []string, f *Factory, builtins []string) (handled bool, code int) {
	c, ok := parsePluginCall(args)
	if !ok || slices.Contains(builtins, c.name) {
		return false, 0
	}
	pathEnv, _ := f.Getenv("PATH")
	path, found := plugins.Lookup(c.name, pathEnv)
	if !found {
		return false, 0
	}
	depth, _ := f.Getenv(pluginDepthEnv)
	n, _ := strconv.Atoi(depth)
	if n >= maxPluginDepth {
		return true, f.report(cliErrorf(KindUsage, "plugin %s: %d plugins are already running inside each other (%s); a plugin that runs itself through aignostics is refused", c.name, n, pluginDepthEnv))
	}
	childEnv, err := pluginEnv(c, f)
	if err != nil {
		return true, f.report(err)
	}
	childEnv = append(childEnv, pluginDepthEnv+"="+strconv.Itoa(max(n, 0)+1))
	code, err = plugins.Run(ctx, path, c.rest, childEnv, f.IO.In, f.IO.Out, f.IO.ErrOut)
	if err != nil {
		return true, f.report(fmt.Errorf("plugin %s: %w", c.name, err))
	}
	return true, code
}

// pluginEnv is the environment of a command plugin: ours plus
// AIGNOSTICS_API_ROOT and AIGNOSTICS_OUTPUT (effective values: flag,
// environment, env file, default) and AIGNOSTICS_TOKEN_COMMAND, the JSON
// argv that prints an access token with the same settings.
func pluginEnv(c pluginCall, f *Factory) ([]string, error) {
	apiRoot, output := c.apiRoot, c.output
	flags := map[string]string{}
	if c.hasAPIRoot {
		flags["AIGNOSTICS_API_ROOT"] = c.apiRoot
	}
	if c.hasOutput {
		flags["AIGNOSTICS_OUTPUT"] = c.output
	}
	if s, err := settings.Load(settings.LoadOptions{Flags: flags, Getenv: f.Getenv}); err == nil {
		apiRoot, output = s.APIRoot, s.Output
	} else {
		// Broken settings are the plugin's business; pass on what was given.
		if !c.hasAPIRoot {
			apiRoot, _ = f.Getenv("AIGNOSTICS_API_ROOT")
		}
		if !c.hasOutput {
			output, _ = f.Getenv("AIGNOSTICS_OUTPUT")
		}
	}
	exe := f.Executable
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("find this executable for AIGNOSTICS_TOKEN_COMMAND: %w", err)
		}
	}
	argv := []string{exe, "platform", "token"}
	if c.hasAPIRoot {
		argv = append(argv, "--api-root", c.apiRoot)
	}
	if c.hasTimeout {
		argv = append(argv, "--timeout", c.timeout)
	}
	if c.hasProvider {
		argv = append(argv, "--token-provider", c.tokenProvider)
	}
	tokenCommand, err := json.Marshal(argv)
	if err != nil {
		return nil, fmt.Errorf("encode AIGNOSTICS_TOKEN_COMMAND: %w", err)
	}
	out := append([]string{}, f.Environ...)
	if apiRoot != "" {
		out = append(out, "AIGNOSTICS_API_ROOT="+apiRoot)
	}
	if output != "" {
		out = append(out, "AIGNOSTICS_OUTPUT="+output)
	}
	return append(out, "AIGNOSTICS_TOKEN_COMMAND="+string(tokenCommand)), nil
}
