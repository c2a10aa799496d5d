package emulator

import (
	"cmp"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aignostics/aignostics/internal/semver"
)

// applicationSortFields are the sort keys the spec lists for applications.
func applicationSortFields() []string {
	return []string{"application_id", "name", "description", "regulatory_classes"}
}

type versionRef struct {
	Number     string    `json:"number"`
	ReleasedAt time.Time `json:"released_at"`
}

type applicationShort struct {
	ApplicationID     string      `json:"application_id"`
	Name              string      `json:"name"`
	RegulatoryClasses []string    `json:"regulatory_classes"`
	Description       string      `json:"description"`
	LatestVersion     *versionRef `json:"latest_version"`
}

type applicationFull struct {
	ApplicationID     string       `json:"application_id"`
	Name              string       `json:"name"`
	RegulatoryClasses []string     `json:"regulatory_classes"`
	Description       string       `json:"description"`
	Versions          []versionRef `json:"versions"`
}

type inputArtifactJSON struct {
	Name           string         `json:"name"`
	MimeType       string         `json:"mime_type"`
	MetadataSchema map[string]any `json:"metadata_schema"`
}

type outputArtifactJSON struct {
	Name           string         `json:"name"`
	MimeType       string         `json:"mime_type"`
	MetadataSchema map[string]any `json:"metadata_schema"`
	Scope          string         `json:"scope"`
	Visibility     string         `json:"visibility"`
}

type versionJSON struct {
	VersionNumber   string               `json:"version_number"`
	Changelog       string               `json:"changelog"`
	InputArtifacts  []inputArtifactJSON  `json:"input_artifacts"`
	OutputArtifacts []outputArtifactJSON `json:"output_artifacts"`
	ReleasedAt      time.Time            `json:"released_at"`
}

