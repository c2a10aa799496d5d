package resources

import (
	"regexp"
	"strings"
)

// TagsFilter is the custom_metadata JSONPath the Python SDK sends to find
// runs tagged with any of tags: `$.sdk.tags ? (@ like_regex "^(a|b)$")`. Each
// tag is matched literally (regular expression characters are escaped), and
// the expression is a valid JSONPath string literal whatever the tags hold.
func TagsFilter(tags []string) string {
	alts := make([]string, len(tags))
	for i, t := range tags {
		alts[i] = regexp.QuoteMeta(t)
	}
	re := "^(" + strings.Join(alts, "|") + ")$"
	return `$.sdk.tags ? (@ like_regex "` + jsonPathString(re) + `")`
}

// jsonPathString escapes s for a double-quoted JSONPath string literal.
func jsonPathString(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte("0123456789abcdef"[r>>4])
			b.WriteByte("0123456789abcdef"[r&0xf])
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// HasTags reports whether custom metadata carries every one of tags in
// sdk.tags, the list the Python SDK writes.
func HasTags(md map[string]any, tags []string) bool {
	have := map[string]bool{}
	for _, t := range SDKTags(md) {
		have[t] = true
	}
	for _, t := range tags {
		if !have[t] {
			return false
		}
	}
	return true
}

// SDKTags returns the tags in custom metadata's sdk.tags (nil when absent).
func SDKTags(md map[string]any) []string {
	sdk, _ := md["sdk"].(map[string]any)
	list, _ := sdk["tags"].([]any)
	var out []string
	for _, v := range list {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// NoteFilter is the custom_metadata JSONPath the Python SDK sends to find
// runs whose note matches re case-insensitively:
// `$.sdk.note ? (@ like_regex "RE" flag "i")`, re escaped for the string literal.
func NoteFilter(re string) string {
	return `$.sdk.note ? (@ like_regex "` + jsonPathString(re) + `" flag "i")`
}

// SDKNote returns custom metadata's sdk.note and whether there is one.
func SDKNote(md map[string]any) (string, bool) {
	sdk, _ := md["sdk"].(map[string]any)
	n, ok := sdk["note"].(string)
	return n, ok
}
