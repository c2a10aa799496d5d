package checksum

import (
	"net/http"
	"strings"
)

// GoogHash returns the crc32c value of the x-goog-hash response header. GCS sends
// either one header with comma-joined values ("crc32c=...,md5=...") or one header
// line per value; both forms, and a mix, are handled. The value is returned as sent
// (base64); ok is false when no crc32c entry is present.
func GoogHash(h http.Header) (crc32c string, ok bool) {
	for _, line := range h.Values("X-Goog-Hash") {
		for part := range strings.SplitSeq(line, ",") {
			name, value, found := strings.Cut(strings.TrimSpace(part), "=")
			if !found || !strings.EqualFold(strings.TrimSpace(name), "crc32c") {
				continue
			}
			if v := strings.TrimSpace(value); v != "" {
				return v, true
			}
		}
	}
	return "", false
}
