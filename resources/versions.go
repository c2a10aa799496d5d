package resources

import (
	"context"
	"fmt"
	"net/url"
	"slices"

	"github.com/aignostics/aignostics/internal/semver"
)

// Versions lists, resolves and describes application versions.
type Versions struct{ c *Client }

// List returns the versions of an application as the API lists them.
func (v *Versions) List(ctx context.Context, applicationID string) ([]ApplicationVersion, error) {
	app, err := v.c.Applications().Details(ctx, applicationID)
	if err != nil {
		return nil, fmt.Errorf("list versions: %w", err)
	}
	return app.Versions, nil
}

// ListSorted returns the versions of an application by semver precedence,
// highest first. Numbers that are not semver come last, in API order.
func (v *Versions) ListSorted(ctx context.Context, applicationID string) ([]ApplicationVersion, error) {
	vs, err := v.List(ctx, applicationID)
	if err != nil {
		return nil, err
	}
	SortVersions(vs)
	return vs, nil
}

// SortVersions sorts versions by semver precedence, highest first; numbers
// that are not valid semver go last, keeping their order.
func SortVersions(vs []ApplicationVersion) {
	slices.SortStableFunc(vs, func(a, b ApplicationVersion) int {
		va, ea := semver.Parse(a.Number)
		vb, eb := semver.Parse(b.Number)
		switch {
		case ea != nil && eb != nil:
			return 0
		case ea != nil:
			return 1
		case eb != nil:
			return -1
		}
		return -semver.Compare(va, vb)
	})
}

// Latest returns the application's version with the highest semver precedence.
func (v *Versions) Latest(ctx context.Context, applicationID string) (VersionReadResponse, error) {
	vs, err := v.ListSorted(ctx, applicationID)
	if err != nil {
		return VersionReadResponse{}, err
	}
	if len(vs) == 0 {
		return VersionReadResponse{}, fmt.Errorf("latest version of %q: %w", applicationID, ErrNoVersions)
	}
	if _, err := semver.Parse(vs[0].Number); err != nil {
		return VersionReadResponse{}, fmt.Errorf("latest version of %q: %w", applicationID, ErrNoVersions)
	}
	return v.Details(ctx, applicationID, vs[0].Number)
}

// Details returns one version of an application.
func (v *Versions) Details(ctx context.Context, applicationID, version string) (VersionReadResponse, error) {
	var out VersionReadResponse
	path := "/applications/" + url.PathEscape(applicationID) + "/versions/" + url.PathEscape(version)
	if err := v.c.get(ctx, path, nil, &out); err != nil {
		return out, fmt.Errorf("get version %s of application %q: %w", version, applicationID, err)
	}
	return out, nil
}

// Resolve returns the version an APP[:VERSION] reference names: the given
// version, or the latest by semver when version is "".
func (v *Versions) Resolve(ctx context.Context, applicationID, version string) (VersionReadResponse, error) {
	if version == "" {
		return v.Latest(ctx, applicationID)
	}
	return v.Details(ctx, applicationID, version)
}
