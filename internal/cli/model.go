package cli

import (
	"reflect"
	"slices"
	"strings"
	"unicode"
)

// Building kong's model of the whole command tree (reflection over every
// command, flag and tag, and the interpolation of every help text) is most
// of the time a short command takes. A run names its command in its first
// word, so only that command group is built; help, unknown words and errors
// at the top level get the whole tree.

// wholeTree says whether a command reads the whole command tree
// (completion scripts and candidates are generated from it).
func wholeTree(name string) bool { return name == "completion" || name == "__complete" }

// commandField is one command group of CLI: a field tagged `cmd:""`.
type commandField struct {
	name    string
	aliases []string
	help    string
	tag     reflect.StructTag
	index   int
}

// commandFields lists CLI's command groups in their order.
func commandFields() []commandField {
	t := reflect.TypeFor[CLI]()
	var out []commandField
	for i := range t.NumField() {
		sf := t.Field(i)
		if _, ok := sf.Tag.Lookup("cmd"); !ok {
			continue
		}
		name := sf.Tag.Get("name")
		if name == "" {
			name = kebab(sf.Name)
		}
		var aliases []string
		if a := sf.Tag.Get("aliases"); a != "" {
			aliases = strings.Split(a, ",")
		}
		out = append(out, commandField{name: name, aliases: aliases, help: sf.Tag.Get("help"), tag: sf.Tag, index: i})
	}
	return out
}

// kebab is kong's default command name of a Go field name: "RunsCmd" ->
// "runs-cmd".
func kebab(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('-')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// modelFor says which command groups the model of a run of args needs: the
// one its first word names; none for a bare `--version`; all of them
// otherwise (help, a word that is no command, a usage error before the
// command word), so that help and "did you mean" see the whole tree.
func modelFor(args []string) func(commandField) bool {
	if c, ok := parsePluginCall(args); ok {
		if wholeTree(c.name) {
			return nil
		}
		for _, f := range commandFields() {
			if f.name == c.name || slices.Contains(f.aliases, c.name) {
				return func(g commandField) bool { return g.index == f.index }
			}
		}
		return nil
	}
	if slices.Contains(args, "--version") && !slices.Contains(args, "--help") && !slices.Contains(args, "-h") {
		return func(commandField) bool { return false }
	}
	return nil
}
