package resources_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aignostics/aignostics/resources"
)

// slideVersion is a version like the emulator's test-app: one input artifact
// whose metadata schema requires a few fields.
func slideVersion() resources.VersionReadResponse {
	return resources.VersionReadResponse{
		VersionNumber: "1.0.0",
		InputArtifacts: []resources.InputArtifact{{
			Name:     "whole_slide_image",
			MimeType: "image/tiff",
			MetadataSchema: json.RawMessage(`{
				"type": "object",
				"required": ["width_px", "media_type"],
				"properties": {
					"width_px": {"type": "integer", "minimum": 1},
					"media_type": {"type": "string", "enum": ["image/tiff"]}
				},
				"x-vendor-keyword": {"anything": true}
			}`),
		}},
	}
}

func slideItem(id string) resources.ItemCreationRequest {
	return resources.ItemCreationRequest{
		ExternalID: id,
		InputArtifacts: []resources.InputArtifactCreationRequest{{
			Name:        "whole_slide_image",
			DownloadURL: "https://storage.example.com/" + id + ".tiff",
			Metadata:    map[string]any{"width_px": 100, "media_type": "image/tiff"},
		}},
	}
}

func TestValidateRunAcceptsValidItems(t *testing.T) {
	if ps := resources.ValidateRun(slideVersion(), []resources.ItemCreationRequest{slideItem("a"), slideItem("b")}); len(ps) != 0 {
		t.Fatalf("problems with valid items: %v", resources.Problems(ps))
	}
}

func TestValidateRunReportsEachProblem(t *testing.T) {
	mod := func(id string, f func(*resources.ItemCreationRequest)) resources.ItemCreationRequest {
		it := slideItem(id)
		f(&it)
		return it
	}
	tests := []struct {
		name     string
		items    []resources.ItemCreationRequest
		index    int
		artifact string
		want     string
	}{
		{"no items", nil, -1, "", "at least one item"},
		{"empty external id", []resources.ItemCreationRequest{slideItem("")}, 0, "", "external_id is missing"},
		{"long external id", []resources.ItemCreationRequest{slideItem(strings.Repeat("x", 256))}, 0, "", "longer than 255"},
		{"duplicate external id", []resources.ItemCreationRequest{slideItem("a"), slideItem("b"), slideItem("a")}, 2, "", "duplicate external_id (first used by item 0)"},
		{"unknown artifact", []resources.ItemCreationRequest{mod("a", func(it *resources.ItemCreationRequest) {
			it.InputArtifacts = append(it.InputArtifacts, resources.InputArtifactCreationRequest{Name: "mask", DownloadURL: "https://x/m", Metadata: map[string]any{}})
		})}, 0, "mask", "expects: whole_slide_image"},
		{"artifact twice", []resources.ItemCreationRequest{mod("a", func(it *resources.ItemCreationRequest) {
			it.InputArtifacts = append(it.InputArtifacts, it.InputArtifacts[0])
		})}, 0, "whole_slide_image", "more than once"},
		{"missing artifact", []resources.ItemCreationRequest{mod("a", func(it *resources.ItemCreationRequest) {
			it.InputArtifacts = nil
		})}, 0, "whole_slide_image", "missing"},
		{"no download url", []resources.ItemCreationRequest{mod("a", func(it *resources.ItemCreationRequest) {
			it.InputArtifacts[0].DownloadURL = ""
		})}, 0, "whole_slide_image", "download_url is missing"},
		{"relative download url", []resources.ItemCreationRequest{mod("a", func(it *resources.ItemCreationRequest) {
			it.InputArtifacts[0].DownloadURL = "slides/a.tiff"
		})}, 0, "whole_slide_image", "not an absolute URL"},
		{"no metadata", []resources.ItemCreationRequest{mod("a", func(it *resources.ItemCreationRequest) {
			it.InputArtifacts[0].Metadata = nil
		})}, 0, "whole_slide_image", "metadata is missing"},
		{"metadata misses a required field", []resources.ItemCreationRequest{mod("a", func(it *resources.ItemCreationRequest) {
			delete(it.InputArtifacts[0].Metadata, "width_px")
		})}, 0, "whole_slide_image", "width_px"},
		{"metadata out of bounds", []resources.ItemCreationRequest{slideItem("ok"), mod("a", func(it *resources.ItemCreationRequest) {
			it.InputArtifacts[0].Metadata["width_px"] = 0
		})}, 1, "whole_slide_image", "/width_px"},
		{"metadata not in enum", []resources.ItemCreationRequest{mod("a", func(it *resources.ItemCreationRequest) {
			it.InputArtifacts[0].Metadata["media_type"] = "image/png"
		})}, 0, "whole_slide_image", "/media_type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ps := resources.ValidateRun(slideVersion(), tc.items)
			for _, p := range ps {
				if p.Index == tc.index && p.Artifact == tc.artifact && strings.Contains(p.Error(), tc.want) {
					if p.Index >= 0 && p.ExternalID != tc.items[p.Index].ExternalID {
						t.Errorf("problem names external id %q, item has %q", p.ExternalID, tc.items[p.Index].ExternalID)
					}
					return
				}
			}
			t.Fatalf("no problem at index %d, artifact %q mentioning %q; got: %v", tc.index, tc.artifact, tc.want, resources.Problems(ps))
		})
	}
}

