package cli

import (
	"slices"
	"strings"
	"testing"
)

// TestModelFor: the model of a run holds the command group its first word
// names, nothing for a bare --version, and the whole tree otherwise. The
// help golden files (written from the whole tree) pin that a pruned model
// prints the same pages.
func TestModelFor(t *testing.T) {
	t.Parallel()
	all := commandFields()
	if len(all) < 8 {
		t.Fatalf("commandFields found %d command groups", len(all))
	}
	for _, c := range []struct {
		args string
		want string // names kept, comma separated; "*" = all
	}{
		{"runs list", "runs"},
		{"-o json --api-root http://x runs describe R", "runs"},
		{"--output=json slides scan .", "slides"},
		{"--version", ""},
		{"--version --help", "*"},
		{"", "*"},
		{"--help", "*"},
		{"help runs", "*"},
		{"rnus", "*"},
		{"--bogus runs", "*"},
		{"completion bash", "*"},
		{"__complete runs de", "*"},
		{"run list", "runs"}, // aliasCommands rewrites it before modelFor
	} {
		keep := modelFor(aliasCommands(strings.Fields(c.args)))
		var got []string
		for _, f := range all {
			if keep == nil || keep(f) {
				got = append(got, f.name)
			}
		}
		want := strings.Split(c.want, ",")
		switch c.want {
		case "*":
			want = nil
			for _, f := range all {
				want = append(want, f.name)
			}
		case "":
			want = nil
		}
		if !slices.Equal(got, want) {
			t.Errorf("modelFor(%q) keeps %v, want %v", c.args, got, want)
		}
	}
	if got := builtinCommands(); !slices.Contains(got, "runs") || !slices.Contains(got, "help") {
		t.Errorf("builtinCommands() = %v", got)
	}
}
