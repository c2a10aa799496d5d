package emulator

import (
	"time"
)

// runJSON is the spec's RunReadResponse.
type runJSON struct {
	RunID                     string      `json:"run_id"`
	ApplicationID             string      `json:"application_id"`
	VersionNumber             string      `json:"version_number"`
	State                     string      `json:"state"`
	Output                    string      `json:"output"`
	TerminationReason         *string     `json:"termination_reason"`
	ErrorCode                 *string     `json:"error_code"`
	ErrorMessage              *string     `json:"error_message"`
	Statistics                runStats    `json:"statistics"`
	CustomMetadata            any         `json:"custom_metadata"`
	CustomMetadataChecksum    *string     `json:"custom_metadata_checksum"`
	SubmittedAt               time.Time   `json:"submitted_at"`
	SubmittedBy               string      `json:"submitted_by"`
	OrganizationID            *string     `json:"organization_id"`
	TerminatedAt              *time.Time  `json:"terminated_at"`
	NumPrecedingItemsOrg      *int        `json:"num_preceding_items_org"`
	NumPrecedingItemsPlatform *int        `json:"num_preceding_items_platform"`
	Scheduling                *scheduling `json:"scheduling"`
}

// itemJSON is the spec's ItemResultReadResponse.
type itemJSON struct {
	ItemID                 string               `json:"item_id"`
	ExternalID             string               `json:"external_id"`
	CustomMetadata         any                  `json:"custom_metadata"`
	CustomMetadataChecksum *string              `json:"custom_metadata_checksum"`
	QueuePositionOrg       *int                 `json:"queue_position_org"`
	QueuePositionPlatform  *int                 `json:"queue_position_platform"`
	State                  string               `json:"state"`
	Output                 string               `json:"output"`
	TerminationReason      *string              `json:"termination_reason"`
	ErrorCode              *string              `json:"error_code"`
	ErrorMessage           *string              `json:"error_message"`
	TerminatedAt           *time.Time           `json:"terminated_at"`
	InputArtifacts         []inputArtifactRead  `json:"input_artifacts"`
	OutputArtifacts        []outputArtifactRead `json:"output_artifacts"`
}

// inputArtifactRead is the spec's InputArtifactResultReadResponse.
type inputArtifactRead struct {
	InputArtifactID string         `json:"input_artifact_id"`
	Name            string         `json:"name"`
	Metadata        map[string]any `json:"metadata"`
	DownloadURL     *string        `json:"download_url"`
}

// outputArtifactRead is the spec's OutputArtifactResultReadResponse.
type outputArtifactRead struct {
	OutputArtifactID  string         `json:"output_artifact_id"`
	Name              string         `json:"name"`
	Metadata          map[string]any `json:"metadata"`
	State             string         `json:"state"`
	TerminationReason *string        `json:"termination_reason"`
	Output            string         `json:"output"`
	ErrorCode         *string        `json:"error_code"`
	ErrorMessage      *string        `json:"error_message"`
	DownloadURL       *string        `json:"download_url"`
}

// queueCounts are the pending items submitted before a run.
type queueCounts struct{ org, platform int }

