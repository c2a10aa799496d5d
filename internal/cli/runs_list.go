package cli

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aignostics/aignostics/resources"
	"github.com/alecthomas/kong"
)

// RunsListCmd lists runs, streaming page by page.
type RunsListCmd struct {
	RunFilterFlags  `embed:""`
	ExternalID      string    `name:"external-id" help:"Only runs with an item of this external id." placeholder:"ID"`
	CustomMetadata  string    `name:"custom-metadata" help:"Only runs whose custom metadata matches this PostgreSQL JSONPath, e.g. '$.study ? (@ == \"abc\")'." placeholder:"JSONPATH"`
	Sort            []sortKey `name:"sort" help:"Sort key, repeatable; prefix - for descending (--sort -terminated_at). Default -submitted_at." placeholder:"FIELD"`
	NoteRegex       string    `name:"note-regex" help:"Only runs whose note (custom_metadata.sdk.note) matches this regular expression, case-insensitively." placeholder:"RE"`
	State           []string  `name:"state" sep:"," help:"Only runs in these states: PENDING, PROCESSING, TERMINATED (comma separated)." placeholder:"STATE"`
	ForOrganization string    `name:"for-organization" help:"Admins: every run of this organization, not only yours." placeholder:"ORG"`
	Since           string    `name:"since" help:"Only runs submitted since then: a duration back from now (24h, 7d) or a date-time with a zone or a date (2026-03-01)." placeholder:"WHEN"`
	PageSize        int       `name:"page-size" help:"Runs fetched per request, 5 to 100." default:"100"`
	Limit           *int      `name:"limit" help:"Stop after this many runs (0: all). Default: 50 on a terminal, else all." placeholder:"N"`
}

// defaultTerminalLimit is how many runs a person at a terminal sees unless
// they ask for more.
const defaultTerminalLimit = 50

// Run streams the runs.
func (c *RunsListCmd) Run(ctx context.Context, f *Factory) error {
	if c.PageSize < 5 || c.PageSize > 100 {
		return cliErrorf(KindUsage, "--page-size %d: must be between 5 and 100", c.PageSize)
	}
	limit, defaulted := 0, false
	if c.Limit != nil {
		limit = *c.Limit
	} else if f.IO.IsStdoutTTY() && f.Output().Format() == FormatText {
		limit, defaulted = defaultTerminalLimit, true
	}
	if limit < 0 {
		return cliErrorf(KindUsage, "--limit %d: must not be negative", limit)
	}
	o, err := c.options()
	if err != nil {
		return err
	}
	o.ExternalID, o.CustomMetadata, o.Sort, o.PageSize = c.ExternalID, c.CustomMetadata, sortKeys(c.Sort), c.PageSize
	o.ForOrganization = c.ForOrganization
	if c.NoteRegex != "" {
		if _, err := regexp.Compile(c.NoteRegex); err != nil {
			return cliErrorf(KindUsage, "--note-regex %q: %v", c.NoteRegex, err)
		}
		o.NoteRegex = c.NoteRegex
	}
	states := map[resources.RunState]bool{}
	for _, st := range c.State {
		s := resources.RunState(strings.ToUpper(strings.TrimSpace(st)))
		if s != resources.RunPending && s != resources.RunProcessing && s != resources.RunTerminated {
			return cliErrorf(KindUsage, "--state %q: must be PENDING, PROCESSING or TERMINATED", st)
		}
		states[s] = true
	}
	var since time.Time
	if c.Since != "" {
		if since, err = parseSince(c.Since, f.Now()); err != nil {
			return cliErrorf(KindUsage, "--since %q: %v", c.Since, err)
		}
	}
	// Newest first (the default sort): the first run older than --since ends the list.
	newestFirst := len(o.Sort) == 0 || (len(o.Sort) == 1 && o.Sort[0] == resources.DefaultRunSort)
	cl, err := f.Client()
	if err != nil {
		return err
	}
	if limit > 0 && limit < o.PageSize && len(states) == 0 && since.IsZero() && o.NoteRegex == "" && len(o.Tags) == 0 {
		o.PageSize = max(limit, 5) // fetch no more than needed
		if defaulted {
			o.PageSize = min(limit+1, 100) // and the one that says there are more
		}
	}
	l := f.Output().List("RUN_ID", "APPLICATION", "VERSION", "STATE", "ITEMS", "TERMINATION", "SUBMITTED_AT")
	n, more := 0, false
	for r, err := range cl.Runs().ListData(ctx, o) {
		if err != nil {
			l.Abort()
			return err
		}
		if !since.IsZero() && r.SubmittedAt.Before(since) {
			if newestFirst {
				break
			}
			continue
		}
		if len(states) > 0 && !states[r.State] {
			continue
		}
		if limit > 0 && n >= limit {
			more = true
			break
		}
		st := r.Statistics
		items := fmt.Sprintf("%d/%d ok", st.ItemSucceededCount, st.ItemCount)
		if err := l.Add(r, r.RunID, r.ApplicationID, r.VersionNumber, string(r.State), items, enumStr(r.TerminationReason), ts(r.SubmittedAt)); err != nil {
			return err
		}
		n++
		if limit > 0 && n >= limit && !defaulted {
			break
		}
	}
	if err := l.Close(); err != nil {
		return err
	}
	if more && defaulted {
		f.Output().Notef("showing the newest %d runs; --limit 0 shows all, --limit N more", limit)
	}
	return nil
}

// parseSince reads --since: a duration back from now (90m, 24h, 7d), a
// date-time with a zone, or a date (midnight UTC).
func parseSince(s string, now time.Time) (time.Time, error) {
	if d, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(d); err == nil && n >= 0 && n <= 100000 {
			return now.Add(-time.Duration(n) * 24 * time.Hour), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	if t, err := resources.ParseISO8601(s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("not a duration (24h, 7d), a date (2026-03-01) or a date-time with a zone")
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
