package resources

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// ManifestName is the file DownloadToFolder writes in {dir}/{run_id}/ (no
// item folder takes this name).
const ManifestName = "manifest.json"

// Manifest is manifest.json: what a download holds, per item, so a folder of
// results can be checked and understood without the platform.
type Manifest struct {
	RunID             string                `json:"run_id"`
	ApplicationID     string                `json:"application_id"`
	VersionNumber     string                `json:"version_number"`
	State             RunState              `json:"state"`
	TerminationReason *RunTerminationReason `json:"termination_reason"`
	WrittenAt         time.Time             `json:"written_at"`
	// ExternalIDs and Artifacts are the selection (absent: everything).
	ExternalIDs []string       `json:"selected_external_ids,omitempty"`
	Artifacts   []string       `json:"selected_artifacts,omitempty"`
	Items       []ManifestItem `json:"items"`
	GlobalFiles []ManifestFile `json:"global_files,omitempty"`
	Without     map[string]int `json:"items_without_results,omitempty"`
}

// ManifestItem is one item of the run: its outcome and its files.
type ManifestItem struct {
	ItemID            string                 `json:"item_id"`
	ExternalID        string                 `json:"external_id"`
	State             ItemState              `json:"state"`
	TerminationReason *ItemTerminationReason `json:"termination_reason"`
	ErrorCode         *string                `json:"error_code"`
	ErrorMessage      *string                `json:"error_message"`
	Files             []ManifestFile         `json:"files"`
}

// ManifestFile is one output artifact's file; Path is relative to the
// manifest's folder, with forward slashes (GLOBAL-scope artifacts, under
// _global/, are listed with the item that reported them).
type ManifestFile struct {
	Name       string `json:"name"`
	ArtifactID string `json:"output_artifact_id"`
	Path       string `json:"path"`
	Status     string `json:"status"`
	Size       int64  `json:"size"`
	CRC32C     string `json:"checksum_base64_crc32c,omitempty"`
	Verified   bool   `json:"verified"`
	Error      string `json:"error,omitempty"`
}

// countMissing counts the items that ended without results, by reason.
func (s *DownloadSummary) countMissing() {
	for _, id := range s.order {
		it := s.items[id]
		if it.State != ItemTerminated || it.TerminationReason == nil || *it.TerminationReason == ItemSucceeded {
			continue
		}
		if s.WithoutResults == nil {
			s.WithoutResults = map[string]int{}
		}
		s.WithoutResults[string(*it.TerminationReason)]++
	}
}

// manifest builds the manifest from the summary and the run details.
func (d *downloader) manifest() Manifest {
	m := Manifest{
		RunID: d.run.ID, ApplicationID: d.details.ApplicationID, VersionNumber: d.details.VersionNumber,
		State: d.details.State, TerminationReason: d.details.TerminationReason,
		WrittenAt: d.run.c.o.Clock.Now().UTC(), ExternalIDs: d.o.ExternalIDs, Artifacts: d.o.Artifacts,
		Items: []ManifestItem{}, Without: d.sum.WithoutResults,
	}
	byItem := map[string][]ManifestFile{}
	for _, f := range d.sum.Files {
		rel, err := filepath.Rel(d.sum.Dir, f.Path)
		if err != nil {
			rel = f.Path
		}
		mf := ManifestFile{Name: f.Name, ArtifactID: f.ArtifactID, Path: filepath.ToSlash(rel), Status: f.Status,
			Size: f.Size, CRC32C: f.CRC32C, Verified: f.Verified, Error: f.Error}
		byItem[f.ItemID] = append(byItem[f.ItemID], mf)
	}
	for _, id := range d.sum.order {
		it := d.sum.items[id]
		files := byItem[id]
		if files == nil {
			files = []ManifestFile{}
		}
		m.Items = append(m.Items, ManifestItem{
			ItemID: it.ItemID, ExternalID: it.ExternalID, State: it.State, TerminationReason: it.TerminationReason,
			ErrorCode: it.ErrorCode, ErrorMessage: it.ErrorMessage, Files: files,
		})
	}
	return m
}

// writeManifest writes manifest.json atomically: a temporary file beside it,
// then a rename, so a reader never sees half a manifest.
func (d *downloader) writeManifest() error {
	b, err := json.MarshalIndent(d.manifest(), "", "  ")
	if err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	path := filepath.Join(d.sum.Dir, ManifestName)
	tmp, err := os.CreateTemp(d.sum.Dir, "."+ManifestName+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	name := tmp.Name()
	_, werr := tmp.Write(append(b, '\n'))
	if werr == nil {
		werr = tmp.Sync()
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(name, 0o644)
	}
	if werr == nil {
		werr = os.Rename(name, path)
	}
	if werr != nil {
		_ = os.Remove(name)
		return fmt.Errorf("write %s: %w", path, werr)
	}
	d.sum.Manifest = path
	return nil
}
