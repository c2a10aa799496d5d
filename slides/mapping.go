package slides

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// Mapping sets metadata on the slides whose absolute path matches Pattern
// (unanchored, as Python's re.search), as the Python SDK's --mapping does.
type Mapping struct {
	Source  string // as given
	Pattern *regexp.Regexp
	Keys    []string // in the order given
	Values  []string
}

// mappingSyntax is the Python SDK's check of a mapping: REGEX:key=value,...
// The regex is the shortest prefix that leaves a valid list of pairs, so
// it may itself contain colons. Compiled on first use, not at start-up.
var mappingSyntax = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(.+?):(\w+=[^,]+(?:,\w+=[^,]+)*)$`)
})

// fixed are fields a mapping may not set: they are facts of the file.
var fixed = map[string]bool{"path": true, "external_id": true, "checksum_base64_crc32c": true,
	"format": true, "levels": true, "size_bytes": true, "mpp_y": true}

// ParseMapping reads `REGEX:key=value,key=value`. The keys width_px,
// height_px, resolution_mpp, media_type and platform_bucket_url set those
// fields (numbers checked); any other key is metadata (staining_method,
// tissue, disease, or a key of the version's schema).
func ParseMapping(s string) (Mapping, error) {
	m := mappingSyntax().FindStringSubmatch(s)
	if m == nil {
		return Mapping{}, fmt.Errorf("mapping %q: want REGEX:key=value[,key=value...]", s)
	}
	re, err := regexp.Compile(m[1])
	if err != nil {
		return Mapping{}, fmt.Errorf("mapping %q: %w", s, err)
	}
	mp := Mapping{Source: s, Pattern: re}
	for _, kv := range strings.Split(m[2], ",") {
		k, v, _ := strings.Cut(kv, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if fixed[k] {
			return Mapping{}, fmt.Errorf("mapping %q: %s is read from the file and cannot be set", s, k)
		}
		if err := checkValue(k, v); err != nil {
			return Mapping{}, fmt.Errorf("mapping %q: %w", s, err)
		}
		mp.Keys, mp.Values = append(mp.Keys, k), append(mp.Values, v)
	}
	return mp, nil
}

func checkValue(k, v string) error {
	switch k {
	case "width_px", "height_px":
		if n, err := strconv.ParseInt(v, 10, 64); err != nil || n < 1 {
			return fmt.Errorf("%s=%s: want a whole number of pixels", k, v)
		}
	case "resolution_mpp":
		if f, err := strconv.ParseFloat(v, 64); err != nil || !(f > 0) || f > 1e6 {
			return fmt.Errorf("%s=%s: want microns per pixel above 0", k, v)
		}
	}
	return nil
}

// apply sets the mapping's values on s if its path matches.
func (m Mapping) apply(s *Slide) {
	if !m.Pattern.MatchString(s.Path) {
		return
	}
	for i, k := range m.Keys {
		set(s, k, m.Values[i])
	}
}

// set sets field or metadata key k of s to v (checked by checkValue).
func set(s *Slide, k, v string) {
	switch k {
	case "width_px":
		s.WidthPx, _ = strconv.ParseInt(v, 10, 64)
	case "height_px":
		s.HeightPx, _ = strconv.ParseInt(v, 10, 64)
	case "resolution_mpp":
		f, _ := strconv.ParseFloat(v, 64)
		s.ResolutionMPP = &f
	case "media_type":
		s.MediaType = v
	case "platform_bucket_url":
		s.BucketURL = v
	default:
		if s.Metadata == nil {
			s.Metadata = map[string]string{}
		}
		s.Metadata[k] = v
	}
}
