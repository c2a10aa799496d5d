package cli

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/alecthomas/kong"

	"github.com/aignostics/aignostics/resources"
)

// Run references. Wherever a command takes a run (a positional argument
// named RUN), the user may give the full id, "latest" (the newest run they
// submitted), or a unique prefix of the id of at least 8 characters. The
// reference is resolved here, on the client, by listing the user's runs
// newest first, and the resolved id is stated on stderr. A command gets
// this by naming its argument RUN: resolveRunArgs rewrites every such
// argument before the command runs.

// runPrefixMin is the shortest id prefix accepted.
const runPrefixMin = 8

// runPrefixScan bounds how many runs a prefix is looked for among.
const runPrefixScan = 1000

// isRunID reports whether s has the shape of a full run id (a UUID).
func isRunID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := range len(s) {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if s[i] != '-' {
				return false
			}
		} else if !isHex(s[i]) {
			return false
		}
	}
	return true
}

// isIDPrefix reports whether s holds only hexadecimal digits and dashes.
func isIDPrefix(s string) bool {
	for i := range len(s) {
		if s[i] != '-' && !isHex(s[i]) {
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// resolveRunArgs resolves every positional argument named RUN of the
// parsed command line in place.
func resolveRunArgs(ctx context.Context, f *Factory, kctx *kong.Context) error {
	for _, p := range kctx.Path {
		if p.Positional == nil || p.Positional.Name != "RUN" {
			continue
		}
		t := p.Positional.Target
		if t.Kind() != reflect.String || !t.CanSet() || t.String() == "" {
			continue
		}
		id, err := f.ResolveRun(ctx, t.String())
		if err != nil {
			return err
		}
		t.SetString(id)
	}
	return nil
}

// ResolveRun turns a run reference into a run id: a full id as it is,
// "latest" into the id of the newest run the user submitted, a prefix of
// 8+ characters into the one run id among the user's newest runs that
// starts with it. A resolved reference is stated on stderr.
func (f *Factory) ResolveRun(ctx context.Context, ref string) (string, error) {
	ref = strings.TrimSpace(ref)
	if isRunID(ref) {
		return ref, nil
	}
	if s, err := f.Settings(); err == nil && s.ShareToken.Reveal() != "" {
		// latest and prefixes are looked up among your own runs: a login,
		// and another run than the one the token shares.
		return "", cliErrorf(KindUsage, "run %q: with --share-token (or AIGNOSTICS_SHARE_TOKEN) give the full run id the token was made for", ref)
	}
	switch {
	case strings.EqualFold(ref, "latest"):
		return f.latestRun(ctx)
	case len(ref) < runPrefixMin:
		return "", cliErrorf(KindUsage, "run %q: give a run id, a prefix of it of at least %d characters, or latest", ref, runPrefixMin)
	case !isIDPrefix(ref):
		return "", cliErrorf(KindUsage, "run %q: not a run id (hexadecimal digits and dashes) or a prefix of one", ref)
	}
	return f.runByPrefix(ctx, strings.ToLower(ref))
}

func (f *Factory) latestRun(ctx context.Context) (string, error) {
	cl, err := f.Client()
	if err != nil {
		return "", err
	}
	for r, err := range cl.Runs().ListData(ctx, resources.RunListOptions{SubmittedBy: "me", Sort: []string{"-submitted_at"}, PageSize: 5}) {
		if err != nil {
			return "", fmt.Errorf("find your latest run: %w", err)
		}
		f.noteRun("latest", r)
		return r.RunID, nil
	}
	return "", cliErrorf(KindNotFound, "run latest: you have not submitted any run")
}

func (f *Factory) runByPrefix(ctx context.Context, prefix string) (string, error) {
	cl, err := f.Client()
	if err != nil {
		return "", err
	}
	var found []resources.RunReadResponse
	n := 0
	for r, err := range cl.Runs().ListData(ctx, resources.RunListOptions{Sort: []string{"-submitted_at"}}) {
		if err != nil {
			return "", fmt.Errorf("find run %s: %w", prefix, err)
		}
		if strings.HasPrefix(strings.ToLower(r.RunID), prefix) {
			found = append(found, r)
			if len(found) > 1 {
				break
			}
		}
		if n++; n >= runPrefixScan {
			break
		}
	}
	switch len(found) {
	case 0:
		return "", cliErrorf(KindNotFound, "run %s: no run id starts with it among the %d newest runs you can see", prefix, n)
	case 1:
		f.noteRun(prefix, found[0])
		return found[0].RunID, nil
	}
	return "", cliErrorf(KindUsage, "run %s: ambiguous, it starts %s and %s; give more characters", prefix, found[0].RunID, found[1].RunID)
}

// noteRun states on stderr which run a reference stands for.
func (f *Factory) noteRun(ref string, r resources.RunReadResponse) {
	// Short enough for one line at 80 columns.
	fmt.Fprintf(f.IO.ErrOut, "%s = run %s (%s:%s, %s)\n", ref, r.RunID, r.ApplicationID, r.VersionNumber, timeAgo(f.Clock.Now(), r.SubmittedAt))
}
