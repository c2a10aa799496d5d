package resources

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/aignostics/aignostics/internal/jsonschema"
)

// Limits the API puts on items (spec: ItemCreationRequest, InputArtifactCreationRequest).
const (
	MaxExternalIDLength  = 255
	MaxDownloadURLLength = 2083
)

// Problem is one reason a run submission is invalid. Index is the item's
// position (0-based) or -1 for the run as a whole.
type Problem struct {
	Index      int    `json:"index"`
	ExternalID string `json:"external_id,omitempty"`
	Artifact   string `json:"artifact,omitempty"`
	Message    string `json:"message"`
}

// Error describes the problem with the item's index and external id.
func (p Problem) Error() string {
	var b strings.Builder
	if p.Index >= 0 {
		fmt.Fprintf(&b, "item %d", p.Index)
		if p.ExternalID != "" {
			fmt.Fprintf(&b, " (external_id %q)", p.ExternalID)
		}
		b.WriteString(": ")
	}
	if p.Artifact != "" {
		fmt.Fprintf(&b, "input artifact %q: ", p.Artifact)
	}
	b.WriteString(p.Message)
	return b.String()
}

// Problems is every problem of a submission, usable as an error.
type Problems []Problem

// Error lists the problems, one per line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return fmt.Sprintf("%d problem(s) in the run's items:\n%s", len(ps), strings.Join(lines, "\n"))
}

// ValidateRun checks items against an application version before anything is
// sent, as the Python SDK does, and returns every problem at once: at least
// one item; non-empty, unique external ids of at most 255 characters; input
// artifact names from the version, each once; every input artifact of the
// version present; a download URL; metadata valid against the artifact's
// metadata_schema. Unknown schema keywords are ignored.
func ValidateRun(version VersionReadResponse, items []ItemCreationRequest) []Problem {
	return ValidateRunDebug(version, items, nil)
}

// ValidateRunDebug is ValidateRun with a debug sink for skipped schema
// keywords and schemas that do not compile.
func ValidateRunDebug(version VersionReadResponse, items []ItemCreationRequest, debugf func(format string, args ...any)) []Problem {
	return ValidateRunWith(version, items, ValidateOptions{Debugf: debugf})
}

// ValidateOptions tune ValidateRunWith.
type ValidateOptions struct {
	// Debugf receives skipped schema keywords and schemas that do not
	// compile.
	Debugf func(format string, args ...any)
	// NoDownloadURLs leaves out the download URL checks, for items whose
	// slides are not uploaded yet (slides scan --for; a submission checked
	// before its upload). Everything else is checked as ValidateRun does.
	NoDownloadURLs bool
}

// ValidateRunWith is ValidateRun with options.
func ValidateRunWith(version VersionReadResponse, items []ItemCreationRequest, o ValidateOptions) []Problem {
	debugf := o.Debugf
	if debugf == nil {
		debugf = func(string, ...any) {}
	}
	var ps []Problem
	if len(items) == 0 {
		return append(ps, Problem{Index: -1, Message: "a run needs at least one item"})
	}
	schemas := map[string]*jsonschema.Schema{}
	var names []string
	for _, a := range version.InputArtifacts {
		names = append(names, a.Name)
		schemas[a.Name] = nil
		if len(bytes.TrimSpace(a.MetadataSchema)) == 0 {
			continue
		}
		s, err := jsonschema.Compile(a.MetadataSchema, jsonschema.Options{Debug: debugf})
		if err != nil {
			debugf("metadata schema of input artifact %q does not compile, not checked: %v", a.Name, err)
			continue
		}
		schemas[a.Name] = s
	}
	sort.Strings(names)
	seen := map[string]int{}
	for i, it := range items {
		add := func(artifact, format string, args ...any) {
			ps = append(ps, Problem{Index: i, ExternalID: it.ExternalID, Artifact: artifact, Message: fmt.Sprintf(format, args...)})
		}
		switch {
		case it.ExternalID == "":
			add("", "external_id is missing or empty")
		case len(it.ExternalID) > MaxExternalIDLength:
			add("", "external_id is longer than %d characters", MaxExternalIDLength)
		}
		if first, dup := seen[it.ExternalID]; dup && it.ExternalID != "" {
			add("", "duplicate external_id (first used by item %d)", first)
		} else {
			seen[it.ExternalID] = i
		}
		present := map[string]bool{}
		for _, a := range it.InputArtifacts {
			s, known := schemas[a.Name]
			switch {
			case !known:
				add(a.Name, "not an input artifact of version %s; it expects: %s", version.VersionNumber, strings.Join(names, ", "))
			case present[a.Name]:
				add(a.Name, "given more than once")
			}
			present[a.Name] = true
			if msg := checkDownloadURL(a.DownloadURL); msg != "" && !o.NoDownloadURLs {
				add(a.Name, "%s", msg)
			}
			if a.Metadata == nil {
				add(a.Name, "metadata is missing")
				continue
			}
			if s == nil {
				continue
			}
			v, err := normalise(a.Metadata)
			if err != nil {
				add(a.Name, "metadata is not JSON: %v", err)
				continue
			}
			for _, ve := range s.Validate(v) {
				path := ve.Path
				if path == "" {
					path = "/"
				}
				add(a.Name, "metadata %s: %s", path, ve.Message)
			}
		}
		for _, n := range names {
			if !present[n] {
				add(n, "missing; version %s requires it", version.VersionNumber)
			}
		}
	}
	return ps
}

func checkDownloadURL(s string) string {
	switch {
	case s == "":
		return "download_url is missing or empty"
	case len(s) > MaxDownloadURLLength:
		return fmt.Sprintf("download_url is longer than %d characters", MaxDownloadURLLength)
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || (u.Host == "" && u.Opaque == "") {
		return "download_url is not an absolute URL"
	}
	return ""
}

// normalise turns caller-built metadata into what encoding/json would decode
// (json.Number for numbers), the form jsonschema validates.
func normalise(m map[string]any) (any, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	err = d.Decode(&v)
	return v, err
}
