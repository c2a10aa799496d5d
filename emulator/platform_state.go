package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// snapshotVersion is the format of platform snapshots.
const snapshotVersion = 1

// persistedPlatform is the JSON form of platformState.
type persistedPlatform struct {
	Version     int            `json:"version"`
	Counter     uint64         `json:"counter"`
	Runs        []persistedRun `json:"runs"`
	Grants      []*grant       `json:"grants"`
	ShareTokens []*shareToken  `json:"share_tokens"`
}

type persistedRun struct {
	ID          string          `json:"id"`
	App         string          `json:"application_id"`
	Version     string          `json:"version_number"`
	SubmittedAt time.Time       `json:"submitted_at"`
	SubmittedBy string          `json:"submitted_by"`
	OrgID       string          `json:"organization_id"`
	Meta        any             `json:"custom_metadata,omitempty"`
	Scheduling  *scheduling     `json:"scheduling,omitempty"`
	CanceledAt  *time.Time      `json:"canceled_at,omitempty"`
	DeletedAt   *time.Time      `json:"deleted_at,omitempty"`
	Items       []persistedItem `json:"items"`
}

type persistedItem struct {
	ExternalID string          `json:"external_id"`
	Meta       any             `json:"custom_metadata,omitempty"`
	Inputs     []inputArtifact `json:"input_artifacts"`
	InputError string          `json:"input_error,omitempty"`
}

// snapshot encodes the platform's state (runs, grants, share tokens) as JSON.
func (p *platform) snapshot() ([]byte, error) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	doc := persistedPlatform{Version: snapshotVersion, Counter: p.st.counter, Runs: []persistedRun{},
		Grants: p.st.grants, ShareTokens: p.st.tokens}
	for _, r := range p.st.runs {
		pr := persistedRun{ID: r.ID, App: r.ver.App.ID, Version: r.ver.Number, SubmittedAt: r.SubmittedAt,
			SubmittedBy: r.SubmittedBy, OrgID: r.OrgID, Meta: r.Meta, Scheduling: r.Scheduling,
			CanceledAt: timePtr(r.CanceledAt), DeletedAt: timePtr(r.DeletedAt)}
		for _, it := range r.Items {
			pr.Items = append(pr.Items, persistedItem{ExternalID: it.ExternalID, Meta: it.Meta, Inputs: it.Inputs, InputError: it.InputError})
		}
		doc.Runs = append(doc.Runs, pr)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("encode platform snapshot: %w", err)
	}
	return b, nil
}

// restore replaces the platform's state with a snapshot.
func (p *platform) restore(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var doc persistedPlatform
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("decode platform snapshot: %w", err)
	}
	if doc.Version != snapshotVersion {
		return fmt.Errorf("decode platform snapshot: unsupported version %d", doc.Version)
	}
	st := platformState{counter: doc.Counter, byID: map[string]*run{}, grants: doc.Grants, tokens: doc.ShareTokens}
	for _, pr := range doc.Runs {
		app, ok := p.cat.app(pr.App)
		if !ok {
			return fmt.Errorf("restore run %s: unknown application %q", pr.ID, pr.App)
		}
		ver, ok := app.version(pr.Version)
		if !ok {
			return fmt.Errorf("restore run %s: unknown version %s:%s", pr.ID, pr.App, pr.Version)
		}
		r := &run{ID: pr.ID, seq: len(st.runs), ver: ver, SubmittedAt: pr.SubmittedAt, SubmittedBy: pr.SubmittedBy,
			OrgID: pr.OrgID, Meta: pr.Meta, MetaSum: metadataChecksum(pr.Meta), Scheduling: pr.Scheduling}
		if pr.CanceledAt != nil {
			r.CanceledAt = *pr.CanceledAt
		}
		if pr.DeletedAt != nil {
			r.DeletedAt = *pr.DeletedAt
		}
		for _, it := range pr.Items {
			r.Items = append(r.Items, runItem{ExternalID: it.ExternalID, Meta: it.Meta,
				MetaSum: metadataChecksum(it.Meta), Inputs: it.Inputs, InputError: it.InputError})
		}
		st.runs = append(st.runs, r)
		st.byID[r.ID] = r
	}
	p.mu.Lock()
	p.st = st
	p.mu.Unlock()
	return nil
}

// seedSubject submits the runs createRuns seeds (in the emulator's organization).
const seedSubject = "emulator|seed"

// createRuns adds n runs of app:version ("" = latest) with one valid item
// each, submitted now by seedSubject; for list benchmarks and tests.
func (p *platform) createRuns(n int, app, version string) error {
	a, ok := p.cat.app(app)
	if !ok {
		return fmt.Errorf("create runs: unknown application %q", app)
	}
	ver := a.latest()
	if version != "" {
		if ver, ok = a.version(version); !ok {
			return fmt.Errorf("create runs: unknown version %s:%s", app, version)
		}
	}
	md := map[string]any{"checksum_base64_crc32c": "AAAAAA==", "width_px": json.Number("1000"),
		"height_px": json.Number("1000"), "resolution_mpp": json.Number("0.25"), "media_type": "image/tiff",
		"specimen": map[string]any{"tissue": "LUNG", "disease": "LUNG_CANCER"}, "staining_method": "H&E"}
	p.mu.Lock()
	defer p.mu.Unlock()
	for k := range n {
		ext := fmt.Sprintf("seed-%06d", len(p.st.runs))
		meta := map[string]any{"seeded": true, "index": json.Number(fmt.Sprint(k))}
		p.addRun(ver, seedSubject, p.cfg.orgID, runRequest{Meta: meta, Items: []runItem{{ExternalID: ext,
			Inputs: []inputArtifact{{Name: "whole_slide_image", URL: "https://example.com/slides/" + ext + ".tiff", Metadata: md}}}}})
	}
	return nil
}