type documentJSON struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	MimeType   string    `json:"mime_type"`
	Visibility string    `json:"visibility"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

func (a *application) short() applicationShort {
	s := applicationShort{ApplicationID: a.ID, Name: a.Name, RegulatoryClasses: a.RegulatoryClasses,
		Description: a.Description}
	if l := a.latest(); l != nil {
		s.LatestVersion = &versionRef{Number: l.Number, ReleasedAt: l.ReleasedAt}
	}
	return s
}

func (v *appVersion) json() versionJSON {
	out := versionJSON{VersionNumber: v.Number, Changelog: v.Changelog, ReleasedAt: v.ReleasedAt,
		InputArtifacts: []inputArtifactJSON{}, OutputArtifacts: []outputArtifactJSON{}}
	for _, in := range v.Inputs {
		out.InputArtifacts = append(out.InputArtifacts, inputArtifactJSON{in.Name, in.MimeType, in.Schema})
	}
	for _, o := range v.Outputs {
		out.OutputArtifacts = append(out.OutputArtifacts,
			outputArtifactJSON{o.Name, o.MimeType, o.Schema, o.Scope, o.Visibility})
	}
	return out
}

func (v *appVersion) documentJSON(d document) documentJSON {
	return documentJSON{ID: stableUUID("document", v.App.ID, v.Number, d.Name), Name: d.Name,
		MimeType: d.MimeType, Visibility: d.Visibility, CreatedAt: v.ReleasedAt, UpdatedAt: v.ReleasedAt}
}

// listApplications serves GET /v1/applications (note `page-size`).
func (p *platform) listApplications(w http.ResponseWriter, r *http.Request, _ []string) {
	q := r.URL.Query()
	var errs []fieldError
	page, size := pageParams(q, "page-size", &errs)
	keys := sortParams(q, applicationSortFields(), &errs)
	if len(errs) > 0 {
		writeInvalid(w, errs)
		return
	}
	apps := slices.Clone(p.cat.apps)
	slices.SortStableFunc(apps, func(a, b *application) int {
		return compareKeys(keys, func(f string) int {
			switch f {
			case "application_id":
				return cmp.Compare(a.ID, b.ID)
			case "name":
				return cmp.Compare(a.Name, b.Name)
			case "description":
				return cmp.Compare(a.Description, b.Description)
			default:
				return cmp.Compare(strings.Join(a.RegulatoryClasses, ","), strings.Join(b.RegulatoryClasses, ","))
			}
		})
	})
	lo, hi := pageBounds(len(apps), page, size)
	out := []applicationShort{}
	for _, a := range apps[lo:hi] {
		out = append(out, a.short())
	}
	writeJSON(w, http.StatusOK, out)
}

// getApplication serves GET /v1/applications/{application_id}.
func (p *platform) getApplication(w http.ResponseWriter, _ *http.Request, args []string) {
	a, ok := p.cat.app(args[0])
	if !ok {
		writeDetail(w, http.StatusNotFound, "Application not found")
		return
	}
	out := applicationFull{ApplicationID: a.ID, Name: a.Name, RegulatoryClasses: a.RegulatoryClasses,
		Description: a.Description, Versions: []versionRef{}}
	for _, v := range a.Versions {
		out.Versions = append(out.Versions, versionRef{v.Number, v.ReleasedAt})
	}
	writeJSON(w, http.StatusOK, out)
}

// getVersion serves GET /v1/applications/{application_id}/versions/{version};
// the version must be semver (422 otherwise).
func (p *platform) getVersion(w http.ResponseWriter, _ *http.Request, args []string) {
	if _, err := semver.Parse(args[1]); err != nil {
		writeInvalid(w, []fieldError{{Loc: []any{"path", "version"}, Type: "string_pattern_mismatch",
			Msg: "String should match pattern '" + semverPattern + "'", Input: args[1],
			Ctx: map[string]any{"pattern": semverPattern}}})
		return
	}
	v, ok := p.findVersion(w, args[0], args[1])
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, v.json())
}

// semverPattern is the spec's pattern for version numbers.
const semverPattern = `^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`

// findVersion looks a version up, answering 404 when there is none.
func (p *platform) findVersion(w http.ResponseWriter, app, number string) (*appVersion, bool) {
	a, ok := p.cat.app(app)
	if !ok {
		writeDetail(w, http.StatusNotFound, "Application not found")
		return nil, false
	}
	v, ok := a.version(number)
	if !ok {
		writeDetail(w, http.StatusNotFound, "Application version not found")
		return nil, false
	}
	return v, true
}

// findDocument looks a public document up, answering 404 when there is none.
func (p *platform) findDocument(w http.ResponseWriter, args []string) (*appVersion, document, bool) {
	v, ok := p.findVersion(w, args[0], args[1])
	if !ok {
		return nil, document{}, false
	}
	for _, d := range v.Documents {
		if d.Name == args[2] && d.Visibility == "public" {
			return v, d, true
		}
	}
	writeDetail(w, http.StatusNotFound, "Document not found")
	return nil, document{}, false
}

// listDocuments serves GET .../versions/{version}/documents (public ones only).
func (p *platform) listDocuments(w http.ResponseWriter, _ *http.Request, args []string) {
	v, ok := p.findVersion(w, args[0], args[1])
	if !ok {
		return
	}
	out := []documentJSON{}
	for _, d := range v.Documents {
		if d.Visibility == "public" {
			out = append(out, v.documentJSON(d))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// getDocument serves GET .../documents/{name}.
func (p *platform) getDocument(w http.ResponseWriter, _ *http.Request, args []string) {
	if v, d, ok := p.findDocument(w, args); ok {
		writeJSON(w, http.StatusOK, v.documentJSON(d))
	}
}

// documentFile serves GET .../documents/{name}/file: 307 to a signed URL
// whose answer carries Content-Disposition: attachment (as the spec says).
func (p *platform) documentFile(w http.ResponseWriter, _ *http.Request, args []string) {
	if v, d, ok := p.findDocument(w, args); ok {
		if p.cfg.signAttachment == nil {
			writeRedirect(w, p.cfg.signURL(resultsBucket, documentObject(v, d.Name), documentURLTTL))
			return
		}
		writeRedirect(w, p.cfg.signAttachment(resultsBucket, documentObject(v, d.Name), d.Name, documentURLTTL))
	}
}

// documentContent serves GET .../documents/{name}/content: 307 to a signed
// URL served with the stored Content-Type and no disposition.
func (p *platform) documentContent(w http.ResponseWriter, _ *http.Request, args []string) {
	if v, d, ok := p.findDocument(w, args); ok {
		writeRedirect(w, p.cfg.signURL(resultsBucket, documentObject(v, d.Name), documentURLTTL))
	}
}

// documentObject is the storage object holding a version's document.
func documentObject(v *appVersion, name string) string {
	return docObjectPrefix + v.App.ID + "/" + v.Number + "/" + name
}
