package jsonschema

import (
	"net/url"
	"strings"
	"time"
)

// knownFormat reports the formats that are checked.
func knownFormat(f string) bool {
	return f == "date-time" || f == "uri"
}

// checkFormat reports whether s is valid for format f (a known format).
func checkFormat(f, s string) bool {
	switch f {
	case "date-time":
		return isDateTime(s)
	case "uri":
		return isURI(s)
	}
	return true
}

// isDateTime checks an RFC 3339 date-time: "T"/"Z" in either case, a leap second
// allowed, a time-zone offset required.
func isDateTime(s string) bool {
	if len(s) < len("2006-01-02T15:04:05Z") {
		return false
	}
	s = strings.ToUpper(s)
	if s[17:19] == "60" { // leap second: check the rest with :59
		s = s[:17] + "59" + s[19:]
	}
	_, err := time.Parse(time.RFC3339Nano, s)
	return err == nil
}

// isURI checks an absolute URI: a scheme, and no characters RFC 3986 forbids.
func isURI(s string) bool {
	for _, r := range s {
		if r <= ' ' || r >= 0x7f || strings.ContainsRune(`"<>\^`+"`{|}", r) {
			return false
		}
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme != ""
}
