package cli

import (
	"errors"
	"fmt"

	"github.com/aignostics/aignostics/resources"
)

// RunsDeleteArtifactsCmd deletes the output artifacts of a terminated run.
type RunsDeleteArtifactsCmd struct {
	RunID string `arg:"" name:"RUN" help:"Run id."`
}

// Run refuses before sending when the run has not terminated.
func (c *RunsDeleteArtifactsCmd) Run(g *Globals) error {
	cl, err := g.Client()
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