// precedingItems computes, for each run in want that is not terminated, the
// items still waiting to start in runs submitted before it (on the platform
// and in the run's organization). One pass over the runs; caller holds p.mu.
func (p *platform) precedingItems(want []*run, t time.Time) map[*run]queueCounts {
	tm := p.timing()
	need := map[int]*run{}
	last := -1
	for _, r := range want {
		if tm.run(r, t).State != stateTerminated {
			need[r.seq] = r
			last = max(last, r.seq)
		}
	}
	out := make(map[*run]queueCounts, len(need))
	total := 0
	byOrg := map[string]int{}
	for seq := 0; seq <= last; seq++ {
		r := p.st.runs[seq]
		if w, ok := need[seq]; ok {
			out[w] = queueCounts{org: byOrg[w.OrgID], platform: total}
		}
		n := tm.pending(r, t)
		total += n
		byOrg[r.OrgID] += n
	}
	return out
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// runJSON renders r at t; q holds its queue counts when it is not terminated.
func (p *platform) runJSON(r *run, t time.Time, q map[*run]queueCounts) runJSON {
	tm := p.timing()
	st := tm.run(r, t)
	stats := tm.stats(r, t)
	out := runJSON{RunID: r.ID, ApplicationID: r.ver.App.ID, VersionNumber: r.ver.Number,
		State: st.State, Output: outputNone, TerminationReason: strPtr(st.Reason),
		Statistics: stats, CustomMetadata: r.Meta, CustomMetadataChecksum: strPtr(r.MetaSum),
		SubmittedAt: r.SubmittedAt.UTC(), SubmittedBy: r.SubmittedBy, OrganizationID: strPtr(r.OrgID),
		TerminatedAt: timePtr(st.TerminatedAt), Scheduling: r.Scheduling}
	switch {
	case stats.ItemSucceededCount == stats.ItemCount:
		out.Output = outputFull
	case stats.ItemSucceededCount > 0:
		out.Output = outputPartial
	}
	// error_code/error_message stay null: item failures are reported on the
	// items (and counted in statistics); the emulator has no run-level failure.
	if c, ok := q[r]; ok {
		out.NumPrecedingItemsOrg = &c.org
		out.NumPrecedingItemsPlatform = &c.platform
	}
	return out
}

// itemJSON renders item i of r at t; q as for runJSON.
func (p *platform) itemJSON(r *run, i int, t time.Time, q map[*run]queueCounts) itemJSON {
	tm := p.timing()
	it := &r.Items[i]
	st := tm.item(r, i, t)
	out := itemJSON{ItemID: itemID(r, i), ExternalID: it.ExternalID, CustomMetadata: it.Meta,
		CustomMetadataChecksum: strPtr(it.MetaSum), State: st.State, Output: outputNone,
		TerminationReason: strPtr(st.Reason), TerminatedAt: timePtr(st.At),
		InputArtifacts: []inputArtifactRead{}, OutputArtifacts: []outputArtifactRead{}}
	code, msg := itemError(st.Reason)
	if st.Reason == reasonUserError && it.InputError != "" {
		msg = it.InputError
	}
	out.ErrorCode, out.ErrorMessage = strPtr(code), strPtr(msg)
	if st.Reason == reasonSucceeded {
		out.Output = outputFull
	}
	if c, ok := q[r]; ok && st.State == statePending {
		// Items start in order, so the pending ones are a suffix of the run.
		rank := i - (len(r.Items) - tm.pending(r, t))
		org, plat := c.org+rank+1, c.platform+rank+1
		out.QueuePositionOrg, out.QueuePositionPlatform = &org, &plat
	}
	for j, in := range it.Inputs {
		out.InputArtifacts = append(out.InputArtifacts, inputArtifactRead{InputArtifactID: inputID(r, i, j),
			Name: in.Name, Metadata: in.Metadata, DownloadURL: strPtr(in.URL)})
	}
	for _, o := range itemOutputs(r, i) {
		a := outputArtifactRead{OutputArtifactID: outputID(r, i, o.Name), Name: o.Name, State: st.State,
			Output: outputNone, TerminationReason: strPtr(st.Reason), ErrorCode: out.ErrorCode,
			ErrorMessage: out.ErrorMessage}
		if st.Reason == reasonSucceeded {
			a.Metadata = p.artifactMetadata(r, i, o)
			a.Output = artifactAvail
			if !r.DeletedAt.IsZero() {
				a.Output = artifactDeleted
			} else {
				a.DownloadURL = strPtr(p.cfg.signURL(resultsBucket, artifactObject(r, a.OutputArtifactID), artifactURLTTL))
			}
		}
		out.OutputArtifacts = append(out.OutputArtifacts, a)
	}
	return out
}

// itemError is the error code and message of an item that ended with reason.
func itemError(reason string) (code, msg string) {
	switch reason {
	case reasonUserError:
		return "INVALID_INPUT", "the slide could not be processed (emulated: external id contains " + failUserMarker + ")"
	case reasonSystemError:
		return "INTERNAL_ERROR", "processing failed (emulated: external id contains " + failSystemMarker + ")"
	case reasonSkipped:
		return "CANCELED_BY_USER", "the run was canceled before this item finished"
	}
	return "", ""
}
