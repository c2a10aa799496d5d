package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/aignostics/aignostics/resources"
)

// maxMetadataBytes bounds a custom metadata document read from a file or
// stdin.
const maxMetadataBytes = 16 << 20

// RunsUpdateMetadataCmd replaces a run's custom metadata.
type RunsUpdateMetadataCmd struct {
	RunID      string  `arg:"" name:"RUN" help:"Run id, a unique prefix of 8+ characters, or latest."`
	JSON       string  `arg:"" name:"JSON" help:"The new custom metadata: a JSON object, @FILE to read it from a file, or - for stdin."`
	IfChecksum *string `name:"if-checksum" help:"Update only if the current custom_metadata_checksum is this (else exit 2); default: the checksum read just before the update." placeholder:"SUM"`
}

// Help says more than the one-line summary.
func (c *RunsUpdateMetadataCmd) Help() string {
	return metadataHelp
}

const metadataHelp = `The metadata replaces the old one whole. It is sent conditional on a checksum
(the API's precondition): --if-checksum SUM, or the checksum read just before
the update. When the metadata changed meanwhile the API answers 412: exit 2,
naming the current checksum.
`

// Run sends the update conditional on the given or current checksum; a
// concurrent change (412) is a conflict (exit 2) naming the current checksum.
func (c *RunsUpdateMetadataCmd) Run(ctx context.Context, f *Factory) error {
	md, err := readMetadataArg(f, c.JSON)
	if err != nil {
		return err
	}
	cl, err := f.Client()
	if err != nil {
		return err
	}
	run := cl.Run(c.RunID)
	sum := c.IfChecksum
	if sum == nil {
		d, err := run.Details(ctx)
		if err != nil {
			return err
		}
		sum = d.CustomMetadataChecksum
	}
	newSum, err := run.UpdateCustomMetadata(ctx, md, sum)
	if err != nil {
		if errors.Is(err, resources.ErrStaleChecksum) {
			current := "unknown"
			if d, derr := run.Details(ctx); derr == nil {
				current = checksumText(d.CustomMetadataChecksum)
			}
			return cliError(KindConflict, fmt.Errorf("run %s: its custom metadata changed (current checksum %s, expected %s); read it again and retry, or %s (%w)",
				c.RunID, current, checksumText(sum), overwriteHint(current), err))
		}
		return err
	}
	return f.Output().Value(fmt.Sprintf("Custom metadata of run %s updated.", c.RunID),
		map[string]any{"run_id": c.RunID, "custom_metadata_checksum": newSum})
}

// RunsUpdateItemMetadataCmd replaces one item's custom metadata.
type RunsUpdateItemMetadataCmd struct {
	RunID      string  `arg:"" name:"RUN" help:"Run id, a unique prefix of 8+ characters, or latest."`
	ExternalID string  `arg:"" name:"EXTERNAL_ID" help:"The item's external id."`
	JSON       string  `arg:"" name:"JSON" help:"The new custom metadata: a JSON object, @FILE to read it from a file, or - for stdin."`
	IfChecksum *string `name:"if-checksum" help:"Update only if the item's current custom_metadata_checksum is this (else exit 2); default: the checksum read just before the update." placeholder:"SUM"`
}

// Help says more than the one-line summary.
func (c *RunsUpdateItemMetadataCmd) Help() string {
	return metadataHelp
}

// Run sends the item's update like RunsUpdateMetadataCmd.
func (c *RunsUpdateItemMetadataCmd) Run(ctx context.Context, f *Factory) error {
	md, err := readMetadataArg(f, c.JSON)
	if err != nil {
		return err
	}
	cl, err := f.Client()
	if err != nil {
		return err
	}
	run := cl.Run(c.RunID)
	sum := c.IfChecksum
	if sum == nil {
		it, err := run.Item(ctx, c.ExternalID)
		if err != nil {
			return err
		}
		sum = it.CustomMetadataChecksum
	}
	newSum, err := run.UpdateItemCustomMetadata(ctx, c.ExternalID, md, sum)
	if err != nil {
		if errors.Is(err, resources.ErrStaleChecksum) {
			current := "unknown"
			if it, ierr := run.Item(ctx, c.ExternalID); ierr == nil {
				current = checksumText(it.CustomMetadataChecksum)
			}
			return cliError(KindConflict, fmt.Errorf("item %q of run %s: its custom metadata changed (current checksum %s, expected %s); read it again and retry, or %s (%w)",
				c.ExternalID, c.RunID, current, checksumText(sum), overwriteHint(current), err))
		}
		return err
	}
	return f.Output().Value(fmt.Sprintf("Custom metadata of item %q of run %s updated.", c.ExternalID, c.RunID),
		map[string]any{"run_id": c.RunID, "external_id": c.ExternalID, "custom_metadata_checksum": newSum})
}

// overwriteHint says how to overwrite metadata whose current checksum is
// current (as checksumText gives it): --if-checksum with it, or, when there
// is none (or it could not be read), no --if-checksum at all (the checksum
// read just before the update is sent; "none" would be sent as a checksum).
func overwriteHint(current string) string {
	if current == "none" || current == "unknown" {
		return "run it again without --if-checksum to overwrite it"
	}
	return "pass --if-checksum " + current + " to overwrite it"
}

func checksumText(p *string) string {
	if p == nil || *p == "" {
		return "none"
	}
	return *p
}

// readMetadataArg reads a JSON object given as the argument itself, as
// @FILE, or as - (stdin), at most maxMetadataBytes.
func readMetadataArg(f *Factory, arg string) (map[string]any, error) {
	var r io.Reader
	what := "custom metadata"
	switch {
	case arg == "-":
		r, what = f.IO.In, "custom metadata from stdin"
	case strings.HasPrefix(arg, "@"):
		name := arg[1:]
		file, err := os.Open(name)
		if err != nil {
			return nil, cliError(KindInvalid, fmt.Errorf("custom metadata: %w", err))
		}
		defer file.Close()
		r, what = file, "custom metadata in "+name
	default:
		return parseObject(what, arg)
	}
	b, err := io.ReadAll(io.LimitReader(r, maxMetadataBytes+1))
	if err != nil {
		return nil, cliError(KindInvalid, fmt.Errorf("%s: %w", what, err))
	}
	if len(b) > maxMetadataBytes {
		return nil, cliErrorf(KindInvalid, "%s: larger than %d MiB", what, maxMetadataBytes>>20)
	}
	return parseObject(what, string(b))
}
