package resources

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// FuzzDecodeAPI feeds arbitrary bytes to the decoders of the API's answers:
// decoding never panics, and whatever decodes survives a round trip
// (marshal, decode again) unchanged, so nothing the platform sent is altered
// on its way to -o json.
func FuzzDecodeAPI(f *testing.F) {
	seeds := []string{
		`{"run_id":"r1","application_id":"test-app","version_number":"1.0.0","state":"TERMINATED","output":"FULL","termination_reason":"ALL_ITEMS_PROCESSED","error_code":null,"error_message":null,"statistics":{"item_count":1,"item_pending_count":0,"item_processing_count":0,"item_user_error_count":0,"item_system_error_count":0,"item_skipped_count":0,"item_succeeded_count":1},"custom_metadata":{"case":9007199254740993,"tags":["a"]},"submitted_at":"2026-11-27T12:00:00Z","submitted_by":"u","terminated_at":"2026-11-27T12:01:00.123456Z"}`,
		`{"item_id":"i1","external_id":"slide-1","custom_metadata":null,"state":"TERMINATED","output":"FULL","input_artifacts":[],"output_artifacts":[{"output_artifact_id":"a1","name":"readout:csv","metadata":{"checksum_base64_crc32c":"AAAAAA==","media_type":"text/csv","size":1e3},"state":"TERMINATED","output":"AVAILABLE"}]}`,
		`{"application_version_id":"x","version_number":"1.1.0-rc.1","changelog":"c","input_artifacts":[{"name":"whole_slide_image","mime_type":"image/tiff","metadata_schema":{"type":"object"}}],"output_artifacts":[],"released_at":"2025-01-01T00:00:00Z"}`,
		`{"user":{"id":"u","email":null},"organization":{"id":"o","aignostics_bucket_hmac_access_key_id":"k","aignostics_bucket_hmac_secret_access_key":"s","aignostics_bucket_name":"b","aignostics_bucket_protocol":"gs","aignostics_logfire_token":"l","aignostics_sentry_dsn":"d"}}`,
		`{"state":"SOMETHING_NEW","statistics":null}`, `[]`, `null`, `{"custom_metadata":{"a":{"b":[1,2.5,-0,"x",true,null]}}}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		roundTrip(t, data, new(RunReadResponse))
		roundTrip(t, data, new(ItemResultReadResponse))
		roundTrip(t, data, new(VersionReadResponse))
		roundTrip(t, data, new(ApplicationReadResponse))
		roundTrip(t, data, new(MeReadResponse))
	})
}

// sameJSON compares raw JSON by meaning: an absent value (nil) marshals as
// null, and null decodes back as the raw text "null".
func sameJSON() cmp.Option {
	return cmp.Comparer(func(a, b json.RawMessage) bool {
		norm := func(r json.RawMessage) string {
			if len(r) == 0 {
				return "null"
			}
			var v any
			if json.Unmarshal(r, &v) != nil {
				return string(r)
			}
			out, _ := json.Marshal(v)
			return string(out)
		}
		return norm(a) == norm(b)
	})
}

// roundTrip decodes data into v; when that succeeds, v marshalled and decoded
// again must equal v.
func roundTrip[T any](t *testing.T, data []byte, v *T) {
	t.Helper()
	if json.Unmarshal(data, v) != nil {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("%T decoded from %q does not marshal: %v", v, data, err)
	}
	again := new(T)
	if err := json.Unmarshal(b, again); err != nil {
		t.Fatalf("%T: our own output %q does not decode: %v", v, b, err)
	}
	// Empty and absent collections print alike (omitempty); values must not change.
	if diff := cmp.Diff(v, again, sameJSON(), cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("%T changed in a round trip of %q (-first +second):\n%s", v, data, diff)
	}
}