func TestValidateRunReportsAllProblemsAtOnce(t *testing.T) {
	bad := slideItem("a")
	bad.InputArtifacts[0].DownloadURL = ""
	bad.InputArtifacts[0].Metadata = map[string]any{}
	ps := resources.ValidateRun(slideVersion(), []resources.ItemCreationRequest{bad, slideItem("a"), slideItem("")})
	// download_url, two required fields, duplicate id, empty id.
	if len(ps) < 5 {
		t.Fatalf("got %d problems, want at least 5: %v", len(ps), resources.Problems(ps))
	}
	msg := resources.Problems(ps).Error()
	for _, w := range []string{"item 0 (external_id \"a\")", "item 1 (external_id \"a\")", "item 2:"} {
		if !strings.Contains(msg, w) {
			t.Errorf("problems do not mention %q:\n%s", w, msg)
		}
	}
}

func TestValidateRunIgnoresUnknownKeywords(t *testing.T) {
	// slideVersion's schema carries "x-vendor-keyword": valid items still
	// pass, and the skipped keyword is reported on the debug sink.
	var lines []string
	debugf := func(format string, args ...any) { lines = append(lines, fmt.Sprintf(format, args...)) }
	if ps := resources.ValidateRunDebug(slideVersion(), []resources.ItemCreationRequest{slideItem("a")}, debugf); len(ps) != 0 {
		t.Fatalf("problems: %v", resources.Problems(ps))
	}
	if !strings.Contains(strings.Join(lines, "\n"), "x-vendor-keyword") {
		t.Fatalf("debug lines do not name the ignored keyword: %q", lines)
	}
}

// TestValidateRunWithoutDownloadURLs: slides not uploaded yet are checked
// for everything but their URLs.
func TestValidateRunWithoutDownloadURLs(t *testing.T) {
	a, b := slideItem("a"), slideItem("b")
	a.InputArtifacts[0].DownloadURL = ""
	b.InputArtifacts[0].DownloadURL = ""
	b.InputArtifacts[0].Metadata["width_px"] = 0
	ps := resources.ValidateRunWith(slideVersion(), []resources.ItemCreationRequest{a, b}, resources.ValidateOptions{NoDownloadURLs: true})
	if len(ps) != 1 || ps[0].Index != 1 || !strings.Contains(ps[0].Message, "width_px") {
		t.Errorf("problems %v, want only b's width", resources.Problems(ps))
	}
	if ps := resources.ValidateRun(slideVersion(), []resources.ItemCreationRequest{a}); len(ps) != 1 || !strings.Contains(ps[0].Message, "download_url") {
		t.Errorf("ValidateRun still checks URLs: %v", resources.Problems(ps))
	}
}
