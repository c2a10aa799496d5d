package cli

import (
	"context"
	"github.com/aignostics/aignostics/resources"
)

// RunsItemsCmd lists the items of a run.
type RunsItemsCmd struct {
	RunID             string `arg:"" name:"RUN" help:"Run id, a unique prefix of 8+ characters, or latest."`
	State             string `name:"state" help:"Only items in this state: PENDING, PROCESSING or TERMINATED." placeholder:"S"`
	TerminationReason string `name:"termination-reason" help:"Only items that ended so: SUCCEEDED, USER_ERROR, SYSTEM_ERROR or SKIPPED." placeholder:"R"`
}

// Run streams ItemResultReadResponse objects, one table row per item in text.
func (c *RunsItemsCmd) Run(ctx context.Context, f *Factory) error {
	cl, err := f.ReadClient()
	if err != nil {
		return err
	}
	o := resources.ItemListOptions{
		State:             resources.ItemState(c.State),
		TerminationReason: resources.ItemTerminationReason(c.TerminationReason),
	}
	l := f.Output().List(itemHeaders...)
	for it, err := range cl.Run(c.RunID).Items(ctx, o) {
		if err != nil {
			l.Abort()
			return err
		}
		if err := l.Add(maskItem(it), itemRow(it)...); err != nil {
			return err
		}
	}
	return l.Close()
}
