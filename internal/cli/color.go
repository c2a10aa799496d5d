package cli

import "strings"

// Colour. Only on a terminal, never with --no-color or NO_COLOR
// (iostreams decides: ColorEnabled for stdout, ErrColorEnabled for
// stderr). States are coloured by what they mean to a person waiting:
// done well green, failed red, under way yellow, not started dim.

// ANSI styles by name, for the template helper color and the CLI itself.
func ansiStyle(name string) (string, bool) {
	switch strings.ToLower(name) {
	case "red":
		return "\x1b[31m", true
	case "green":
		return "\x1b[32m", true
	case "yellow":
		return "\x1b[33m", true
	case "blue":
		return "\x1b[34m", true
	case "magenta":
		return "\x1b[35m", true
	case "cyan":
		return "\x1b[36m", true
	case "bold":
		return "\x1b[1m", true
	case "dim", "gray", "grey":
		return "\x1b[2m", true
	}
	return "", false
}

// stateStyle is the style of a run, item or artifact state or outcome.
func stateStyle(s string) string {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "SUCCEEDED", "ALL_ITEMS_PROCESSED", "AVAILABLE", "UP", "DOWNLOADED", "OK":
		return "green"
	case "USER_ERROR", "SYSTEM_ERROR", "FAILED", "DOWN", "ERROR", "CANCELED_BY_USER", "CANCELED_BY_SYSTEM",
		"DELETED_BY_USER", "DELETED_BY_SYSTEM", "DELETED", "INTEGRITY":
		return "red"
	case "PROCESSING", "RUNNING", "DEGRADED", "PENDING", "SCHEDULED":
		return "yellow"
	case "SKIPPED", "NONE":
		return "dim"
	}
	return ""
}

// paint wraps s in style when on is true (a terminal, colour allowed).
func paint(on bool, style, s string) string {
	if !on || s == "" {
		return s
	}
	code, ok := ansiStyle(style)
	if !ok {
		return s
	}
	return code + s + "\x1b[0m"
}

// paintState colours a state by its meaning.
func paintState(on bool, s string) string { return paint(on, stateStyle(s), s) }
