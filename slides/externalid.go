package slides

import (
	"fmt"
	"path/filepath"
)

// ExternalID says how a slide's external id is made from its path.
type ExternalID string

// The ways to name slides.
const (
	// ExternalIDRelative is the path relative to the PATH argument it was
	// found under, with forward slashes (a PATH that is a file: its name).
	ExternalIDRelative ExternalID = "relative"
	// ExternalIDAbsolute is the absolute path, as the Python SDK names items.
	ExternalIDAbsolute ExternalID = "absolute"
	// ExternalIDName is the file name alone.
	ExternalIDName ExternalID = "name"
)

// ParseExternalID checks a --external-id value.
func ParseExternalID(s string) (ExternalID, error) {
	switch e := ExternalID(s); e {
	case ExternalIDRelative, ExternalIDAbsolute, ExternalIDName:
		return e, nil
	case "":
		return ExternalIDRelative, nil
	}
	return "", fmt.Errorf("external id %q: must be relative, absolute or name", s)
}

// of is the external id of the file at abs, found under root (rel is abs
// relative to root, "." when root is the file).
func (e ExternalID) of(abs, rel string) string {
	switch e {
	case ExternalIDAbsolute:
		return abs
	case ExternalIDName:
		return filepath.Base(abs)
	}
	if rel == "." {
		return filepath.Base(abs)
	}
	return filepath.ToSlash(rel)
}
