package resources_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aignostics/aignostics/resources"
)

// Large integers and decimals in custom metadata come back exactly as stored,
// not rounded through float64 (9007199254740993 is 2^53+1).
func TestCustomMetadataNumbersAreExact(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	md := map[string]any{"case": json.Number("9007199254740993"), "big": json.Number("12345678901234567891"), "f": json.Number("0.1")}
	run := e.submit(t, "exact", 1, md)
	want := `{"big":12345678901234567891,"case":9007199254740993,"f":0.1}`

	d, err := run.Details(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := json.Marshal(d.CustomMetadata); string(got) != want {
		t.Errorf("run details custom_metadata = %s, want %s", got, want)
	}
	for r, err := range e.c.Runs().ListData(ctx, resources.RunListOptions{ExternalID: "exact-000"}) {
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := json.Marshal(r.CustomMetadata); string(got) != want {
			t.Errorf("listed run custom_metadata = %s, want %s", got, want)
		}
	}
	if _, err := run.UpdateItemCustomMetadata(ctx, "exact-000", md, nil); err != nil {
		t.Fatal(err)
	}
	it, err := run.Item(ctx, "exact-000")
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := json.Marshal(it.CustomMetadata); string(got) != want {
		t.Errorf("item custom_metadata = %s, want %s", got, want)
	}
}

func TestRunReadResponseUnmarshal(t *testing.T) {
	var d resources.RunReadResponse
	in := `{"run_id":"r","state":"TERMINATED","custom_metadata":{"n":18446744073709551617,"s":"x"},"statistics":{"item_count":2}}`
	if err := json.Unmarshal([]byte(in), &d); err != nil {
		t.Fatal(err)
	}
	if d.RunID != "r" || d.State != resources.RunTerminated || d.Statistics.ItemCount != 2 {
		t.Fatalf("decoded %+v", d)
	}
	if got, _ := json.Marshal(d.CustomMetadata); string(got) != `{"n":18446744073709551617,"s":"x"}` {
		t.Fatalf("custom_metadata = %s", got)
	}
	if err := json.Unmarshal([]byte(`{"run_id":1}`), &d); err == nil || !strings.Contains(err.Error(), "run_id") {
		t.Fatalf("a wrongly typed field: %v, want an error naming it", err)
	}
}
