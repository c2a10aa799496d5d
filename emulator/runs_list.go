package emulator

import (
	"cmp"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"

	"github.com/aignostics/aignostics/internal/semver"
)

// runSortFields and itemSortFields are the sort keys the spec lists.
func runSortFields() []string {
	return []string{"run_id", "application_id", "version_number", "custom_metadata",
		"submitted_at", "submitted_by", "terminated_at", "termination_reason"}
}

func itemSortFields() []string {
	return []string{"item_id", "external_id", "custom_metadata", "terminated_at", "termination_reason"}
}

// The spec's enums used as query filters.
func itemStates() []string { return []string{statePending, stateProcessing, stateTerminated} }
func itemReasons() []string {
	return []string{reasonSucceeded, reasonUserError, reasonSystemError, reasonSkipped}
}

// metaFilterParam reads the custom_metadata query parameter.
func metaFilterParam(q url.Values, errs *[]fieldError) *metaFilter {
	s := q.Get("custom_metadata")
	if s == "" {
		return nil
	}
	if len(s) > maxFilterLength {
		*errs = append(*errs, fieldError{Loc: []any{"query", "custom_metadata"}, Type: "string_too_long",
			Msg: "String should have at most 1000 characters", Input: s, Ctx: map[string]any{"max_length": maxFilterLength}})
		return nil
	}
	f, err := parseMetaFilter(s)
	if err != nil {
		*errs = append(*errs, fieldError{Loc: []any{"query", "custom_metadata"}, Type: "value_error",
			Msg: "Value error, unsupported JSONPath expression: " + err.Error() +
				`; supported: $.a.b, $.a.b == "v" (==, !=, <, <=, >, >= with strings, numbers, booleans, null), ` +
				`$.a.b like_regex "re" [flag "i"], $.a ? (@.b == "v"), $.a[*] ? (@ like_regex "re")`,
			Input: s})
	}
	return f
}

// metaJSON is the canonical JSON of a metadata value for sorting; null sorts last.
func metaJSON(v any) (string, bool) {
	if v == nil {
		return "", false
	}
	b, _ := json.Marshal(v)
	return string(b), true
}

// compareNullable orders present values before absent ones (NULLS LAST).
func compareNullable[T cmp.Ordered](a T, aok bool, b T, bok bool) int {
	switch {
	case aok && bok:
		return cmp.Compare(a, b)
	case aok:
		return -1
	case bok:
		return 1
	}
	return 0
}

// runRow is a run with what sorting needs, computed once per request.
type runRow struct {
	r    *run
	st   runStatus
	meta string
	has  bool
}

// listRuns serves GET /v1/runs with the spec's filters, sort keys and pages.
func (p *platform) listRuns(w http.ResponseWriter, r *http.Request, _ []string) {
	q := r.URL.Query()
	var errs []fieldError
	page, size := pageParams(q, "page_size", &errs)
	keys := sortParams(q, runSortFields(), &errs)
	filter := metaFilterParam(q, &errs)
	if len(errs) > 0 {
		writeInvalid(w, errs)
		return
	}
	pr := p.caller(r)
	app, version, ext := q.Get("application_id"), q.Get("application_version"), q.Get("external_id")
	by := q.Get("submitted_by")
	if by == "me" {
		by = pr.Subject
	}
	org := q.Get("organization_id")
	if org == "my_org" {
		org = pr.OrgID
	}
	forOrg := q.Get("for_organization")
	needMeta := slices.ContainsFunc(keys, func(k sortKey) bool { return k.field == "custom_metadata" })

	p.mu.RLock()
	t := p.now()
	tm := p.timing()
	var rows []*runRow
	for _, rn := range p.st.runs {
		visible := rn.OrgID == pr.OrgID || rn.SubmittedBy == pr.Subject
		if forOrg != "" {
			visible = rn.OrgID == forOrg && (forOrg == pr.OrgID || pr.Role == "superadmin")
		}
		if !visible || (app != "" && rn.ver.App.ID != app) || (version != "" && rn.ver.Number != version) ||
			(by != "" && rn.SubmittedBy != by) || (org != "" && rn.OrgID != org) ||
			(ext != "" && !slices.ContainsFunc(rn.Items, func(it runItem) bool { return it.ExternalID == ext })) ||
			(filter != nil && !filter.match(rn.Meta)) {
			continue
		}
		row := &runRow{r: rn, st: tm.run(rn, t)}
		if needMeta {
			row.meta, row.has = metaJSON(rn.Meta)
		}
		rows = append(rows, row)
	}
	if len(keys) > 0 {
		slices.SortStableFunc(rows, func(a, b *runRow) int { return compareRuns(keys, a, b) })
	}
	lo, hi := pageBounds(len(rows), page, size)
	pageRuns := make([]*run, 0, hi-lo)
	for _, row := range rows[lo:hi] {
		pageRuns = append(pageRuns, row.r)
	}
	queue := p.precedingItems(pageRuns, t)
	out := make([]runJSON, 0, len(pageRuns))
	for _, rn := range pageRuns {
		out = append(out, p.runJSON(rn, t, queue))
	}
	p.mu.RUnlock()
	writeJSON(w, http.StatusOK, out)
}

