package resources

import (
	"encoding/json"
	"time"
)

// ApplicationVersion is the spec's ApplicationVersion: one version of an
// application as listed with the application.
type ApplicationVersion struct {
	Number     string    `json:"number"`
	ReleasedAt time.Time `json:"released_at"`
}

// ApplicationReadShortResponse is the spec's ApplicationReadShortResponse,
// the element of the applications list.
type ApplicationReadShortResponse struct {
	ApplicationID     string              `json:"application_id"`
	Name              string              `json:"name"`
	RegulatoryClasses []string            `json:"regulatory_classes"`
	Description       string              `json:"description"`
	LatestVersion     *ApplicationVersion `json:"latest_version,omitempty"`
}

// ApplicationReadResponse is the spec's ApplicationReadResponse: one
// application with all its versions.
type ApplicationReadResponse struct {
	ApplicationID     string               `json:"application_id"`
	Name              string               `json:"name"`
	RegulatoryClasses []string             `json:"regulatory_classes"`
	Description       string               `json:"description"`
	Versions          []ApplicationVersion `json:"versions"`
}

// InputArtifact is the spec's InputArtifact: an input a version expects per
// item, with the JSON Schema its metadata must satisfy.
type InputArtifact struct {
	Name           string          `json:"name"`
	MimeType       string          `json:"mime_type"`
	MetadataSchema json.RawMessage `json:"metadata_schema"`
}

// OutputArtifact is the spec's OutputArtifact: an output a version produces.
type OutputArtifact struct {
	Name           string                   `json:"name"`
	MimeType       string                   `json:"mime_type"`
	MetadataSchema json.RawMessage          `json:"metadata_schema"`
	Scope          OutputArtifactScope      `json:"scope"`
	Visibility     OutputArtifactVisibility `json:"visibility"`
}

// VersionReadResponse is the spec's VersionReadResponse: one application
// version with its input and output artifacts.
type VersionReadResponse struct {
	VersionNumber   string           `json:"version_number"`
	Changelog       string           `json:"changelog"`
	InputArtifacts  []InputArtifact  `json:"input_artifacts"`
	OutputArtifacts []OutputArtifact `json:"output_artifacts"`
	ReleasedAt      time.Time        `json:"released_at"`
}
