package emulator

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// runRequest is a structurally valid RunCreationRequest.
type runRequest struct {
	App, Version string
	Meta         any
	Scheduling   *scheduling
	Items        []runItem
}

// createRun serves POST /v1/runs: 422 for a malformed body, 404 for an
// unknown application or version, 400 for items the version cannot take.
func (p *platform) createRun(w http.ResponseWriter, r *http.Request, _ []string) {
	p.cfg.count("create_run")
	v, errs := decodeJSON(r)
	var req runRequest
	if errs == nil {
		req, errs = parseRunRequest(v)
	}
	if len(errs) > 0 {
		writeInvalid(w, errs)
		return
	}
	app, ok := p.cat.app(req.App)
	if !ok {
		writeDetail(w, http.StatusNotFound, fmt.Sprintf("Application %q not found", req.App))
		return
	}
	ver := app.latest()
	if req.Version != "" {
		if ver, ok = app.version(req.Version); !ok {
			writeDetail(w, http.StatusNotFound, fmt.Sprintf("Application version %s:%s not found", req.App, req.Version))
			return
		}
	}
	if problems := validateItems(ver, req.Items); len(problems) > 0 {
		writeDetail(w, http.StatusBadRequest, "Input validation failed: "+strings.Join(problems, "; "))
		return
	}
	for i := range req.Items {
		it := &req.Items[i]
		for _, in := range it.Inputs {
			crc, _ := in.Metadata["checksum_base64_crc32c"].(string)
			if msg := p.cfg.checkInput(in.URL, crc); msg != "" && it.InputError == "" {
				it.InputError = fmt.Sprintf("input %q: %s", in.Name, msg)
			}
		}
	}
	pr := p.caller(r)
	p.mu.Lock()
	id := p.addRun(ver, pr.Subject, pr.OrgID, req)
	p.mu.Unlock()
	writeJSON(w, http.StatusCreated, map[string]string{"run_id": id})
}

// addRun stores a new run; the caller holds p.mu.
func (p *platform) addRun(ver *appVersion, subject, org string, req runRequest) string {
	rn := &run{ID: p.nextID("run"), seq: len(p.st.runs), ver: ver, SubmittedAt: p.now(),
		SubmittedBy: subject, OrgID: org, Meta: req.Meta, MetaSum: metadataChecksum(req.Meta),
		Scheduling: req.Scheduling, Items: req.Items}
	p.st.runs = append(p.st.runs, rn)
	p.st.byID[rn.ID] = rn
	return rn.ID
}

// validateItems checks items against the version: unique external ids, known
// and present input artifacts, metadata against each artifact's schema. Each
// problem names the item index and external id.
func validateItems(ver *appVersion, items []runItem) []string {
	var problems []string
	seen := map[string]int{}
	for i, it := range items {
		at := fmt.Sprintf("items[%d] (external_id %q)", i, it.ExternalID)
		if j, dup := seen[it.ExternalID]; dup {
			problems = append(problems, fmt.Sprintf("%s: duplicate external_id, also used by items[%d]", at, j))
		} else {
			seen[it.ExternalID] = i
		}
		given := map[string]bool{}
		for k, in := range it.Inputs {
			spec, ok := ver.input(in.Name)
			switch {
			case !ok:
				problems = append(problems, fmt.Sprintf("%s: input_artifacts[%d]: unknown artifact %q, %s:%s takes %s",
					at, k, in.Name, ver.App.ID, ver.Number, inputNames(ver)))
				continue
			case given[in.Name]:
				problems = append(problems, fmt.Sprintf("%s: input_artifacts[%d]: artifact %q given twice", at, k, in.Name))
				continue
			}
			given[in.Name] = true
			for _, e := range spec.compiled.Validate(in.Metadata) {
				path := e.Path
				if path == "" {
					path = "/"
				}
				problems = append(problems, fmt.Sprintf("%s: input_artifacts[%d] %q: metadata %s: %s",
					at, k, in.Name, path, e.Message))
			}
		}
		for _, spec := range ver.Inputs {
			if !given[spec.Name] {
				problems = append(problems, fmt.Sprintf("%s: missing input artifact %q", at, spec.Name))
			}
		}
	}
	return problems
}

// inputNames lists the input artifact names of a version.
func inputNames(ver *appVersion) string {
	var names []string
	for _, in := range ver.Inputs {
		names = append(names, fmt.Sprintf("%q", in.Name))
	}
	return strings.Join(names, ", ")
}

// parseRunRequest checks the shape of a RunCreationRequest as pydantic would,
// collecting every error with its location.
func parseRunRequest(v any) (runRequest, []fieldError) {
	var req runRequest
	var errs []fieldError
	body, ok := v.(map[string]any)
	if !ok {
		return req, []fieldError{wrongType("model_attributes_type", v, "body")}
	}
	req.App, errs = requiredString(body, "application_id", errs, "body")
	req.Version, errs = optionalString(body, "version_number", errs, "body")
	req.Meta, errs = optionalObject(body, "custom_metadata", errs, "body")
	_, errs = optionalObject(body, "callback_context", errs, "body")
	req.Scheduling, errs = parseScheduling(body, errs)
	raw, present := body["items"]
	list, isList := raw.([]any)
	switch {
	case !present:
		errs = append(errs, missing(body, "body", "items"))
	case !isList:
		errs = append(errs, wrongType("list_type", raw, "body", "items"))
	case len(list) == 0:
		errs = append(errs, fieldError{Loc: []any{"body", "items"}, Type: "too_short", Input: list,
			Msg: "List should have at least 1 item after validation, not 0",
			Ctx: map[string]any{"field_type": "List", "min_length": 1, "actual_length": 0}})
	}
	for i, x := range list {
		var it runItem
		it, errs = parseItem(x, errs, "body", "items", i)
		req.Items = append(req.Items, it)
	}
	return req, errs
}

