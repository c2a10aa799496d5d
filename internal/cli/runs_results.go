package cli

import "context"

// RunsResultsCmd lists the output artifacts of a run's items.
type RunsResultsCmd struct {
	RunID      string   `arg:"" name:"RUN" help:"Run id, a unique prefix of 8+ characters, or latest."`
	ItemID     []string `name:"item-id" help:"Only this item (repeatable)." placeholder:"ID"`
	ExternalID []string `name:"external-id" help:"Only the item with this external id (repeatable)." placeholder:"ID"`
}

// Run streams ItemResultReadResponse objects; in text, one row per output artifact.
func (c *RunsResultsCmd) Run(ctx context.Context, f *Factory) error {
	cl, err := f.ReadClient()
	if err != nil {
		return err
	}
	text := f.Output().Format() == FormatText
	l := f.Output().List("EXTERNAL_ID", "ARTIFACT", "STATE", "OUTPUT", "MEDIA_TYPE", "ARTIFACT_ID", "ERROR")
	for it, err := range cl.Run(c.RunID).Results(ctx, c.ItemID, c.ExternalID) {
		if err != nil {
			l.Abort()
			return err
		}
		if !text {
			if err := l.Add(maskItem(it)); err != nil {
				return err
			}
			continue
		}
		for _, a := range it.OutputArtifacts {
			media, _ := a.Metadata["media_type"].(string)
			errText := str(a.ErrorCode)
			if m := str(a.ErrorMessage); m != "" {
				errText = joinNonEmpty(": ", errText, m)
			}
			if err := l.Add(maskItem(it), it.ExternalID, a.Name, string(a.State), string(a.Output), media, a.OutputArtifactID, errText); err != nil {
				return err
			}
		}
	}
	return l.Close()
}

func joinNonEmpty(sep string, parts ...string) string {
	out := ""
	for _, p := range parts {
		if p == "" {
			continue
		}
		if out != "" {
			out += sep
		}
		out += p
	}
	return out
}
