package cli

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/alecthomas/kong"

	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/plugins"
	"github.com/aignostics/aignostics/resources"
)

// Shell completion. The scripts `aignostics completion SHELL` prints are
// small and the same for every version: at each TAB they hand the command
// line to the hidden `aignostics __complete --line LINE`, which walks this
// binary's kong model (commands, aliases, flags, enum values, plugins on
// PATH) and asks the platform for dynamic values (application ids,
// versions, recent run ids). A new command, flag or plugin completes
// without regenerating anything. Output: one candidate per line, with an
// optional tab and description; nothing means "complete file names".

// CompletionCmd is `completion SHELL`.
type CompletionCmd struct {
	Shell string `arg:"" name:"SHELL" enum:"bash,zsh,fish,powershell" help:"bash, zsh, fish or powershell."`
}

// Examples shows how to install each script.
func (*CompletionCmd) Examples() []string {
	return []string{
		"# bash, now and in every new shell:",
		"completion bash > ~/.local/share/bash-completion/completions/aignostics",
		"# zsh (a directory on $fpath):",
		"completion zsh > ~/.zfunc/_aignostics",
		"completion fish > ~/.config/fish/completions/aignostics.fish",
		"# PowerShell: add to $PROFILE:",
		"completion powershell",
	}
}

// Run prints the script.
func (c *CompletionCmd) Run(f *Factory) error {
	s, ok := completionScripts(c.Shell)
	if !ok {
		return cliErrorf(KindUsage, "completion %q: expected bash, zsh, fish or powershell", c.Shell)
	}
	_, err := io.WriteString(f.IO.Out, s)
	return err
}

// CompleteCmd is the hidden `__complete --line LINE` the scripts call.
type CompleteCmd struct {
	Line string `name:"line" help:"The command line up to the cursor."`
}

// completeTimeout bounds the platform requests of one completion: a TAB
// must not hang.
const completeTimeout = 3 * time.Second

