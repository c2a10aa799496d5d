package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/aignostics/aignostics/resources"
)

// RunsDeleteArtifactsCmd deletes the output artifacts of a terminated run.
type RunsDeleteArtifactsCmd struct {
	RunID string `arg:"" name:"RUN" help:"Run id."`
}

// Run refuses before sending when the run has not terminated.
func (c *RunsDeleteArtifactsCmd) Run(ctx context.Context, f *Factory) error {
	cl, err := f.Client()
	if err != nil {
		return err
	}
	if err := cl.Run(c.RunID).DeleteArtifacts(ctx); err != nil {
		if errors.Is(err, resources.ErrNotTerminated) {
			return cliError(KindInvalid, fmt.Errorf("%w; cancel it or wait for it to end first", err))
		}
		return err
	}
	return f.Output().Value(fmt.Sprintf("Output artifacts of run %s deleted.", c.RunID),
		map[string]string{"run_id": c.RunID, "status": "artifacts_deleted"})
}
