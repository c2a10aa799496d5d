package commands

import (
	"fmt"

	"github.com/aignostics/aignostics/resources"
)

// RunsDescribeCmd shows one run.
type RunsDescribeCmd struct {
	RunID     string `arg:"" name:"RUN" help:"Run id."`
	WithItems bool   `name:"with-items" help:"Add the run's items (as \"items\" in JSON)."`
}

// runWithItems is a run with its items, as `runs describe --with-items` prints it.
type runWithItems struct {
	resources.RunReadResponse
	Items []resources.ItemResultReadResponse `json:"items"`
}

// Run prints the run (and its items).
func (c *RunsDescribeCmd) Run(g *Globals) error {
	cl, err := apiClient(g)
	if err != nil {
		return err
	}
	run := cl.Run(c.RunID)
	d, err := run.Details(g.Context())
	if err != nil {
		return err
	}
	fields := runFields(d)
	if !c.WithItems {
		return g.Out().Object(d, fields)
	}
	out := runWithItems{RunReadResponse: d, Items: []resources.ItemResultReadResponse{}}
	for it, err := range run.Items(g.Context(), resources.ItemListOptions{}) {
		if err != nil {
			return err
		}
		out.Items = append(out.Items, it)
	}
	if err := g.Out().Object(out, fields); err != nil {
		return err
	}
	if g.Out().Format() != FormatText {
		return nil
	}
	fmt.Fprintln(g.Stdout())
	l := g.Out().List(itemHeaders...)
	for _, it := range out.Items {
		if err := l.Add(it, itemRow(it)...); err != nil {
			return err
		}
	}
	return l.Close()
}

func runFields(d resources.RunReadResponse) []Field {
	st := d.Statistics
	return []Field{
		{"run_id", d.RunID},
		{"application_id", d.ApplicationID},
		{"version_number", d.VersionNumber},
		{"state", string(d.State)},
		{"output", string(d.Output)},
		{"termination_reason", enumStr(d.TerminationReason)},
		{"error_code", str(d.ErrorCode)},
		{"error_message", str(d.ErrorMessage)},
		{"items", fmt.Sprintf("%d total, %d pending, %d processing, %d succeeded, %d user error, %d system error, %d skipped",
			st.ItemCount, st.ItemPendingCount, st.ItemProcessingCount, st.ItemSucceededCount,
			st.ItemUserErrorCount, st.ItemSystemErrorCount, st.ItemSkippedCount)},
		{"submitted_at", ts(d.SubmittedAt)},
		{"submitted_by", d.SubmittedBy},
		{"terminated_at", tsp(d.TerminatedAt)},
		{"queue_position_org", intp(d.NumPrecedingItemsOrg)},
		{"custom_metadata", jsonText(d.CustomMetadata)},
		{"custom_metadata_checksum", str(d.CustomMetadataChecksum)},
	}
}

var itemHeaders = []string{"ITEM_ID", "EXTERNAL_ID", "STATE", "TERMINATION", "OUTPUT", "ERROR"}

func itemRow(it resources.ItemResultReadResponse) []string {
	errText := str(it.ErrorCode)
	if m := str(it.ErrorMessage); m != "" {
		if errText != "" {
			errText += ": "
		}
		errText += m
	}
	return []string{it.ItemID, it.ExternalID, string(it.State), enumStr(it.TerminationReason), string(it.Output), errText}
}
