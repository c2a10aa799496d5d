package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/aignostics/aignostics/resources"
)

// RunsUpdateMetadataCmd replaces a run's custom metadata.
type RunsUpdateMetadataCmd struct {
	RunID string `arg:"" name:"RUN" help:"Run id, a unique prefix of 8+ characters, or latest."`
	JSON  string `arg:"" name:"JSON" help:"The new custom metadata, a JSON object."`
}

// Run reads the current checksum and sends the update conditional on it; a
// concurrent change (412) is a conflict (exit 2).
func (c *RunsUpdateMetadataCmd) Run(ctx context.Context, f *Factory) error {
	md, err := parseObject("custom metadata", c.JSON)
	if err != nil {
		return err
	}
	cl, err := f.Client()
	if err != nil {
		return err
	}
	run := cl.Run(c.RunID)
	d, err := run.Details(ctx)
	if err != nil {
		return err
	}
	sum, err := run.UpdateCustomMetadata(ctx, md, d.CustomMetadataChecksum)
	if err != nil {
		if errors.Is(err, resources.ErrStaleChecksum) {
			return cliError(KindConflict, fmt.Errorf("run %s: its custom metadata changed while updating; read it again and retry (%w)", c.RunID, err))
		}
		return err
	}
	return f.Output().Value(fmt.Sprintf("Custom metadata of run %s updated.", c.RunID),
		map[string]any{"run_id": c.RunID, "custom_metadata_checksum": sum})
}
