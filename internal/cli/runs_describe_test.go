package cli

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aignostics/aignostics/resources"
)

// An item list that fails leaves valid JSON on stdout, or nothing when no item
// came, like an aborted list: never a half-written object.
func TestWriteRunWithItemsCutShort(t *testing.T) {
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
			var m struct {
				RunID string            `json:"run_id"`
				Items []json.RawMessage `json:"items"`
			}
			if err := json.Unmarshal([]byte(b.String()), &m); err != nil || m.RunID != "r" || len(m.Items) != 2 {
				t.Errorf("%s indent %v: output after a late error is not the run with 2 items (%v):\n%s", format, indent, err, b.String())
			}
		}
	}
}
