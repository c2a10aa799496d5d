package cli

import (
	"context"
	"strings"

	"github.com/aignostics/aignostics/resources"
)

// ApplicationsCmd groups the commands on applications.
type ApplicationsCmd struct {
	List     ApplicationsListCmd     `cmd:"" help:"List the applications you may run."`
	Describe ApplicationsDescribeCmd `cmd:"" help:"Show one application and its versions."`
}

// ApplicationsListCmd lists applications.
type ApplicationsListCmd struct{}

// Run streams the application list.
func (c *ApplicationsListCmd) Run(ctx context.Context, f *Factory) error {
	cl, err := f.Client()
	if err != nil {
		return err
	}
	l := f.Output().List("APPLICATION_ID", "NAME", "LATEST_VERSION", "REGULATORY_CLASSES", "DESCRIPTION")
	for a, err := range cl.Applications().List(ctx, resources.ListOptions{}) {
		if err != nil {
			l.Abort()
			return err
		}
		latest := ""
		if a.LatestVersion != nil {
			latest = a.LatestVersion.Number
		}
		if err := l.Add(a, a.ApplicationID, a.Name, latest, strings.Join(a.RegulatoryClasses, ","), a.Description); err != nil {
			return err
		}
	}
	return l.Close()
}

// ApplicationsDescribeCmd shows one application.
type ApplicationsDescribeCmd struct {
	App string `arg:"" name:"APP" help:"Application id, e.g. he-tme."`
}

// Run prints the ApplicationReadResponse.
func (c *ApplicationsDescribeCmd) Run(ctx context.Context, f *Factory) error {
	cl, err := f.Client()
	if err != nil {
		return err
	}
	a, err := cl.Applications().Details(ctx, c.App)
	if err != nil {
		return err
	}
	sorted := append([]resources.ApplicationVersion(nil), a.Versions...)
	resources.SortVersions(sorted)
	var vs []string
	for _, v := range sorted {
		vs = append(vs, v.Number)
	}
	return f.Output().Object(a, []Field{
		{"application_id", a.ApplicationID},
		{"name", a.Name},
		{"description", a.Description},
		{"regulatory_classes", strings.Join(a.RegulatoryClasses, ", ")},
		{"versions", strings.Join(vs, ", ")},
	})
}
