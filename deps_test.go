package main

import (
	"bufio"
	"bytes"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// module is this module's path; rules name packages relative to it.
const module = "github.com/aignostics/aignostics"

// importRule is one of DESIGN.md's import rules ("Layout changes"): the
// packages from may never reach (directly or through others), or, with
// onlyInternal, that it reaches no package of this module outside internal/.
type importRule struct {
	from         string   // module-relative package ("." is main)
	never        []string // module-relative packages
	neverStd     []string // standard-library packages
	onlyInternal bool
	optional     bool // the package may not exist yet
}

// importRules are DESIGN.md's rules; "nothing imports internal/cli but main"
// is checked on direct imports by checkImports itself.
func importRules() []importRule {
	return []importRule{
		{from: ".", neverStd: []string{"testing"}}, // the shipped binary
		{from: "emulator", never: []string{"resources", "oauth", "httpx"}},
		{from: "httpx", never: []string{"settings", "oauth"}},
		{from: "wsi", onlyInternal: true},
		{from: "checksum", onlyInternal: true},
		{from: "jwt", onlyInternal: true},
		{from: "gcs", onlyInternal: true},
	}
}

// TestImportRules checks the import rules on the real import graph, from
// `go list -deps` as the standard library's go/build deps test does.
func TestImportRules(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}{{range .Imports}} {{.}}{{end}}", "./...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	graph := parseGraph(out)
	if _, ok := graph[module]; !ok {
		t.Fatalf("go list did not list %s", module)
	}
	for _, msg := range checkImports(graph, importRules()) {
		t.Error(msg)
	}
}

// TestCheckImportsNamesTheOffendingImport runs the checker on a made-up
// graph that breaks every rule, so a rule that can no longer fail is seen.
func TestCheckImportsNamesTheOffendingImport(t *testing.T) {
	graph := map[string][]string{
		module:                      {module + "/internal/cli", module + "/emulator"},
		module + "/internal/cli":    {module + "/emulator"},
		module + "/emulator":        {module + "/gcs", "testing"},
		module + "/gcs":             {module + "/httpx", module + "/internal/semver"},
		module + "/httpx":           {module + "/settings", "net/http"},
		module + "/settings":        nil,
		module + "/resources":       {module + "/internal/cli"},
		module + "/checksum":        {"hash/crc32"},
		module + "/wsi":             {module + "/internal/semver", module + "/checksum"},
		module + "/jwt":             {module + "/internal/semver"},
		module + "/internal/semver": nil,
		"testing":                   nil,
		"net/http":                  nil,
		"hash/crc32":                nil,
	}
	got := checkImports(graph, importRules())
	want := []string{
		"resources imports internal/cli: only main may",
		"the binary (.) must not reach testing; it does through . -> emulator -> testing",
		"emulator must not reach httpx; it does through emulator -> gcs -> httpx",
		"httpx must not reach settings; it does through httpx -> settings",
		"wsi may import no package of this module outside internal/; it reaches checksum through wsi -> checksum",
		"gcs may import no package of this module outside internal/; it reaches httpx through gcs -> httpx",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("violations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// A package a rule names must exist unless the rule says it may not yet.
	delete(graph, module+"/jwt")
	if got := checkImports(graph, importRules()); !slices.Contains(got, "jwt: no such package, so its import rule checks nothing") {
		t.Errorf("a missing package went unnoticed: %q", got)
	}
}

// parseGraph reads `go list -f '{{.ImportPath}}{{range .Imports}} {{.}}{{end}}'`.
func parseGraph(out []byte) map[string][]string {
	graph := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) > 0 {
			graph[f[0]] = f[1:]
		}
	}
	return graph
}

// checkImports returns one message per broken rule, naming the import that
// breaks it and the chain of imports that leads there.
func checkImports(graph map[string][]string, rules []importRule) []string {
	var msgs []string
	cli := module + "/internal/cli"
	for _, p := range sortedKeys(graph) {
		if p != module && slices.Contains(graph[p], cli) {
			msgs = append(msgs, rel(p)+" imports internal/cli: only main may")
		}
	}
	for _, r := range rules {
		from := abs(r.from)
		if _, ok := graph[from]; !ok {
			if !r.optional {
				msgs = append(msgs, r.from+": no such package, so its import rule checks nothing")
			}
			continue
		}
		name := r.from
		if r.from == "." {
			name = "the binary (.)"
		}
		for _, n := range append(slices.Clone(r.never), r.neverStd...) {
			target := n
			if slices.Contains(r.never, n) {
				target = abs(n)
			}
			if path := importPath(graph, from, func(p string) bool { return p == target }); path != nil {
				msgs = append(msgs, name+" must not reach "+n+"; it does through "+chain(path))
			}
		}
		if r.onlyInternal {
			outside := func(p string) bool {
				return p != from && (p == module || strings.HasPrefix(p, module+"/")) && !strings.HasPrefix(p, module+"/internal/")
			}
			if path := importPath(graph, from, outside); path != nil {
				msgs = append(msgs, name+" may import no package of this module outside internal/; it reaches "+rel(path[len(path)-1])+" through "+chain(path))
			}
		}
	}
	return msgs
}

// importPath is the shortest chain of imports from from to a package for
// which bad is true, or nil when there is none.
func importPath(graph map[string][]string, from string, bad func(string) bool) []string {
	parent := map[string]string{from: ""}
	queue := []string{from}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, q := range graph[p] {
			if _, seen := parent[q]; seen {
				continue
			}
			parent[q] = p
			if bad(q) {
				var path []string
				for x := q; x != ""; x = parent[x] {
					path = append([]string{x}, path...)
				}
				return path
			}
			queue = append(queue, q)
		}
	}
	return nil
}

func chain(path []string) string {
	names := make([]string, len(path))
	for i, p := range path {
		names[i] = rel(p)
	}
	return strings.Join(names, " -> ")
}

// abs and rel convert between module-relative names and import paths.
func abs(p string) string {
	if p == "." {
		return module
	}
	return module + "/" + p
}

func rel(p string) string {
	if p == module {
		return "."
	}
	return strings.TrimPrefix(p, module+"/")
}

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
