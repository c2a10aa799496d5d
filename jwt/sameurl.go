package jwt

import (
	"net/url"
	"strings"
)

// sameURL compares two issuer or audience values. They must be equal strings,
// except that with loopback set two URLs whose hosts are both loopback names
// (localhost, 127.0.0.1, [::1]) match when everything but the host name matches.
func sameURL(a, b string, loopback bool) bool {
	if a == b {
		return true
	}
	if !loopback {
		return false
	}
	ua, err := url.Parse(a)
	if err != nil {
		return false
	}
	ub, err := url.Parse(b)
	if err != nil {
		return false
	}
	if !isLoopbackName(ua.Hostname()) || !isLoopbackName(ub.Hostname()) {
		return false
	}
	return ua.Scheme == ub.Scheme && ua.Port() == ub.Port() && ua.Opaque == "" && ub.Opaque == "" &&
		ua.User.String() == ub.User.String() && ua.EscapedPath() == ub.EscapedPath() &&
		ua.RawQuery == ub.RawQuery && ua.Fragment == ub.Fragment
}

// isLoopbackName reports whether h is one of the loopback host names treated as equal.
func isLoopbackName(h string) bool {
	switch strings.ToLower(h) {
	case "localhost", "127.0.0.1", "::1":
		return true
	}
	return false
}
