package resources

import (
	"context"
	"fmt"
)

// Submit resolves the request's version (nil: the latest by semver, which is
// then sent explicitly), validates the items against it (a Problems error
// when invalid, nothing sent) and creates the run (see Create).
func (r *Runs) Submit(ctx context.Context, req RunCreationRequest) (*Run, error) {
	version := ""
	if req.VersionNumber != nil {
		version = *req.VersionNumber
	}
	v, err := r.c.Versions().Resolve(ctx, req.ApplicationID, version)
	if err != nil {
		return nil, fmt.Errorf("submit run: %w", err)
	}
	if ps := ValidateRunDebug(v, req.Items, r.c.o.Debugf); len(ps) > 0 {
		return nil, fmt.Errorf("submit run of %s:%s: %w", req.ApplicationID, v.VersionNumber, Problems(ps))
	}
	vn := v.VersionNumber
	req.VersionNumber = &vn
	return r.Create(ctx, req)
}
