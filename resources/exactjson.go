package resources

import (
	"bytes"
	"encoding/json"
)

// The API's custom_metadata and artifact metadata are free-form JSON. Decoded
// into map[string]any with encoding/json's defaults, every number would become a
// float64: an integer above 2^53 (a case number, an accession id) would silently
// change, and `runs describe -o json` would print a value the platform never
// held. These types decode numbers as json.Number instead (as ParseItems does),
// which marshals back to the exact digits.

// UnmarshalJSON decodes a run, keeping custom_metadata numbers exact
// (json.Number).
func (r *RunReadResponse) UnmarshalJSON(b []byte) error {
	type plain RunReadResponse
	return decodeExact(b, (*plain)(r))
}

// UnmarshalJSON decodes an item, keeping the numbers of its custom_metadata
// and artifact metadata exact (json.Number).
func (it *ItemResultReadResponse) UnmarshalJSON(b []byte) error {
	type plain ItemResultReadResponse
	return decodeExact(b, (*plain)(it))
}

// decodeExact decodes one JSON value with json.Number for numbers.
func decodeExact(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(v)
}
