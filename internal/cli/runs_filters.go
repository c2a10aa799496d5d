package cli

import (
	"strings"

	"github.com/aignostics/aignostics/resources"
)

// RunFilterFlags are the run filters that `runs list` and `runs cancel`
// share (embedded in both, so they are spelled and checked alike).
type RunFilterFlags struct {
	ApplicationID      string   `name:"application-id" help:"Only runs of this application." placeholder:"APP"`
	ApplicationVersion string   `name:"application-version" help:"Only runs of this application version." placeholder:"VERSION"`
	Tags               []string `name:"tags" sep:"," help:"Only runs tagged with every one of these tags (custom_metadata.sdk.tags, as the Python SDK writes them), comma separated." placeholder:"TAG"`
	SubmittedBy        string   `name:"submitted-by" help:"Only runs submitted by this user id (me: yourself)." placeholder:"ID"`
}

// set reports whether any filter is given.
func (r *RunFilterFlags) set() bool {
	return r.ApplicationID != "" || r.ApplicationVersion != "" || len(r.Tags) > 0 || r.SubmittedBy != ""
}

// options checks the filters and returns them as list options.
func (r *RunFilterFlags) options() (resources.RunListOptions, error) {
	var tags []string
	for _, t := range r.Tags {
		if t = strings.TrimSpace(t); t == "" {
			return resources.RunListOptions{}, cliErrorf(KindUsage, "--tags %q: a tag is empty", strings.Join(r.Tags, ","))
		}
		tags = append(tags, t)
	}
	return resources.RunListOptions{
		ApplicationID:      r.ApplicationID,
		ApplicationVersion: r.ApplicationVersion,
		Tags:               tags,
		SubmittedBy:        r.SubmittedBy,
	}, nil
}
