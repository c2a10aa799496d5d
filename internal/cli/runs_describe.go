package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"iter"

	"github.com/aignostics/aignostics/resources"
)

// RunsDescribeCmd shows one run.
type RunsDescribeCmd struct {
	RunID     string `arg:"" name:"RUN" help:"Run id, a unique prefix of 8+ characters, or latest."`
	WithItems bool   `name:"with-items" help:"Add the run's items with their custom metadata (as \"items\" in JSON)."`
}

// Run prints the run; with --with-items its items follow, streamed page by
// page: as "items" inside the JSON object, or as a table after the fields.
func (c *RunsDescribeCmd) Run(ctx context.Context, f *Factory) error {
	cl, err := f.ReadClient()
	if err != nil {
		return err
	}
	run := cl.Run(c.RunID)
	d, err := run.Details(ctx)
	if err != nil {
		return err
	}
	o := f.Output()
	if !c.WithItems {
		return o.Object(d, runFields(d))
	}
	items := run.Items(ctx, resources.ItemListOptions{})
	if o.Format() != FormatText {
		return writeRunWithItems(o, d, items)
	}
	if err := o.Object(d, runFields(d)); err != nil {
		return err
	}
	fmt.Fprintln(o.Writer())
	l := o.List(append(append([]string{}, itemHeaders...), "CUSTOM_METADATA", "METADATA_CHECKSUM")...)
	for it, err := range items {
		if err != nil {
			l.Abort()
			return err
		}
		it = maskItem(it) // the text row shows the metadata too: no signature of ours in it
		if err := l.Add(it, append(itemRow(it), jsonText(it.CustomMetadata), str(it.CustomMetadataChecksum))...); err != nil {
			return err
		}
	}
	return l.Close()
}

// writeRunWithItems writes the run as one JSON object with an "items" array
// appended, item by item as the pages arrive (one line in jsonl). Like an
// aborted list, an error before the first item leaves stdout empty, and one
// after it leaves the object open (a newline, no "]}"), so that a parser
// notices that the document is incomplete.
func writeRunWithItems(o *Output, d resources.RunReadResponse, items iter.Seq2[resources.ItemResultReadResponse, error]) error {
	indent := o.indent && o.Format() == FormatJSON
	head, err := marshal(d, indent)
	if err != nil {
		return err
	}
	head = bytes.TrimRight(bytes.TrimSuffix(bytes.TrimRight(head, " \n"), []byte("}")), " \n")
	w := o.Writer()
	open, first, sep, end, empty := `,"items":[`, "", ",", "]}\n", "]}\n"
	if indent {
		open, first, sep, end, empty = `,`+"\n"+`  "items": [`, "\n", ",\n", "\n  ]\n}\n", "]\n}\n"
	}
	n := 0
	for it, err := range items {
		if err != nil {
			if n > 0 {
				_, _ = io.WriteString(w, "\n")
			}
			return err
		}
		if n == 0 {
			if _, err := w.Write(append(head, open...)); err != nil {
				return err
			}
		}
		b, err := marshal(maskItem(it), indent)
		if err != nil {
			return err
		}
		if indent {
			b = append([]byte("    "), bytes.ReplaceAll(b, []byte("\n"), []byte("\n    "))...)
		}
		prefix := sep
		if n == 0 {
			prefix = first
		}
		if _, err := io.WriteString(w, prefix+string(b)); err != nil {
			return err
		}
		n++
	}
	if n == 0 {
		if _, err := w.Write(append(head, open...)); err != nil {
			return err
		}
		end = empty
	}
	_, err = io.WriteString(w, end)
	return err
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
