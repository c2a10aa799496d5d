package resources

import (
	"errors"
	"fmt"
	"strings"
)

// ErrBadAppRef: an APP[:VERSION] reference that does not parse.
var ErrBadAppRef = errors.New("expected APP or APP:VERSION")

// ParseAppRef splits "APP[:VERSION]". The version is "" when omitted (meaning
// the latest by semver); "APP:" with an empty version is an error.
func ParseAppRef(s string) (app, version string, err error) {
	app, version, hasColon := strings.Cut(s, ":")
	switch {
	case app == "":
		return "", "", fmt.Errorf("application reference %q: %w (application id is empty)", s, ErrBadAppRef)
	case hasColon && version == "":
		return "", "", fmt.Errorf("application reference %q: %w (version after ':' is empty; omit ':' for the latest)", s, ErrBadAppRef)
	case strings.ContainsAny(app, "/ \t") || strings.ContainsAny(version, "/ \t:"):
		return "", "", fmt.Errorf("application reference %q: %w", s, ErrBadAppRef)
	}
	return app, version, nil
}
