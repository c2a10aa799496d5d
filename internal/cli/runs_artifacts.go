package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/aignostics/aignostics/resources"
)

// RunsDeleteArtifactsCmd deletes the output artifacts of a terminated run.
type RunsDeleteArtifactsCmd struct {
	RunID string `arg:"" name:"RUN" help:"Run id, a unique prefix of 8+ characters, or latest."`
	Yes   bool   `name:"yes" short:"y" help:"Do not ask; delete at once (without a terminal nobody is asked anyway)."`
}

// Run asks on a terminal unless --yes, and refuses before sending when the
// run has not terminated.
func (c *RunsDeleteArtifactsCmd) Run(ctx context.Context, f *Factory) error {
	cl, err := f.Client()
	if err != nil {
		return err
	}
	ok, err := confirm(ctx, f, c.Yes, fmt.Sprintf("Delete every output artifact of run %s? They cannot be downloaded again.", c.RunID))
	if err != nil {
		return err
	}
	if !ok {
		return cliErrorf(KindFailed, "not confirmed: nothing deleted")
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
