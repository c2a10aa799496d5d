package emulator

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/aignostics/aignostics/internal/jsonschema"
	"github.com/aignostics/aignostics/internal/semver"
)

// catalogue is the fixed set of applications the emulator offers.
type catalogue struct {
	apps []*application // by application_id
}

// application is one application with its versions in ascending semver order.
type application struct {
	ID, Name, Description string
	RegulatoryClasses     []string
	Versions              []*appVersion
}

// appVersion is one released version of an application.
type appVersion struct {
	App        *application
	Number     string
	semver     semver.Version
	Changelog  string
	ReleasedAt time.Time
	Inputs     []inputSpec
	Outputs    []outputSpec
	Documents  []document
}

// inputSpec is an input artifact a version requires, with its compiled
// metadata schema.
type inputSpec struct {
	Name, MimeType string
	Schema         map[string]any
	compiled       *jsonschema.Schema
}

// outputSpec is an output artifact a version produces.
type outputSpec struct {
	Name, MimeType string
	Scope          string // ITEM or GLOBAL
	Visibility     string // INTERNAL or EXTERNAL
	Schema         map[string]any
}

// document is a document attached to a version; only public ones are served.
type document struct {
	Name, MimeType, Visibility string
	Content                    []byte
}

// app returns the application with id.
func (c *catalogue) app(id string) (*application, bool) {
	for _, a := range c.apps {
		if a.ID == id {
			return a, true
		}
	}
	return nil, false
}

// version returns the version number of application a.
func (a *application) version(number string) (*appVersion, bool) {
	for _, v := range a.Versions {
		if v.Number == number {
			return v, true
		}
	}
	return nil, false
}

// latest returns the version with the highest semver precedence.
func (a *application) latest() *appVersion {
	if len(a.Versions) == 0 {
		return nil
	}
	return a.Versions[len(a.Versions)-1]
}

// input returns the input artifact spec called name.
func (v *appVersion) input(name string) (*inputSpec, bool) {
	for i := range v.Inputs {
		if v.Inputs[i].Name == name {
			return &v.Inputs[i], true
		}
	}
	return nil, false
}

// newCatalogue builds test-app and he-tme; it panics only on a programming
// error in the fixed catalogue below (caught by every test).
func newCatalogue() *catalogue {
	day := func(s string) time.Time {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			panic(err)
		}
		return t.Add(9 * time.Hour)
	}
	testApp := &application{ID: "test-app", Name: "Test Application",
		Description:       "A small application for testing integrations: it produces a heatmap, cell polygons and a readout per slide.",
		RegulatoryClasses: []string{"RUO"}}
	heTME := &application{ID: "he-tme", Name: "Atlas H&E-TME",
		Description:       "The Atlas H&E TME is an AI application designed to examine FFPE tissues stained with H&E, delivering comprehensive insights into the tumor microenvironment.",
		RegulatoryClasses: []string{"RUO"}}
	testOutputs := []outputSpec{
		itemOutput("tissue_qc:tiff_heatmap", "image/tiff"),
		itemOutput("cell_classification:geojson_polygons", "application/geo+json"),
		itemOutput("readout:csv", "text/csv"),
	}
	heOutputs := append(slices.Clone(testOutputs),
		itemOutput("cell_features:parquet", "application/vnd.apache.parquet"),
		outputSpec{Name: "run_summary:json", MimeType: "application/json", Scope: "GLOBAL",
			Visibility: "EXTERNAL", Schema: outputMetadataSchema("application/json")})
	add := func(a *application, number, changelog, released string, he bool, outs []outputSpec) {
		sv, err := semver.Parse(number)
		if err != nil {
			panic(fmt.Sprintf("catalogue version %s: %v", number, err))
		}
		v := &appVersion{App: a, Number: number, semver: sv, Changelog: changelog,
			ReleasedAt: day(released), Outputs: outs,
			Inputs: []inputSpec{{Name: "whole_slide_image", MimeType: "image/tiff", Schema: slideSchema(he)}},
			Documents: []document{
				{Name: "README.md", MimeType: "text/markdown", Visibility: "public",
					Content: []byte(fmt.Sprintf("# %s %s\n\n%s\n\nChanges: %s\n", a.Name, number, a.Description, changelog))},
				{Name: "instructions-for-use.pdf", MimeType: "application/pdf", Visibility: "public",
					Content: []byte(fmt.Sprintf("%%PDF-1.4\n%% %s %s instructions for use (emulated)\n%%%%EOF\n", a.ID, number))},
				{Name: "validation-report.pdf", MimeType: "application/pdf", Visibility: "internal",
					Content: []byte("%PDF-1.4\n% internal\n%%EOF\n")},
			}}
		for i := range v.Inputs {
			raw, err := json.Marshal(v.Inputs[i].Schema)
			if err == nil {
				v.Inputs[i].compiled, err = jsonschema.Compile(raw, jsonschema.Options{})
			}
			if err != nil {
				panic(fmt.Sprintf("catalogue schema %s %s: %v", a.ID, number, err))
			}
		}
		a.Versions = append(a.Versions, v)
		slices.SortFunc(a.Versions, func(x, y *appVersion) int { return semver.Compare(x.semver, y.semver) })
	}
	add(testApp, "0.9.0", "First preview.", "2025-03-03", false, testOutputs[:2])
	add(testApp, "1.0.0", "First release; adds the readout.", "2025-05-05", false, testOutputs)
	add(testApp, "1.1.0-rc.1", "Release candidate for 1.1.0.", "2025-08-04", false, testOutputs)
	add(testApp, "1.1.0", "Faster heatmaps.", "2025-09-01", false, testOutputs)
	add(heTME, "1.0.0", "First release.", "2025-04-07", true, heOutputs)
	add(heTME, "1.2.0", "Adds the run summary and cell features.", "2025-10-06", true, heOutputs)
	return &catalogue{apps: []*application{heTME, testApp}}
}

