package emulator

import (
	"net/http"
	"time"
)

// findReadableRun looks run_id up for reading (owner, organization, grant or
// share token). It answers 422, 404 or forbidden (403, or 404 where the
// operation does not list 403) and returns false when it did.
func (p *platform) findReadableRun(w http.ResponseWriter, r *http.Request, rawID string, forbidden int) (*run, bool) {
	id, ok := pathUUID(w, "run_id", rawID)
	if !ok {
		return nil, false
	}
	rn, ok := p.st.byID[id]
	if !ok {
		writeDetail(w, http.StatusNotFound, "Run not found")
		return nil, false
	}
	if !p.canRead(rn, p.caller(r), r.URL.Query().Get("share_token")) {
		if forbidden == http.StatusNotFound {
			writeDetail(w, http.StatusNotFound, "Run not found")
		} else {
			writeDetail(w, forbidden, "You don't have permission to see this run")
		}
		return nil, false
	}
	return rn, true
}

// findOwnRun looks run_id up for a change only its submitter may make.
func (p *platform) findOwnRun(w http.ResponseWriter, r *http.Request, rawID string, forbidden int, verb string) (*run, bool) {
	id, ok := pathUUID(w, "run_id", rawID)
	if !ok {
		return nil, false
	}
	rn, ok := p.st.byID[id]
	if !ok {
		writeDetail(w, http.StatusNotFound, "Run not found")
		return nil, false
	}
	if rn.SubmittedBy != p.caller(r).Subject {
		if forbidden == http.StatusNotFound {
			writeDetail(w, http.StatusNotFound, "Run not found")
		} else {
			writeDetail(w, forbidden, "You don't have permission to "+verb+" this run")
		}
		return nil, false
	}
	return rn, true
}

// getRun serves GET /v1/runs/{run_id}.
func (p *platform) getRun(w http.ResponseWriter, r *http.Request, args []string) {
	p.mu.RLock()
	rn, ok := p.findReadableRun(w, r, args[0], http.StatusForbidden)
	if !ok {
		p.mu.RUnlock()
		return
	}
	t := p.now()
	out := p.runJSON(rn, t, p.precedingItems([]*run{rn}, t))
	p.mu.RUnlock()
	writeJSON(w, http.StatusOK, out)
}

// cancelRun serves POST /v1/runs/{run_id}/cancel: 202, or 409 once terminated.
func (p *platform) cancelRun(w http.ResponseWriter, r *http.Request, args []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	rn, ok := p.findOwnRun(w, r, args[0], http.StatusForbidden, "cancel")
	if !ok {
		return
	}
	t := p.now()
	if p.timing().run(rn, t).State == stateTerminated {
		writeDetail(w, http.StatusConflict, "The run is already terminated")
		return
	}
	rn.CanceledAt = t
	writeJSON(w, http.StatusAccepted, map[string]any{})
}

// getItem serves GET /v1/runs/{run_id}/items/{external_id}.
func (p *platform) getItem(w http.ResponseWriter, r *http.Request, args []string) {
	p.mu.RLock()
	rn, ok := p.findReadableRun(w, r, args[0], http.StatusForbidden)
	if !ok {
		p.mu.RUnlock()
		return
	}
	for i := range rn.Items {
		if rn.Items[i].ExternalID == args[1] {
			t := p.now()
			out := p.itemJSON(rn, i, t, p.precedingItems([]*run{rn}, t))
			p.mu.RUnlock()
			writeJSON(w, http.StatusOK, out)
			return
		}
	}
	p.mu.RUnlock()
	writeDetail(w, http.StatusNotFound, "Item not found")
}

// artifactFile serves GET /v1/runs/{run_id}/artifacts/{artifact_id}/file:
// 307 to a signed storage URL, 410 once deleted, 404 while not produced.
func (p *platform) artifactFile(w http.ResponseWriter, r *http.Request, args []string) {
	aid, ok := pathUUID(w, "artifact_id", args[1])
	if !ok {
		return
	}
	p.mu.RLock()
	rn, ok := p.findReadableRun(w, r, args[0], http.StatusForbidden)
	if !ok {
		p.mu.RUnlock()
		return
	}
	i, _, found := findArtifact(rn, aid)
	deleted := !rn.DeletedAt.IsZero()
	st := p.timing().item(rn, i, p.now())
	p.mu.RUnlock()
	switch {
	case !found:
		writeDetail(w, http.StatusNotFound, "Artifact not found for the specified run")
	case st.Reason != reasonSucceeded:
		writeDetail(w, http.StatusNotFound, "Artifact is not available: its item is "+itemPhase(st))
	case deleted:
		writeDetail(w, http.StatusGone, "Artifact has been deleted")
	default:
		writeRedirect(w, p.cfg.signURL(resultsBucket, artifactObject(rn, aid), artifactURLTTL))
	}
}

// itemPhase describes an item status in words.
func itemPhase(st itemStatus) string {
	if st.Reason != "" {
		return st.State + " (" + st.Reason + ")"
	}
	return st.State
}

// deleteArtifacts serves DELETE /v1/runs/{run_id}/artifacts: only for a
// terminated run (422 otherwise); its available artifacts become DELETED_BY_USER.
func (p *platform) deleteArtifacts(w http.ResponseWriter, r *http.Request, args []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	rn, ok := p.findOwnRun(w, r, args[0], http.StatusNotFound, "delete the artifacts of")
	if !ok {
		return
	}
	t := p.now()
	if p.timing().run(rn, t).State != stateTerminated {
		writeInvalid(w, []fieldError{{Loc: []any{"path", "run_id"}, Type: "value_error", Input: rn.ID,
			Msg: "Value error, the run is not terminated; artifacts can only be deleted once it is"}})
		return
	}
	if rn.DeletedAt.IsZero() {
		rn.DeletedAt = t
	}
	writeJSON(w, http.StatusOK, map[string]any{"run_id": rn.ID, "deleted_at": rn.DeletedAt.UTC().Format(time.RFC3339Nano)})
}
