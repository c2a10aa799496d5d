package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/aignostics/aignostics/resources"
)

// VersionsCmd groups the commands on application versions.
type VersionsCmd struct {
	List      VersionsListCmd      `cmd:"" help:"List an application's versions, highest semver first."`
	Latest    VersionsLatestCmd    `cmd:"" help:"Show the application's version with the highest semver precedence."`
	Describe  VersionsDescribeCmd  `cmd:"" help:"Show one version of an application: its input and output artifacts."`
	Documents VersionsDocumentsCmd `cmd:"" help:"List the public documents of a version (manuals, release notes)."`
	Document  VersionsDocumentCmd  `cmd:"" help:"Download one document of a version, to stdout or --output-file FILE."`
}

// VersionsListCmd lists the versions of an application.
type VersionsListCmd struct {
	App string `arg:"" name:"APP" help:"Application id."`
}

// Run prints the versions sorted by semver precedence, highest first.
func (c *VersionsListCmd) Run(ctx context.Context, f *Factory) error {
	cl, err := f.Client()
	if err != nil {
		return err
	}
	vs, err := cl.Versions().ListSorted(ctx, c.App)
	if err != nil {
		return err
	}
	l := f.Output().List("VERSION", "RELEASED_AT")
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
func (c *VersionsLatestCmd) Run(ctx context.Context, f *Factory) error {
	cl, err := f.Client()
	if err != nil {
		return err
	}
	v, err := cl.Versions().Latest(ctx, c.App)
	if err != nil {
		return err
	}
	return printVersion(f, v)
}

// VersionsDescribeCmd shows one version.
type VersionsDescribeCmd struct {
	App     string `arg:"" name:"APP" help:"Application id."`
	Version string `arg:"" name:"VERSION" help:"Version number (semver), e.g. 1.0.0."`
}

// Run prints the VersionReadResponse.
func (c *VersionsDescribeCmd) Run(ctx context.Context, f *Factory) error {
	cl, err := f.Client()
	if err != nil {
		return err
	}
	v, err := cl.Versions().Details(ctx, c.App, c.Version)
	if err != nil {
		return err
	}
	return printVersion(f, v)
}

func printVersion(f *Factory, v resources.VersionReadResponse) error {
	var in, out []string
	for _, a := range v.InputArtifacts {
		in = append(in, fmt.Sprintf("%s (%s)", a.Name, a.MimeType))
	}
	for _, a := range v.OutputArtifacts {
		out = append(out, fmt.Sprintf("%s (%s, %s)", a.Name, a.MimeType, a.Scope))
	}
	return f.Output().Object(v, []Field{
		{"version_number", v.VersionNumber},
		{"released_at", ts(v.ReleasedAt)},
		{"changelog", v.Changelog},
		{"input_artifacts", strings.Join(in, ", ")},
		{"output_artifacts", strings.Join(out, ", ")},
	})
}
