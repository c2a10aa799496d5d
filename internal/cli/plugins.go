package cli

import (
	"github.com/alecthomas/kong"

	"github.com/aignostics/aignostics/plugins"
)

// PluginsCmd is the `plugins` command group.
type PluginsCmd struct {
	List PluginsListCmd `cmd:"" help:"List the command plugins: executables named aignostics-<name> on PATH."`
}

// PluginsListCmd is `plugins list`.
type PluginsListCmd struct{}

// shadowedNote marks a plugin that has the name of a built-in command.
const shadowedNote = "shadowed by a built-in command, never run"

// Run lists the plugins found on PATH (first on PATH wins), warning about
// those that a built-in command shadows.
func (c *PluginsListCmd) Run(f *Factory, k *kong.Context) error {
	pathEnv, _ := f.Getenv("PATH")
	found := plugins.List(pathEnv, builtinCommands())
	out := f.Output()
	l := out.List("NAME", "PATH", "NOTE")
	for _, p := range found {
		note := ""
		if p.Shadowed {
			note = shadowedNote
		}
		if err := l.Add(p, p.Name, p.Path, note); err != nil {
			return err
		}
	}
	if err := l.Close(); err != nil {
		return err
	}
	for _, p := range found {
		if p.Shadowed {
			out.Notef("warning: plugin %s (%s) has the name of a built-in command and is never run; rename it", p.Name, p.Path)
		}
	}
	if len(found) == 0 && out.Format() == FormatText {
		out.Notef("no plugins found: a plugin is an executable named %s<name> on PATH", plugins.Prefix)
	}
	return nil
}