// Run prints the candidates for the last word of the line. It never logs
// in, never prompts, and prints nothing rather than an error.
func (c *CompleteCmd) Run(ctx context.Context, f *Factory, k *kong.Context) error {
	f.IO.SetStdinTTY(false) // never start a login from a TAB
	ctx, cancel := context.WithTimeout(context.WithValue(ctx, tokenContextKey{}, ctx), completeTimeout)
	defer cancel()
	words, cur := splitLine(c.Line)
	if len(words) > 0 {
		words = words[1:] // the program name
	}
	cands := complete(ctx, f, k.Model, aliasCommands(words), cur)
	var b strings.Builder
	for _, cand := range cands {
		if !strings.HasPrefix(cand.value, cur) {
			continue
		}
		b.WriteString(cand.value)
		if cand.help != "" {
			b.WriteString("\t" + oneLine(cand.help))
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(f.IO.Out, b.String())
	return err
}

type candidate struct{ value, help string }

// tokenContextKey holds the command's context without the TAB's deadline.
type tokenContextKey struct{}

// completionClient is the client for dynamic values. Its token is obtained
// first, under the command's context without the TAB's deadline: a refresh
// cut after it was sent is recorded as unanswered, and as a refresh token is
// never sent twice, the next command once the access token ran out would
// ask for a login.
func completionClient(ctx context.Context, f *Factory) (*resources.Client, error) {
	if parent, ok := ctx.Value(tokenContextKey{}).(context.Context); ok {
		if src, err := f.TokenSource(); err == nil {
			_, _ = httpx.CurrentToken(parent, src)
		}
	}
	return f.Client()
}

// splitLine splits a command line as a shell would (quotes, backslashes)
// into the finished words and the word under the cursor.
func splitLine(line string) (words []string, cur string) {
	var w strings.Builder
	var quote rune
	inWord, escaped := false, false
	for _, r := range line {
		switch {
		case escaped:
			w.WriteRune(r)
			escaped = false
		case r == '\\' && quote != '\'':
			escaped, inWord = true, true
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				w.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		default:
			w.WriteRune(r)
			inWord = true
		}
	}
	return words, w.String()
}

// complete walks the finished words through the model and returns what
// may follow.
func complete(ctx context.Context, f *Factory, app *kong.Application, words []string, cur string) []candidate {
	node := app.Node
	flags := slices.Clone(node.Flags)
	var positionals []string // values given to the current command
	var given = map[string]string{}
	for i := 0; i < len(words); i++ {
		w := words[i]
		if w == "--" {
			continue
		}
		if strings.HasPrefix(w, "-") && len(w) > 1 {
			name, _, hasValue := strings.Cut(w, "=")
			fl := findFlag(flags, name)
			if fl != nil && !fl.IsBool() && !fl.IsCounter() && !hasValue && i+1 < len(words) {
				i++
				given[fl.Name] = words[i]
			} else if fl != nil && hasValue {
				given[fl.Name] = w[len(name)+1:]
			}
			continue
		}
		if child := findChild(node, w); child != nil && len(positionals) == 0 {
			node = child
			flags = append(flags, child.Flags...)
			continue
		}
		positionals = append(positionals, w)
	}
	// Dynamic values come from the platform the line names, if it does.
	if v := given["api-root"]; v != "" && f.Flags != nil && f.Flags.APIRoot == "" {
		f.Flags.APIRoot = v
	}
	// The value of a flag: after "--flag " or in "--flag=...".
	if n := len(words); n > 0 && !strings.Contains(words[n-1], "=") {
		if fl := findFlag(flags, words[n-1]); fl != nil && !fl.IsBool() && !fl.IsCounter() {
			return flagValues(ctx, f, fl, given, "")
		}
	}
	if strings.HasPrefix(cur, "--") && strings.Contains(cur, "=") {
		name, _, _ := strings.Cut(cur, "=")
		if fl := findFlag(flags, name); fl != nil {
			return flagValues(ctx, f, fl, given, name+"=")
		}
		return nil
	}
	if strings.HasPrefix(cur, "-") {
		return flagNames(flags)
	}
	var out []candidate
	if len(positionals) == 0 {
		for _, c := range node.Children {
			if c.Type == kong.CommandNode && !c.Hidden {
				out = append(out, candidate{c.Name, c.Help})
			}
		}
		if node == app.Node {
			out = append(out, candidate{"run", "Alias of runs."})
			pathEnv, _ := f.Getenv("PATH")
			for _, p := range plugins.List(pathEnv, builtinCommands()) {
				if !p.Shadowed {
					out = append(out, candidate{p.Name, "Plugin " + p.Path})
				}
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	if len(positionals) < len(node.Positional) {
		p := node.Positional[len(positionals)]
		return positionalValues(ctx, f, p, positionals, cur)
	}
	return nil
}

func findFlag(flags []*kong.Flag, word string) *kong.Flag {
	for _, fl := range flags {
		if word == "--"+fl.Name || (fl.Short != 0 && word == "-"+string(fl.Short)) {
			return fl
		}
		for _, a := range fl.Aliases {
			if word == "--"+a {
				return fl
			}
		}
	}
	return nil
}

func findChild(n *kong.Node, word string) *kong.Node {
	for _, c := range n.Children {
		if c.Type != kong.CommandNode {
			continue
		}
		if c.Name == word || slices.Contains(c.Aliases, word) {
			return c
		}
	}
	return nil
}

func flagNames(flags []*kong.Flag) []candidate {
	var out []candidate
	for _, fl := range flags {
		if fl.Hidden {
			continue
		}
		name := "--" + fl.Name
		if !fl.IsBool() && !fl.IsCounter() {
			name += "="
		}
		out = append(out, candidate{name, fl.Help})
	}
	return out
}

// flagValues completes the value of a flag; prefix is "--flag=" when the
// value is written in the same word.
func flagValues(ctx context.Context, f *Factory, fl *kong.Flag, given map[string]string, prefix string) []candidate {
	var out []candidate
	switch {
	case fl.Enum != "":
		for _, v := range strings.Split(fl.Enum, ",") {
			out = append(out, candidate{strings.TrimSpace(v), ""})
		}
	case fl.Name == "output":
		for _, v := range []string{"auto", "text", "wide", "json", "jsonl"} {
			out = append(out, candidate{v, ""})
		}
	case fl.Name == "application-id" || fl.Name == "for":
		out = applicationIDs(ctx, f)
	case fl.Name == "application-version":
		out = versionsOf(ctx, f, given["application-id"], "")
	}
	for i := range out {
		out[i].value = prefix + out[i].value
	}
	return out
}

// positionalValues completes a positional argument by its name.
func positionalValues(ctx context.Context, f *Factory, p *kong.Positional, before []string, cur string) []candidate {
	switch p.Name {
	case "RUN":
		return append([]candidate{{"latest", "Your newest run"}}, recentRuns(ctx, f)...)
	case "APP":
		return applicationIDs(ctx, f)
	case "APP[:VERSION]":
		if app, _, ok := strings.Cut(cur, ":"); ok {
			return versionsOf(ctx, f, app, app+":")
		}
		return applicationIDs(ctx, f)
	case "VERSION":
		if len(before) > 0 {
			return versionsOf(ctx, f, before[len(before)-1], "")
		}
	}
	return nil
}

func applicationIDs(ctx context.Context, f *Factory) []candidate {
	cl, err := completionClient(ctx, f)
	if err != nil {
		return nil
	}
	var out []candidate
	for a, err := range cl.Applications().List(ctx, resources.ListOptions{}) {
		if err != nil {
			break
		}
		out = append(out, candidate{a.ApplicationID, a.Name})
	}
	return out
}

func versionsOf(ctx context.Context, f *Factory, app, prefix string) []candidate {
	if app == "" {
		return nil
	}
	cl, err := completionClient(ctx, f)
	if err != nil {
		return nil
	}
	vs, err := cl.Versions().List(ctx, app)
	if err != nil {
		return nil
	}
	var out []candidate
	for _, v := range vs {
		out = append(out, candidate{prefix + v.Number, "released " + ts(v.ReleasedAt)})
	}
	return out
}

// recentRunsLimit is how many run ids a TAB offers.
const recentRunsLimit = 20

func recentRuns(ctx context.Context, f *Factory) []candidate {
	cl, err := completionClient(ctx, f)
	if err != nil {
		return nil
	}
	var out []candidate
	for r, err := range cl.Runs().ListData(ctx, resources.RunListOptions{Sort: []string{"-submitted_at"}, PageSize: recentRunsLimit}) {
		if err != nil || len(out) >= recentRunsLimit {
			break
		}
		out = append(out, candidate{r.RunID, fmt.Sprintf("%s:%s %s, submitted %s", r.ApplicationID, r.VersionNumber, r.State, ts(r.SubmittedAt))})
	}
	return out
}

// completionScripts returns the script for a shell.
func completionScripts(shell string) (string, bool) {
	switch shell {
	case "bash":
		return bashCompletion, true
	case "zsh":
		return zshCompletion, true
	case "fish":
		return fishCompletion, true
	case "powershell":
		return powershellCompletion, true
	}
	return "", false
}

// bashCompletion hands the line up to the cursor to __complete. readline
// replaces only the text after the last ':' or '=' of the word when they
// are in COMP_WORDBREAKS (COMP_WORDS[COMP_CWORD] is then ":" or "=" itself
// at the end of a line, so it cannot say); candidates are whole words, so
// the word up to that break is taken off them.
const bashCompletion = `# bash completion for aignostics (aignostics completion bash)
_aignostics() {
    local line="${COMP_LINE:0:COMP_POINT}"
    local word="${line##*[[:space:]]}"
    local breaks="" strip=""
    [[ "$COMP_WORDBREAKS" == *=* ]] && breaks+="="
    [[ "$COMP_WORDBREAKS" == *:* ]] && breaks+=":"
    if [[ -n "$breaks" ]]; then
        local tail="${word##*[$breaks]}"
        strip="${word%"$tail"}"
    fi
    local IFS=$'\n'
    local out
    out=$("${COMP_WORDS[0]}" __complete --line "$line" 2>/dev/null) || return 0
    COMPREPLY=()
    if [[ -z "$out" ]]; then
        compopt -o default 2>/dev/null
        return 0
    fi
    local c
    for c in $out; do
        c="${c%%$'\t'*}"
        COMPREPLY+=("${c#"$strip"}")
    done
    if [[ ${#COMPREPLY[@]} -eq 1 && "${COMPREPLY[0]}" == *= ]]; then
        compopt -o nospace 2>/dev/null
    fi
    return 0
}
complete -F _aignostics aignostics
`

const zshCompletion = `#compdef aignostics
# zsh completion for aignostics (aignostics completion zsh)
_aignostics() {
    local line="${(j: :)words[1,CURRENT]}"
    local -a out sp spd nsp nspd
    out=("${(@f)$(${words[1]} __complete --line "$line" 2>/dev/null)}")
    if (( ${#out} == 0 )) || [[ -z "${out[1]}" ]]; then
        _files
        return
    fi
    local l v d
    for l in "${out[@]}"; do
        v="${l%%$'\t'*}"
        d="$v"
        [[ "$l" == *$'\t'* ]] && d="$v -- ${l#*$'\t'}"
        if [[ "$v" == *= ]]; then nsp+=("$v"); nspd+=("$d"); else sp+=("$v"); spd+=("$d"); fi
    done
    (( ${#sp} )) && compadd -Q -d spd -- "${sp[@]}"
    (( ${#nsp} )) && compadd -Q -S '' -d nspd -- "${nsp[@]}"
}
compdef _aignostics aignostics
`

const fishCompletion = `# fish completion for aignostics (aignostics completion fish)
function __aignostics_complete
    set -l out (aignostics __complete --line (commandline -cp) 2>/dev/null)
    if test (count $out) -eq 0
        __fish_complete_path (commandline -ct)
    else
        printf '%s\n' $out
    end
end
complete -c aignostics -f -a '(__aignostics_complete)'
`

const powershellCompletion = `# PowerShell completion for aignostics (aignostics completion powershell)
Register-ArgumentCompleter -Native -CommandName aignostics -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $text = $commandAst.ToString()
    $len = [Math]::Min($cursorPosition - $commandAst.Extent.StartOffset, $text.Length)
    $line = $text.Substring(0, $len)
    if ($wordToComplete -eq '' -and -not $line.EndsWith(' ')) { $line += ' ' }
    & aignostics __complete --line $line 2>$null | ForEach-Object {
        $parts = $_ -split "` + "`t" + `", 2
        $desc = if ($parts.Count -gt 1 -and $parts[1]) { $parts[1] } else { $parts[0] }
        [System.Management.Automation.CompletionResult]::new($parts[0], $parts[0], 'ParameterValue', $desc)
    }
}
`
