// Package semver parses versions and orders them by precedence as semver.org 2.0.0
// specifies (pre-release identifiers included, build metadata ignored).
package semver

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is a parsed semantic version.
type Version struct {
	Major, Minor, Patch uint64
	Pre                 []string // pre-release identifiers, e.g. ["alpha", "1"]
	Build               string   // build metadata after "+", without the "+"
}

// Error describes why a string is not a semantic version.
type Error struct {
	Input  string
	Reason string
}

// Error implements error.
func (e *Error) Error() string {
	return fmt.Sprintf("parse version %q: %s", e.Input, e.Reason)
}

// maxLen bounds the input accepted by Parse.
const maxLen = 256

// Parse parses s as MAJOR.MINOR.PATCH[-PRE][+BUILD] per semver.org 2.0.0. A leading
// "v", leading zeros in numeric parts and empty identifiers are errors (*Error).
func Parse(s string) (Version, error) {
	fail := func(format string, args ...any) (Version, error) {
		in := s
		if len(in) > 64 {
			in = in[:64] + "..."
		}
		return Version{}, &Error{Input: in, Reason: fmt.Sprintf(format, args...)}
	}
	if len(s) > maxLen {
		return fail("longer than %d bytes", maxLen)
	}
	if s == "" {
		return fail("empty")
	}
	if s[0] == 'v' || s[0] == 'V' {
		return fail("leading %q is not part of a semantic version (use %q)", s[:1], s[1:])
	}
	var v Version
	rest := s
	if i := strings.IndexByte(rest, '+'); i >= 0 {
		v.Build = rest[i+1:]
		rest = rest[:i]
		if err := checkIdents(v.Build, false); err != "" {
			return fail("build metadata: %s", err)
		}
	}
	if i := strings.IndexByte(rest, '-'); i >= 0 {
		pre := rest[i+1:]
		rest = rest[:i]
		if err := checkIdents(pre, true); err != "" {
			return fail("pre-release: %s", err)
		}
		v.Pre = strings.Split(pre, ".")
	}
	if rest == "" {
		return fail("missing MAJOR.MINOR.PATCH before %q", s[:1])
	}
	core := strings.Split(rest, ".")
	if len(core) != 3 {
		return fail("want MAJOR.MINOR.PATCH, found %d dot-separated parts", len(core))
	}
	names := [3]string{"major", "minor", "patch"}
	dst := [3]*uint64{&v.Major, &v.Minor, &v.Patch}
	for i, p := range core {
		if p == "" {
			return fail("%s version is empty", names[i])
		}
		if !allDigits(p) {
			return fail("%s version %q is not a number", names[i], p)
		}
		if len(p) > 1 && p[0] == '0' {
			return fail("%s version %q has a leading zero", names[i], p)
		}
		n, err := strconv.ParseUint(p, 10, 64)
		if err != nil {
			return fail("%s version %q is too large", names[i], p)
		}
		*dst[i] = n
	}
	return v, nil
}

// checkIdents checks dot-separated identifiers of [0-9A-Za-z-]; numeric pre-release
// identifiers must not have leading zeros. It returns "" or the problem.
func checkIdents(s string, pre bool) string {
	for _, id := range strings.Split(s, ".") {
		if id == "" {
			return "empty identifier"
		}
		for i := 0; i < len(id); i++ {
			c := id[i]
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-') {
				return fmt.Sprintf("identifier %q has invalid character %q", id, c)
			}
		}
		if pre && allDigits(id) && len(id) > 1 && id[0] == '0' {
			return fmt.Sprintf("numeric identifier %q has a leading zero", id)
		}
	}
	return ""
}

// allDigits reports whether s is non-empty and all ASCII digits.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// String formats v in its canonical form.
func (v Version) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d.%d.%d", v.Major, v.Minor, v.Patch)
	if len(v.Pre) > 0 {
		b.WriteByte('-')
		b.WriteString(strings.Join(v.Pre, "."))
	}
	if v.Build != "" {
		b.WriteByte('+')
		b.WriteString(v.Build)
	}
	return b.String()
}
