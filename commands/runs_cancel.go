package commands

import (
	"errors"
	"fmt"

	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/resources"
)

// RunsCancelCmd cancels a run.
type RunsCancelCmd struct {
	RunID string `arg:"" name:"RUN" help:"Run id."`
}

// Run asks for the cancellation (202); a terminated run is a conflict (exit 2).
func (c *RunsCancelCmd) Run(g *Globals) error {
	cl, err := apiClient(g)
	if err != nil {
		return err
	}
	if err := cl.Run(c.RunID).Cancel(g.Context()); err != nil {
		if errors.Is(err, httpx.ErrConflict) {
			return Exit(2, KindConflict, fmt.Errorf("run %s has already terminated; there is nothing to cancel (%w)", c.RunID, err))
		}
		return err
	}
	return g.Out().Value(fmt.Sprintf("Cancellation of run %s requested; unfinished items end as CANCELED_BY_USER.", c.RunID),
		map[string]string{"run_id": c.RunID, "status": "cancel_requested"})
}

// RunsUpdateMetadataCmd replaces a run's custom metadata.
type RunsUpdateMetadataCmd struct {
	RunID string `arg:"" name:"RUN" help:"Run id."`
	JSON  string `arg:"" name:"JSON" help:"The new custom metadata, a JSON object."`
}

// Run reads the current checksum and sends the update conditional on it; a
// concurrent change (412) is a conflict (exit 2).
func (c *RunsUpdateMetadataCmd) Run(g *Globals) error {
	md, err := parseObject("custom metadata", c.JSON)
	if err != nil {
		return err
	}
	cl, err := apiClient(g)
	if err != nil {
		return err
	}
	run := cl.Run(c.RunID)
	d, err := run.Details(g.Context())
	if err != nil {
		return err
	}
	sum, err := run.UpdateCustomMetadata(g.Context(), md, d.CustomMetadataChecksum)
	if err != nil {
		if errors.Is(err, resources.ErrStaleChecksum) {
			return Exit(2, KindConflict, fmt.Errorf("run %s: its custom metadata changed while updating; read it again and retry (%w)", c.RunID, err))
		}
		return err
	}
	return g.Out().Value(fmt.Sprintf("Custom metadata of run %s updated.", c.RunID),
		map[string]any{"run_id": c.RunID, "custom_metadata_checksum": sum})
}

// RunsDeleteArtifactsCmd deletes the output artifacts of a terminated run.
type RunsDeleteArtifactsCmd struct {
	RunID string `arg:"" name:"RUN" help:"Run id."`
}

// Run refuses before sending when the run has not terminated.
func (c *RunsDeleteArtifactsCmd) Run(g *Globals) error {
	cl, err := apiClient(g)
	if err != nil {
		return err
	}
	if err := cl.Run(c.RunID).DeleteArtifacts(g.Context()); err != nil {
		if errors.Is(err, resources.ErrNotTerminated) {
			return Exit(2, KindInvalid, fmt.Errorf("%w; cancel it or wait for it to end first", err))
		}
		return err
	}
	return g.Out().Value(fmt.Sprintf("Output artifacts of run %s deleted.", c.RunID),
		map[string]string{"run_id": c.RunID, "status": "artifacts_deleted"})
}
