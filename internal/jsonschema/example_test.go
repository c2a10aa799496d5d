package jsonschema_test

import (
	"encoding/json"
	"fmt"

	"github.com/aignostics/aignostics/internal/jsonschema"
)

func Example() {
	schema, err := jsonschema.Compile([]byte(`{
		"type": "object",
		"required": ["width_px", "specimen"],
		"properties": {
			"width_px": {"type": "integer", "minimum": 1},
			"specimen": {"$ref": "#/$defs/Specimen"}
		},
		"$defs": {"Specimen": {"properties": {"tissue": {"enum": ["LUNG", "BREAST"]}}}}
	}`), jsonschema.Options{})
	if err != nil {
		panic(err)
	}
	var metadata any
	_ = json.Unmarshal([]byte(`{"width_px": 0, "specimen": {"tissue": "LIVER"}}`), &metadata)
	for _, e := range schema.Validate(metadata) {
		fmt.Println(e)
	}
	// Output:
	// /specimen/tissue: "LIVER" is not one of ["LUNG","BREAST"]
	// /width_px: 0 is less than the minimum 1
}
