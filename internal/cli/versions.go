package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aignostics/aignostics/resources"
)

// VersionsCmd groups the commands on application versions.
type VersionsCmd struct {
	List     VersionsListCmd     `cmd:"" help:"List an application's versions, highest semver first."`
	Latest   VersionsLatestCmd   `cmd:"" help:"Show the application's version with the highest semver precedence."`
	Describe VersionsDescribeCmd `cmd:"" help:"Show one version of an application: its input and output artifacts."`
}

// VersionsListCmd lists the versions of an application.
type VersionsListCmd struct {
	App string `arg:"" name:"APP" help:"Application id."`
}

// Run prints the versions sorted by semver precedence, highest first.
func (c *VersionsListCmd) Run(g *Globals) error {
	cl, err := g.Client()
	if err != nil {
		return err
	}
	vs, err := cl.Versions().ListSorted(g.Context(), c.App)
	if err != nil {
		return err
	}
	l := g.Out().List("VERSION", "RELEASED_AT")
	for _, v := range vs {
		if err := l.Add(v, v.Number, ts(v.ReleasedAt)); err != nil {
			return err
		}
	}
	return l.Close()
}

// VersionsLatestCmd shows the latest version of an application.
type VersionsLatestCmd struct {
	App string `arg:"" name:"APP" help:"Application id."`
}

// Run prints the VersionReadResponse of the highest version.
func (c *VersionsLatestCmd) Run(g *Globals) error {
	cl, err := g.Client()
	if err != nil {
		return err
	}
	v, err := cl.Versions().Latest(g.Context(), c.App)
	if err != nil {
		return notFoundIfNoVersions(err)
	}
	return printVersion(g, v)
}

// VersionsDescribeCmd shows one version.
type VersionsDescribeCmd struct {
	App     string `arg:"" name:"APP" help:"Application id."`
	Version string `arg:"" name:"VERSION" help:"Version number (semver), e.g. 1.0.0."`
}

// Run prints the VersionReadResponse.
func (c *VersionsDescribeCmd) Run(g *Globals) error {
	cl, err := g.Client()
	if err != nil {
		return err
	}
	v, err := cl.Versions().Details(g.Context(), c.App, c.Version)
	if err != nil {
		return err
	}
	return printVersion(g, v)
}

func notFoundIfNoVersions(err error) error {
	if errors.Is(err, resources.ErrNoVersions) {
		return Exit(2, KindNotFound, err)
	}
	return err
}

func printVersion(g *Globals, v resources.VersionReadResponse) error {
	var in, out []string
	for _, a := range v.InputArtifacts {
		in = append(in, fmt.Sprintf("%s (%s)", a.Name, a.MimeType))
	}
	for _, a := range v.OutputArtifacts {
		out = append(out, fmt.Sprintf("%s (%s, %s)", a.Name, a.MimeType, a.Scope))
	}
	return g.Out().Object(v, []Field{
		{"version_number", v.VersionNumber},
		{"released_at", ts(v.ReleasedAt)},
		{"changelog", v.Changelog},
		{"input_artifacts", strings.Join(in, ", ")},
		{"output_artifacts", strings.Join(out, ", ")},
	})
}