// compareRuns orders two runs by the sort keys.
func compareRuns(keys []sortKey, a, b *runRow) int {
	return compareKeys(keys, func(f string) int {
		switch f {
		case "run_id":
			return cmp.Compare(a.r.ID, b.r.ID)
		case "application_id":
			return cmp.Compare(a.r.ver.App.ID, b.r.ver.App.ID)
		case "version_number":
			return semver.Compare(a.r.ver.semver, b.r.ver.semver)
		case "custom_metadata":
			return compareNullable(a.meta, a.has, b.meta, b.has)
		case "submitted_at":
			return a.r.SubmittedAt.Compare(b.r.SubmittedAt)
		case "submitted_by":
			return cmp.Compare(a.r.SubmittedBy, b.r.SubmittedBy)
		case "terminated_at":
			return compareNullable(a.st.TerminatedAt.UnixNano(), !a.st.TerminatedAt.IsZero(),
				b.st.TerminatedAt.UnixNano(), !b.st.TerminatedAt.IsZero())
		default: // termination_reason
			return compareNullable(a.st.Reason, a.st.Reason != "", b.st.Reason, b.st.Reason != "")
		}
	})
}

// itemRow is an item with what filtering and sorting need.
type itemRow struct {
	i    int
	id   string
	st   itemStatus
	meta string
	has  bool
}

// listItems serves GET /v1/runs/{run_id}/items.
func (p *platform) listItems(w http.ResponseWriter, r *http.Request, args []string) {
	q := r.URL.Query()
	var errs []fieldError
	page, size := pageParams(q, "page_size", &errs)
	keys := sortParams(q, itemSortFields(), &errs)
	filter := metaFilterParam(q, &errs)
	state := enumParam(q, "state", itemStates(), &errs)
	reason := enumParam(q, "termination_reason", itemReasons(), &errs)
	ids := map[string]bool{}
	for k, v := range q["item_id__in"] {
		if !isUUID(v) {
			errs = append(errs, uuidError(v, "query", "item_id__in", k))
			continue
		}
		ids[canonicalUUID(v)] = true
	}
	exts := map[string]bool{}
	for _, v := range q["external_id__in"] {
		exts[v] = true
	}
	if len(errs) > 0 {
		writeInvalid(w, errs)
		return
	}
	p.mu.RLock()
	rn, ok := p.findReadableRun(w, r, args[0], http.StatusNotFound)
	if !ok {
		p.mu.RUnlock()
		return
	}
	t := p.now()
	tm := p.timing()
	var rows []itemRow
	for i := range rn.Items {
		it := &rn.Items[i]
		row := itemRow{i: i, id: itemID(rn, i), st: tm.item(rn, i, t)}
		if (len(ids) > 0 && !ids[row.id]) || (len(exts) > 0 && !exts[it.ExternalID]) ||
			(state != "" && row.st.State != state) || (reason != "" && row.st.Reason != reason) ||
			(filter != nil && !filter.match(it.Meta)) {
			continue
		}
		row.meta, row.has = metaJSON(it.Meta)
		rows = append(rows, row)
	}
	slices.SortStableFunc(rows, func(a, b itemRow) int {
		return compareKeys(keys, func(f string) int {
			switch f {
			case "item_id":
				return cmp.Compare(a.id, b.id)
			case "external_id":
				return cmp.Compare(rn.Items[a.i].ExternalID, rn.Items[b.i].ExternalID)
			case "custom_metadata":
				return compareNullable(a.meta, a.has, b.meta, b.has)
			case "terminated_at":
				return compareNullable(a.st.At.UnixNano(), !a.st.At.IsZero(), b.st.At.UnixNano(), !b.st.At.IsZero())
			default:
				return compareNullable(a.st.Reason, a.st.Reason != "", b.st.Reason, b.st.Reason != "")
			}
		})
	})
	lo, hi := pageBounds(len(rows), page, size)
	queue := p.precedingItems([]*run{rn}, t)
	out := make([]itemJSON, 0, hi-lo)
	for _, row := range rows[lo:hi] {
		out = append(out, p.itemJSON(rn, row.i, t, queue))
	}
	p.mu.RUnlock()
	writeJSON(w, http.StatusOK, out)
}
