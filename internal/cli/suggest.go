package cli

import (
	"fmt"
	"strings"

	"github.com/aignostics/aignostics/plugins"
)

// suggestPlugin adds a plugin on PATH to kong's "unexpected argument WORD"
// when WORD (the first word after the global flags) is close to a plugin's
// name and kong found no closer built-in command.
func suggestPlugin(f *Factory, args []string, builtins []string, msg string) string {
	c, ok := parsePluginCall(args)
	if !ok || !strings.HasPrefix(msg, "unexpected argument "+c.name) {
		return msg
	}
	pathEnv, _ := f.Getenv("PATH")
	best, bestD := "", len(c.name)/3+2 // at most about a third of the word wrong
	for _, p := range plugins.List(pathEnv, builtins) {
		if p.Shadowed {
			continue
		}
		if d := editDistance(c.name, p.Name); d < bestD {
			best, bestD = p.Name, d
		}
	}
	if best == "" {
		return msg
	}
	if i := strings.Index(msg, ", did you mean "); i >= 0 {
		// kong names a built-in; keep it when it is at least as close.
		var builtin string
		if _, err := fmt.Sscanf(msg[i:], ", did you mean %q", &builtin); err == nil && editDistance(c.name, builtin) <= bestD {
			return msg
		}
		msg = msg[:i]
	}
	return fmt.Sprintf("%s, did you mean %q (a plugin, %s)?", msg, best, "aignostics-"+best)
}

// editDistance is the Levenshtein distance between two short words.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		return max(len(ra), len(rb))
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
