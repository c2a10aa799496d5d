package settings

import (
	"encoding/json"
	"fmt"
)

// masked is what every printed form of a non-empty Secret shows.
const masked = "**********"

// Secret holds a credential. Every way of printing it (String, the fmt verbs
// %v %+v %#v %s %q %x, JSON and text marshalling) shows "**********", or ""
// when it is empty; only Reveal returns the value.
type Secret string

// Reveal returns the secret value. Call it only where the value is sent to
// its intended recipient or shown on explicit request.
func (s Secret) Reveal() string { return string(s) }

// String returns the masked form.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return masked
}

// GoString returns the masked form quoted, for %#v.
func (s Secret) GoString() string { return fmt.Sprintf("%q", s.String()) }

// Format writes the masked form for every verb, so no fmt verb can leak the
// value (%x and %q included).
func (s Secret) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'q' || (verb == 'v' && f.Flag('#')):
		fmt.Fprintf(f, "%q", s.String())
	default:
		fmt.Fprint(f, s.String())
	}
}

// MarshalJSON encodes the masked form as a JSON string.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// MarshalText returns the masked form (used by encoders that prefer text).
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
