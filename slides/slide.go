package slides

import (
	"encoding/json"

	"github.com/aignostics/aignostics/wsi"
)

// Slide is one whole-slide image, as `slides scan` prints it and the
// metadata CSV holds it.
type Slide struct {
	Path       string     `json:"path"`        // absolute
	ExternalID string     `json:"external_id"` // the item's external id on the platform
	Format     wsi.Format `json:"format"`      // empty when read from a CSV
	MediaType  string     `json:"media_type"`
	WidthPx    int64      `json:"width_px"`
	HeightPx   int64      `json:"height_px"`
	// ResolutionMPP is the microns per pixel along x; nil when the file
	// does not say (set one with a mapping). MPPY is along y.
	ResolutionMPP *float64 `json:"resolution_mpp"`
	MPPY          *float64 `json:"mpp_y"`
	Levels        int      `json:"levels,omitempty"`
	SizeBytes     int64    `json:"size_bytes,omitempty"`
	// Checksum is the CRC32C of the file (base64 of the big-endian value);
	// empty when not computed.
	Checksum string `json:"checksum_base64_crc32c"`
	// Metadata holds keys set by mappings or CSV columns: staining_method,
	// tissue, disease, or any other key of the version's schema.
	Metadata map[string]string `json:"metadata,omitempty"`
	// BucketURL is where the slide was uploaded (gs://bucket/key), from a
	// CSV or an upload.
	BucketURL string `json:"platform_bucket_url,omitempty"`
}

// MarshalJSON writes an unknown checksum as null, like an unknown
// resolution.
func (s Slide) MarshalJSON() ([]byte, error) {
	type plain Slide
	var sum *string
	if s.Checksum != "" {
		sum = &s.Checksum
	}
	return json.Marshal(struct {
		plain
		Checksum *string `json:"checksum_base64_crc32c"`
	}{plain(s), sum})
}

// specimenKeys are the metadata keys the platform nests under "specimen".
var specimenKeys = [...]string{"tissue", "disease"}

// InputMetadata is the metadata of the slide as an input artifact of a run,
// shaped as the Python SDK sends it: checksum_base64_crc32c, width_px,
// height_px, resolution_mpp, media_type, specimen {tissue, disease},
// staining_method, and any other metadata key as given. Unknown values are
// left out, so a schema that needs them says so.
func (s *Slide) InputMetadata() map[string]any {
	m := map[string]any{"media_type": s.MediaType}
	if s.Checksum != "" {
		m["checksum_base64_crc32c"] = s.Checksum
	}
	if s.WidthPx > 0 {
		m["width_px"] = s.WidthPx
	}
	if s.HeightPx > 0 {
		m["height_px"] = s.HeightPx
	}
	if s.ResolutionMPP != nil {
		m["resolution_mpp"] = *s.ResolutionMPP
	}
	specimen := map[string]any{}
	for k, v := range s.Metadata {
		if k == specimenKeys[0] || k == specimenKeys[1] {
			specimen[k] = v
			continue
		}
		m[k] = v
	}
	if len(specimen) > 0 {
		m["specimen"] = specimen
	}
	return m
}

// Entry is one file a scan found: a slide, a file that is no slide
// (Skipped says why), or a file that looks like a slide but could not be
// read (Err).
type Entry struct {
	Path    string // absolute
	Slide   *Slide
	Skipped string
	Err     error
}

// MarshalJSON writes a slide as itself, a skipped file as {"path",
// "skipped"} and an unreadable one as {"path", "error"}.
func (e Entry) MarshalJSON() ([]byte, error) {
	switch {
	case e.Slide != nil:
		return json.Marshal(e.Slide)
	case e.Err != nil:
		return json.Marshal(struct {
			Path  string `json:"path"`
			Error string `json:"error"`
		}{e.Path, e.Err.Error()})
	}
	return json.Marshal(struct {
		Path    string `json:"path"`
		Skipped string `json:"skipped"`
	}{e.Path, e.Skipped})
}
