package cli

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aignostics/aignostics/resources"
)

// An item list that fails leaves nothing on stdout when no item came, and
// otherwise what arrived in a document left open, like an aborted list: a
// parser must notice that the list was cut short (issue 17).
func TestWriteRunWithItemsCutShort(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	failAfter := func(n int) func(yield func(resources.ItemResultReadResponse, error) bool) {
		return func(yield func(resources.ItemResultReadResponse, error) bool) {
			for i := range n {
				if !yield(resources.ItemResultReadResponse{ItemID: "i", ExternalID: strings.Repeat("x", i+1)}, nil) {
					return
				}
			}
			yield(resources.ItemResultReadResponse{}, boom)
		}
	}
	for _, format := range []string{FormatJSON, FormatJSONL} {
		for _, indent := range []bool{false, true} {
			var b strings.Builder
			o := &Output{w: &b, format: format, indent: indent}
			if err := writeRunWithItems(o, resources.RunReadResponse{RunID: "r"}, failAfter(0)); !errors.Is(err, boom) {
				t.Fatalf("%s indent %v: error %v, want boom", format, indent, err)
			}
			if b.Len() != 0 {
				t.Errorf("%s indent %v: an error before the first item printed %q", format, indent, b.String())
			}

			b.Reset()
			if err := writeRunWithItems(o, resources.RunReadResponse{RunID: "r"}, failAfter(2)); !errors.Is(err, boom) {
				t.Fatalf("%s indent %v: error %v, want boom", format, indent, err)
			}
			var m any
			if err := json.Unmarshal([]byte(b.String()), &m); err == nil {
				t.Errorf("%s indent %v: output after a late error parses as a complete document:\n%s", format, indent, b.String())
			}
			// It is the document that was cut: closing it makes it whole.
			var whole struct {
				RunID string            `json:"run_id"`
				Items []json.RawMessage `json:"items"`
			}
			if err := json.Unmarshal([]byte(b.String()+"]}"), &whole); err != nil || whole.RunID != "r" || len(whole.Items) != 2 {
				t.Errorf("%s indent %v: output after a late error is not the start of the run with 2 items (%v):\n%s", format, indent, err, b.String())
			}
		}
	}
}
