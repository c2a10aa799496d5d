package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/alecthomas/kong"
)

// RunsListCmd lists runs, streaming page by page.
type RunsListCmd struct {
	RunFilterFlags `embed:""`
	ExternalID     string    `name:"external-id" help:"Only runs with an item of this external id." placeholder:"ID"`
	CustomMetadata string    `name:"custom-metadata" help:"Only runs whose custom metadata matches this PostgreSQL JSONPath, e.g. '$.study ? (@ == \"abc\")'." placeholder:"JSONPATH"`
	Sort           []sortKey `name:"sort" help:"Sort key, repeatable; prefix - for descending (--sort -terminated_at). Default -submitted_at." placeholder:"FIELD"`
	PageSize       int       `name:"page-size" help:"Runs fetched per request, 5 to 100." default:"100"`
	Limit          int       `name:"limit" help:"Stop after this many runs (0: all)." default:"0"`
}

// Run streams the runs.
func (c *RunsListCmd) Run(ctx context.Context, f *Factory) error {
	if c.PageSize < 5 || c.PageSize > 100 {
		return cliErrorf(KindUsage, "--page-size %d: must be between 5 and 100", c.PageSize)
	}
	if c.Limit < 0 {
		return cliErrorf(KindUsage, "--limit %d: must not be negative", c.Limit)
	}
	o, err := c.options()
	if err != nil {
		return err
	}
	o.ExternalID, o.CustomMetadata, o.Sort, o.PageSize = c.ExternalID, c.CustomMetadata, sortKeys(c.Sort), c.PageSize
	cl, err := f.Client()
	if err != nil {
		return err
	}
	if c.Limit > 0 && c.Limit < o.PageSize {
		o.PageSize = max(c.Limit, 5) // fetch no more than needed
	}
	l := f.Output().List("RUN_ID", "APPLICATION", "VERSION", "STATE", "ITEMS", "TERMINATION", "SUBMITTED_AT")
	n := 0
	for r, err := range cl.Runs().ListData(ctx, o) {
		if err != nil {
			l.Abort()
			return err
		}
		st := r.Statistics
		items := fmt.Sprintf("%d/%d ok", st.ItemSucceededCount, st.ItemCount)
		if err := l.Add(r, r.RunID, r.ApplicationID, r.VersionNumber, string(r.State), items, enumStr(r.TerminationReason), ts(r.SubmittedAt)); err != nil {
			return err
		}
		n++
		if c.Limit > 0 && n >= c.Limit {
			break
		}
	}
	return l.Close()
}

// sortKey is one --sort value. A descending key starts with '-', which kong
// would take for a flag ("--sort -submitted_at" failed with "expected string
// value"); Decode takes the next word as the key whatever it starts with,
// except another long flag.
type sortKey string

// Decode implements kong.MapperValue.
func (k *sortKey) Decode(ctx *kong.DecodeContext) error {
	t := ctx.Scan.Pop()
	s, ok := t.Value.(string)
	if t.IsEOL() || !ok || s == "" || s == "-" || strings.HasPrefix(s, "--") {
		return fmt.Errorf("expected a sort key such as -submitted_at, got %q", t.String())
	}
	*k = sortKey(s)
	return nil
}

func sortKeys(ks []sortKey) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}
