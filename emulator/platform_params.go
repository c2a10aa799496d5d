package emulator

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Pagination bounds shared by every list operation of the spec.
const (
	minPageSize     = 5
	maxPageSize     = 100
	defaultPageSize = 50
)

// sortKey is one `sort` query value: a field and its direction.
type sortKey struct {
	field string
	desc  bool
}

// intParam reads an integer query parameter with bounds; absent gives def.
func intParam(q url.Values, name string, def, lo, hi int, errs *[]fieldError) int {
	vs, ok := q[name]
	if !ok || len(vs) == 0 {
		return def
	}
	s := vs[len(vs)-1]
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		*errs = append(*errs, wrongType("int_parsing", s, "query", name))
		return def
	}
	if n < lo {
		*errs = append(*errs, fieldError{Loc: []any{"query", name}, Type: "greater_than_equal",
			Msg: "Input should be greater than or equal to " + strconv.Itoa(lo), Input: s,
			Ctx: map[string]any{"ge": lo}})
		return def
	}
	if hi > 0 && n > hi {
		*errs = append(*errs, fieldError{Loc: []any{"query", name}, Type: "less_than_equal",
			Msg: "Input should be less than or equal to " + strconv.Itoa(hi), Input: s,
			Ctx: map[string]any{"le": hi}})
		return def
	}
	return n
}

// pageParams reads `page` and the page size (named sizeName: `page_size`, or
// `page-size` on the applications list).
func pageParams(q url.Values, sizeName string, errs *[]fieldError) (page, size int) {
	page = intParam(q, "page", 1, 1, 0, errs)
	size = intParam(q, sizeName, defaultPageSize, minPageSize, maxPageSize, errs)
	return page, size
}

// pageBounds returns the slice bounds of a page over n elements; past the end
// the page is empty.
func pageBounds(n, page, size int) (lo, hi int) {
	if page < 1 || size < 1 || page-1 > n/size { // also keeps (page-1)*size from overflowing
		return n, n
	}
	lo = (page - 1) * size
	if lo > n {
		return n, n
	}
	return lo, min(lo+size, n)
}

// sortParams reads repeated `sort` values, each a field from allowed with an
// optional + (ascending, also a space when sent unencoded) or - prefix.
func sortParams(q url.Values, allowed []string, errs *[]fieldError) []sortKey {
	var keys []sortKey
	for _, v := range q["sort"] {
		k := sortKey{field: v}
		switch {
		case strings.HasPrefix(v, "-"):
			k = sortKey{field: v[1:], desc: true}
		case strings.HasPrefix(v, "+"), strings.HasPrefix(v, " "):
			k.field = v[1:]
		}
		if !slices.Contains(allowed, k.field) {
			*errs = append(*errs, fieldError{Loc: []any{"query", "sort"}, Type: "value_error",
				Msg:   "Value error, Invalid sort field '" + k.field + "'. Allowed fields: " + strings.Join(allowed, ", "),
				Input: v, Ctx: map[string]any{"error": "invalid sort field"}})
			continue
		}
		keys = append(keys, k)
	}
	return keys
}

// enumParam reads an optional enum query parameter.
func enumParam(q url.Values, name string, values []string, errs *[]fieldError) string {
	v := q.Get(name)
	if v == "" || slices.Contains(values, v) {
		return v
	}
	*errs = append(*errs, enumError(values, v, "query", name))
	return ""
}

// boolParam reads an optional boolean query parameter the way pydantic does.
func boolParam(q url.Values, name string, errs *[]fieldError) *bool {
	if _, ok := q[name]; !ok {
		return nil
	}
	v := strings.ToLower(q.Get(name))
	var b bool
	switch v {
	case "true", "1", "yes", "on", "t", "y":
		b = true
	case "false", "0", "no", "off", "f", "n":
	default:
		*errs = append(*errs, wrongType("bool_parsing", q.Get(name), "query", name))
		return nil
	}
	return &b
}

// uuidParam reads an optional UUID query parameter.
func uuidParam(q url.Values, name string, errs *[]fieldError) string {
	v := q.Get(name)
	if v == "" {
		return ""
	}
	if !isUUID(v) {
		*errs = append(*errs, uuidError(v, "query", name))
		return ""
	}
	return canonicalUUID(v)
}

// compareKeys orders two values by a list of sort keys, given a comparison
// for each field; ties keep the original order (the sort is stable).
func compareKeys(keys []sortKey, cmp func(field string) int) int {
	for _, k := range keys {
		c := cmp(k.field)
		if k.desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return 0
}
