package cli

import (
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
func (c *ApplicationsListCmd) Run(g *Globals) error {
	cl, err := g.Client()
	if err != nil {
		return err
	}
	l := g.Out().List("APPLICATION_ID", "NAME", "LATEST_VERSION", "REGULATORY_CLASSES", "DESCRIPTION")
	for a, err := range cl.Applications().List(g.Context(), resources.ListOptions{}) {
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
func (c *ApplicationsDescribeCmd) Run(g *Globals) error {
	cl, err := g.Client()
	if err != nil {
		return err
	}
	a, err := cl.Applications().Details(g.Context(), c.App)
	if err != nil {
		return err
	}
	sorted := append([]resources.ApplicationVersion(nil), a.Versions...)
	resources.SortVersions(sorted)
	var vs []string
	for _, v := range sorted {
		vs = append(vs, v.Number)
	}
	return g.Out().Object(a, []Field{
		{"application_id", a.ApplicationID},
		{"name", a.Name},
		{"description", a.Description},
		{"regulatory_classes", strings.Join(a.RegulatoryClasses, ", ")},
		{"versions", strings.Join(vs, ", ")},
	})
}
