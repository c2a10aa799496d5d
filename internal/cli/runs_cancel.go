package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/aignostics/aignostics/httpx"
)

// RunsCancelCmd cancels a run.
type RunsCancelCmd struct {
	RunID string `arg:"" name:"RUN" help:"Run id."`
}

// Run asks for the cancellation (202); a terminated run is a conflict (exit 2).
func (c *RunsCancelCmd) Run(ctx context.Context, f *Factory) error {
	cl, err := f.Client()
	if err != nil {
		return err
	}
	if err := cl.Run(c.RunID).Cancel(ctx); err != nil {
		if errors.Is(err, httpx.ErrConflict) {
			return cliError(KindConflict, fmt.Errorf("run %s has already terminated; there is nothing to cancel (%w)", c.RunID, err))
		}
		return err
	}
	return f.Output().Value(fmt.Sprintf("Cancellation of run %s requested; unfinished items end as CANCELED_BY_USER.", c.RunID),
		map[string]string{"run_id": c.RunID, "status": "cancel_requested"})
}