// itemOutput is an ITEM-scope, externally visible output artifact.
func itemOutput(name, mime string) outputSpec {
	return outputSpec{Name: name, MimeType: mime, Scope: "ITEM", Visibility: "EXTERNAL",
		Schema: outputMetadataSchema(mime)}
}

// outputMetadataSchema describes the metadata of a produced artifact.
func outputMetadataSchema(mime string) map[string]any {
	return map[string]any{
		"$schema":  "http://json-schema.org/draft-07/schema#",
		"type":     "object",
		"required": []any{"checksum_base64_crc32c", "media_type"},
		"properties": map[string]any{
			"checksum_base64_crc32c": map[string]any{"type": "string"},
			"media_type":             map[string]any{"type": "string", "const": mime},
		},
	}
}

// slideSchema is the metadata schema of whole_slide_image; he-tme also needs
// the specimen and the staining method.
func slideSchema(he bool) map[string]any {
	props := map[string]any{
		"checksum_base64_crc32c": map[string]any{"type": "string",
			"pattern": "^[A-Za-z0-9+/]{6}==$", "description": "Base64 of the big-endian CRC32C of the slide"},
		"width_px":       map[string]any{"type": "integer", "minimum": 1},
		"height_px":      map[string]any{"type": "integer", "minimum": 1},
		"resolution_mpp": map[string]any{"type": "number", "exclusiveMinimum": 0, "maximum": 10},
		"media_type": map[string]any{"type": "string",
			"enum": []any{"image/tiff", "application/dicom", "application/zip", "application/octet-stream"}},
	}
	required := []any{"checksum_base64_crc32c", "width_px", "height_px", "resolution_mpp", "media_type"}
	s := map[string]any{
		"$schema":    "http://json-schema.org/draft-07/schema#",
		"title":      "WholeSlideImageMetadata",
		"type":       "object",
		"properties": props,
		"required":   required,
	}
	if he {
		props["specimen"] = map[string]any{"anyOf": []any{map[string]any{"$ref": "#/$defs/Specimen"}}, "title": "Specimen"}
		props["staining_method"] = map[string]any{"type": "string", "enum": []any{"H&E"}, "const": "H&E", "title": "Staining Method"}
		s["required"] = append(required, "specimen", "staining_method")
		s["$defs"] = map[string]any{"Specimen": map[string]any{
			"type":     "object",
			"title":    "Specimen",
			"required": []any{"tissue", "disease"},
			"properties": map[string]any{
				"tissue":  map[string]any{"type": "string", "enum": []any{"LUNG", "BREAST", "COLON", "LIVER", "SKIN", "OTHER"}},
				"disease": map[string]any{"type": "string", "enum": []any{"LUNG_CANCER", "BREAST_CANCER", "COLORECTAL_CANCER", "LIVER_CANCER", "MELANOMA", "OTHER"}},
			},
		}}
	}
	return s
}
