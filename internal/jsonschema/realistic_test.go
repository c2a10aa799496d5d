package jsonschema

import (
	"encoding/json"
	"testing"
)

// slideSchema is shaped like an application's whole-slide-image metadata schema.
const slideSchema = `{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "WholeSlideImageMetadata",
  "type": "object",
  "required": ["checksum_base64_crc32c", "width_px", "height_px", "resolution_mpp", "media_type", "specimen"],
  "properties": {
    "checksum_base64_crc32c": {"type": "string", "pattern": "^[A-Za-z0-9+/]{6}==$"},
    "width_px": {"type": "integer", "minimum": 1},
    "height_px": {"type": "integer", "minimum": 1},
    "resolution_mpp": {"type": "number", "exclusiveMinimum": 0, "maximum": 10},
    "media_type": {"type": "string", "enum": ["image/tiff", "application/dicom"]},
    "specimen": {"$ref": "#/definitions/Specimen"},
    "scanned_at": {"type": "string", "format": "date-time"},
    "source": {"type": "string", "format": "uri"}
  },
  "definitions": {
    "Specimen": {
      "type": "object",
      "required": ["tissue", "disease"],
      "additionalProperties": false,
      "properties": {
        "tissue": {"type": "string", "enum": ["LUNG", "BREAST"]},
        "disease": {"type": "string", "enum": ["LUNG_CANCER", "BREAST_CANCER"]}
      }
    }
  }
}`

// sdkSchema is shaped like a pydantic-generated (draft 2020-12) metadata schema:
// $defs, anyOf with null, enums, nested references, a pattern with \d.
const sdkSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$defs": {
    "Mode": {"enum": ["SPOT", "ON_DEMAND"], "title": "Mode", "type": "string"},
    "Gpu": {
      "properties": {
        "mode": {"$ref": "#/$defs/Mode", "description": "provisioning"},
        "max_gpus": {"default": 1, "maximum": 8, "minimum": 1, "type": "integer"},
        "minutes": {"anyOf": [{"maximum": 3600, "minimum": 1, "type": "integer"}, {"type": "null"}], "default": null}
      },
      "title": "Gpu", "type": "object"
    },
    "Pipeline": {"properties": {"gpu": {"$ref": "#/$defs/Gpu"}}, "type": "object"}
  },
  "additionalProperties": false,
  "properties": {
    "schema_version": {"pattern": "^\\d+\\.\\d+\\.\\d+-?.*$", "type": "string"},
    "tags": {"anyOf": [{"items": {"type": "string"}, "type": "array", "uniqueItems": true}, {"type": "null"}], "default": null},
    "pipeline": {"anyOf": [{"$ref": "#/$defs/Pipeline"}, {"type": "null"}], "default": null}
  },
  "required": ["schema_version"],
  "title": "RunSdkMetadata",
  "type": "object"
}`

func TestRealisticSchemas(t *testing.T) {
	tests := []struct {
		name, schema, instance string
		want                   []ValidationError
	}{
		{"slide valid", slideSchema, `{"checksum_base64_crc32c":"AAAAAA==","width_px":1000,"height_px":800,
			"resolution_mpp":0.25,"media_type":"image/tiff","specimen":{"tissue":"LUNG","disease":"LUNG_CANCER"},
			"scanned_at":"2025-01-02T03:04:05Z","source":"gs://bucket/slide.tiff","extra":"allowed"}`, nil},
		{"slide every problem at once", slideSchema, `{"checksum_base64_crc32c":"AAAA","width_px":0,"height_px":1.5,
			"resolution_mpp":0,"media_type":"image/png","specimen":{"tissue":"LIVER","organ":"x"},
			"scanned_at":"yesterday","source":"slide.tiff"}`,
			[]ValidationError{
				at("/checksum_base64_crc32c", "does not match the pattern"),
				at("/height_px", "got number, want integer"),
				at("/media_type", `"image/png" is not one of`),
				at("/resolution_mpp", "must be greater than 0"),
				at("/scanned_at", "not a valid date-time"),
				at("/source", "not a valid uri"),
				at("/specimen", `missing required property "disease"`),
				at("/specimen", `additional property "organ" is not allowed`),
				at("/specimen/tissue", `"LIVER" is not one of`),
				at("/width_px", "less than the minimum 1"),
			}},
		{"slide not an object", slideSchema, `[]`, []ValidationError{at("", "got array, want object")}},
		{"sdk valid", sdkSchema, `{"schema_version":"0.0.7","tags":["a","b"],"pipeline":{"gpu":{"mode":"SPOT","max_gpus":2,"minutes":null}}}`, nil},
		{"sdk nulls", sdkSchema, `{"schema_version":"1.2.3-rc","tags":null,"pipeline":null}`, nil},
		{"sdk problems", sdkSchema, `{"schema_version":"v1","tags":["a","a"],"pipeline":{"gpu":{"mode":"FLEX"}},"x":1}`,
			[]ValidationError{
				at("/pipeline/gpu/mode", `"FLEX" is not one of ["SPOT","ON_DEMAND"]`),
				at("/schema_version", "does not match the pattern"),
				at("/tags", "items 0 and 1 are equal"),
				at("", `additional property "x" is not allowed`),
			}},
		{"sdk missing version", sdkSchema, `{}`, []ValidationError{at("", `missing required property "schema_version"`)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Compile([]byte(tt.schema), Options{})
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			for mode, v := range decodeBoth(t, tt.instance) {
				if got := s.Validate(v); !matches(got, tt.want) {
					t.Errorf("%s:\n got %q\nwant %q", mode, got, tt.want)
				}
			}
		})
	}
}

func TestValidateIsRepeatable(t *testing.T) {
	s, err := Compile([]byte(slideSchema), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal([]byte(`{"width_px":"x","specimen":{}}`), &v); err != nil {
		t.Fatal(err)
	}
	first := s.Validate(v)
	for range 5 {
		if got := s.Validate(v); !matches(got, first) || len(got) != len(first) {
			t.Fatalf("second run differs: %v vs %v", got, first)
		}
	}
}
