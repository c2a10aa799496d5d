package cli

import (
	"context"
	"fmt"

	"github.com/aignostics/aignostics/resources"
	"github.com/aignostics/aignostics/slides"
)

// slidesCheck checks slides against an application version's input
// schema, with the validation of runs create (resources.ValidateRunWith).
type slidesCheck struct {
	app      string
	version  resources.VersionReadResponse
	artifact string // the version's one input artifact
}

// newSlidesCheck resolves APP[:VERSION] (flag names the flag for errors).
func newSlidesCheck(ctx context.Context, f *Factory, ref string) (*slidesCheck, error) {
	app, version, err := resources.ParseAppRef(ref)
	if err != nil {
		return nil, cliErrorf(KindUsage, "--for %q: %v", ref, err)
	}
	cl, err := f.Client()
	if err != nil {
		return nil, err
	}
	v, err := slideVersion(ctx, cl, app, version, "--for ")
	if err != nil {
		return nil, err
	}
	return &slidesCheck{app: app, version: v, artifact: v.InputArtifacts[0].Name}, nil
}

// slideVersion resolves APP[:VERSION] ("" = the latest) to a version that
// slides fit: one with exactly one input artifact (else an error that
// starts with flag, the flag that named the version, if any).
func slideVersion(ctx context.Context, cl *resources.Client, app, version, flag string) (resources.VersionReadResponse, error) {
	v, err := cl.Versions().Resolve(ctx, app, version)
	if err != nil {
		return v, err
	}
	if n := len(v.InputArtifacts); n != 1 {
		return v, cliErrorf(KindInvalid, "%s%s:%s has %d input artifacts; slides fit versions with one", flag, app, v.VersionNumber, n)
	}
	return v, nil
}

// slideItems makes run items of slides: one input artifact each, named
// artifact, with the slide's metadata (slides.Slide.InputMetadata) and the
// URL url gives it (nil: none yet, before the upload).
func slideItems(ss []slides.Slide, artifact string, url func(*slides.Slide) string) []resources.ItemCreationRequest {
	items := make([]resources.ItemCreationRequest, len(ss))
	for i := range ss {
		s := &ss[i]
		a := resources.InputArtifactCreationRequest{Name: artifact, Metadata: s.InputMetadata()}
		if url != nil {
			a.DownloadURL = url(s)
		}
		items[i] = resources.ItemCreationRequest{ExternalID: s.ExternalID, InputArtifacts: []resources.InputArtifactCreationRequest{a}}
	}
	return items
}

// validate reports every problem of the slides at once (nil when none).
func (c *slidesCheck) validate(f *Factory, found []slides.Slide) error {
	items := slideItems(found, c.artifact, nil)
	ps := resources.ValidateRunWith(c.version, items, resources.ValidateOptions{Debugf: f.Debugf, NoDownloadURLs: true})
	if len(ps) == 0 {
		f.Output().Notef("%d slide(s) valid for %s:%s", len(found), c.app, c.version.VersionNumber)
		return nil
	}
	return reportProblems(f, fmt.Sprintf("%d problem(s) with the slides for %s:%s", len(ps), c.app, c.version.VersionNumber), ps)
}