// parseItem checks one ItemCreationRequest.
func parseItem(x any, errs []fieldError, loc ...any) (runItem, []fieldError) {
	var it runItem
	m, ok := x.(map[string]any)
	if !ok {
		return it, append(errs, wrongType("model_attributes_type", x, loc...))
	}
	it.ExternalID, errs = requiredString(m, "external_id", errs, loc...)
	if n := len([]rune(it.ExternalID)); n > 255 {
		errs = append(errs, fieldError{Loc: appendLoc(loc, "external_id"), Type: "string_too_long",
			Msg: "String should have at most 255 characters", Input: it.ExternalID,
			Ctx: map[string]any{"max_length": 255}})
	}
	it.Meta, errs = optionalObject(m, "custom_metadata", errs, loc...)
	it.MetaSum = metadataChecksum(it.Meta)
	raw, present := m["input_artifacts"]
	list, isList := raw.([]any)
	switch {
	case !present:
		errs = append(errs, missing(m, appendLoc(loc, "input_artifacts")...))
	case !isList:
		errs = append(errs, wrongType("list_type", raw, appendLoc(loc, "input_artifacts")...))
	}
	for j, a := range list {
		aloc := appendLoc(loc, "input_artifacts", j)
		am, ok := a.(map[string]any)
		if !ok {
			errs = append(errs, wrongType("model_attributes_type", a, aloc...))
			continue
		}
		var in inputArtifact
		in.Name, errs = requiredString(am, "name", errs, aloc...)
		in.URL, errs = requiredString(am, "download_url", errs, aloc...)
		if _, has := am["download_url"]; has && !validURL(in.URL) {
			errs = append(errs, fieldError{Loc: appendLoc(aloc, "download_url"), Type: "url_parsing",
				Msg: "Input should be a valid URL", Input: am["download_url"]})
		}
		md, present := am["metadata"]
		obj, isObj := md.(map[string]any)
		switch {
		case !present:
			errs = append(errs, missing(am, appendLoc(aloc, "metadata")...))
		case !isObj:
			errs = append(errs, wrongType("dict_type", md, appendLoc(aloc, "metadata")...))
		}
		in.Metadata = obj
		it.Inputs = append(it.Inputs, in)
	}
	return it, errs
}

// validURL accepts an absolute URL of 1 to 2083 characters with a scheme and host.
func validURL(s string) bool {
	if s == "" || len(s) > 2083 {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme != "" && (u.Host != "" || u.Opaque != "")
}

// parseScheduling checks the optional SchedulingRequest.
func parseScheduling(body map[string]any, errs []fieldError) (*scheduling, []fieldError) {
	raw, ok := body["scheduling"]
	if !ok || raw == nil {
		return nil, errs
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, append(errs, wrongType("model_attributes_type", raw, "body", "scheduling"))
	}
	s := &scheduling{}
	for _, f := range []struct {
		name string
		dst  **time.Time
	}{{"due_date", &s.DueDate}, {"deadline", &s.Deadline}} {
		x, ok := m[f.name]
		if !ok || x == nil {
			continue
		}
		str, _ := x.(string)
		t, err := time.Parse(time.RFC3339Nano, str)
		if err != nil {
			errs = append(errs, wrongType("datetime_from_date_parsing", x, "body", "scheduling", f.name))
			continue
		}
		*f.dst = &t
	}
	return s, errs
}

func appendLoc(loc []any, more ...any) []any {
	return append(append([]any{}, loc...), more...)
}

// requiredString reads a required string field.
func requiredString(m map[string]any, name string, errs []fieldError, loc ...any) (string, []fieldError) {
	x, ok := m[name]
	if !ok {
		return "", append(errs, missing(m, appendLoc(loc, name)...))
	}
	s, ok := x.(string)
	if !ok {
		return "", append(errs, wrongType("string_type", x, appendLoc(loc, name)...))
	}
	return s, errs
}

// optionalString reads an optional, nullable string field.
func optionalString(m map[string]any, name string, errs []fieldError, loc ...any) (string, []fieldError) {
	x, ok := m[name]
	if !ok || x == nil {
		return "", errs
	}
	s, ok := x.(string)
	if !ok {
		return "", append(errs, wrongType("string_type", x, appendLoc(loc, name)...))
	}
	return s, errs
}

// optionalObject reads an optional, nullable object field.
func optionalObject(m map[string]any, name string, errs []fieldError, loc ...any) (any, []fieldError) {
	x, ok := m[name]
	if !ok || x == nil {
		return nil, errs
	}
	if _, ok := x.(map[string]any); !ok {
		return nil, append(errs, wrongType("dict_type", x, appendLoc(loc, name)...))
	}
	return x, errs
}
