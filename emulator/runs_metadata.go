package emulator

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
)

// metadataChecksum is the checksum of a custom metadata value: SHA-256 of
// its canonical JSON (object keys sorted, numbers as written); "" for null.
func metadataChecksum(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// decodeJSON decodes a request body keeping numbers exact; a decode failure
// is returned as the FastAPI json_invalid error.
func decodeJSON(r *http.Request) (any, []fieldError) {
	b, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil {
		return nil, []fieldError{{Loc: []any{"body"}, Msg: "JSON decode error", Type: "json_invalid",
			Ctx: map[string]any{"error": "could not read the body"}}}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	err = dec.Decode(&v)
	if err == nil {
		if _, e := dec.Token(); e != io.EOF {
			err = io.ErrUnexpectedEOF
		}
	}
	if err != nil {
		pos := len(b)
		if se, ok := err.(*json.SyntaxError); ok {
			pos = int(se.Offset)
		}
		return nil, []fieldError{{Loc: []any{"body", pos}, Msg: "JSON decode error", Type: "json_invalid",
			Input: map[string]any{}, Ctx: map[string]any{"error": err.Error()}}}
	}
	return v, nil
}

// metadataUpdate is a decoded CustomMetadataUpdateRequest.
type metadataUpdate struct {
	meta        any
	checksum    string
	hasChecksum bool
}

// decodeMetadataUpdate reads and checks a CustomMetadataUpdateRequest.
func decodeMetadataUpdate(w http.ResponseWriter, r *http.Request) (metadataUpdate, bool) {
	v, errs := decodeJSON(r)
	var u metadataUpdate
	if errs == nil {
		body, ok := v.(map[string]any)
		if !ok {
			errs = append(errs, wrongType("model_attributes_type", v, "body"))
		} else {
			if m, ok := body["custom_metadata"]; ok && m != nil {
				if _, isObj := m.(map[string]any); !isObj {
					errs = append(errs, wrongType("dict_type", m, "body", "custom_metadata"))
				}
				u.meta = m
			}
			if c, ok := body["custom_metadata_checksum"]; ok && c != nil {
				s, isStr := c.(string)
				if !isStr {
					errs = append(errs, wrongType("string_type", c, "body", "custom_metadata_checksum"))
				}
				u.checksum, u.hasChecksum = s, true
			}
		}
	}
	if len(errs) > 0 {
		writeInvalid(w, errs)
		return u, false
	}
	return u, true
}

// metadataResponse is the spec's CustomMetadataUpdateResponse.
type metadataResponse struct {
	CustomMetadataChecksum *string `json:"custom_metadata_checksum"`
}

// putRunMetadata serves PUT /v1/runs/{run_id}/custom-metadata.
func (p *platform) putRunMetadata(w http.ResponseWriter, r *http.Request, args []string) {
	id, ok := pathUUID(w, "run_id", args[0])
	if !ok {
		return
	}
	u, ok := decodeMetadataUpdate(w, r)
	if !ok {
		return
	}
	pr := p.caller(r)
	p.mu.Lock()
	defer p.mu.Unlock()
	run, ok := p.st.byID[id]
	switch {
	case !ok:
		writeDetail(w, http.StatusNotFound, "Run not found")
	case run.SubmittedBy != pr.Subject:
		writeDetail(w, http.StatusForbidden, "You don't have permission to update this run")
	case u.hasChecksum && u.checksum != run.MetaSum:
		writeDetail(w, http.StatusPreconditionFailed, "Checksum mismatch: the custom metadata was modified")
	default:
		run.Meta, run.MetaSum = u.meta, metadataChecksum(u.meta)
		writeJSON(w, http.StatusOK, metadataResponse{strPtr(run.MetaSum)})
	}
}

// putItemMetadata serves PUT /v1/runs/{run_id}/items/{external_id}/custom-metadata.
func (p *platform) putItemMetadata(w http.ResponseWriter, r *http.Request, args []string) {
	id, ok := pathUUID(w, "run_id", args[0])
	if !ok {
		return
	}
	u, ok := decodeMetadataUpdate(w, r)
	if !ok {
		return
	}
	pr := p.caller(r)
	p.mu.Lock()
	defer p.mu.Unlock()
	run, ok := p.st.byID[id]
	if !ok {
		writeDetail(w, http.StatusNotFound, "Item not found")
		return
	}
	if run.SubmittedBy != pr.Subject {
		writeDetail(w, http.StatusForbidden, "You don't have permission to update this item")
		return
	}
	for i := range run.Items {
		it := &run.Items[i]
		if it.ExternalID != args[1] {
			continue
		}
		if u.hasChecksum && u.checksum != it.MetaSum {
			writeDetail(w, http.StatusPreconditionFailed, "Checksum mismatch: the custom metadata was modified")
			return
		}
		it.Meta, it.MetaSum = u.meta, metadataChecksum(u.meta)
		writeJSON(w, http.StatusOK, metadataResponse{strPtr(it.MetaSum)})
		return
	}
	writeDetail(w, http.StatusNotFound, "Item not found")
}
