package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
)

// VersionsDocumentsCmd lists the public documents of a version.
type VersionsDocumentsCmd struct {
	App     string `arg:"" name:"APP" help:"Application id."`
	Version string `arg:"" name:"VERSION" help:"Version number (semver), e.g. 1.0.0."`
}

// Run prints the VersionDocumentResponse objects.
func (c *VersionsDocumentsCmd) Run(ctx context.Context, f *Factory) error {
	cl, err := f.Client()
	if err != nil {
		return err
	}
	l := f.Output().List("NAME", "MIME_TYPE", "VISIBILITY", "UPDATED_AT", "ID")
	for d, err := range cl.Versions().Documents(ctx, c.App, c.Version) {
		if err != nil {
			l.Abort()
			return err
		}
		if err := l.Add(d, d.Name, d.MimeType, d.Visibility, ts(d.UpdatedAt), d.ID); err != nil {
			return err
		}
	}
	return l.Close()
}

// VersionsDocumentCmd downloads one document of a version.
type VersionsDocumentCmd struct {
	App     string `arg:"" name:"APP" help:"Application id."`
	Version string `arg:"" name:"VERSION" help:"Version number (semver), e.g. 1.0.0."`
	Name    string `arg:"" name:"NAME" help:"Document name (see 'versions documents APP VERSION')."`
	File    string `name:"output-file" help:"Write the document to FILE (atomically: complete or not at all) instead of stdout." placeholder:"FILE"`
}

// Help says more than the one-line summary.
func (c *VersionsDocumentCmd) Help() string {
	return `The content is streamed from storage (the API's 307 is followed without the
login token). Without --output-file it goes to stdout as it arrives.`
}

// Run streams the document to stdout, or to --output-file via a temporary file
// renamed into place, and then reports the file.
func (c *VersionsDocumentCmd) Run(ctx context.Context, f *Factory) error {
	cl, err := f.Client()
	if err != nil {
		return err
	}
	if c.File == "" {
		body, err := cl.Versions().OpenDocument(ctx, c.App, c.Version, c.Name)
		if err != nil {
			return err
		}
		defer body.Close()
		if _, err := io.Copy(f.IO.Out, body); err != nil {
			return fmt.Errorf("download document %q: %w", c.Name, err)
		}
		return nil
	}
	n, err := cl.Versions().DownloadDocument(ctx, c.App, c.Version, c.Name, c.File)
	if err != nil {
		if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
			return cliError(KindInvalid, err) // a file we cannot write
		}
		return err
	}
	return f.Output().Value(fmt.Sprintf("Document %s of %s:%s saved to %s (%d bytes).", c.Name, c.App, c.Version, c.File, n),
		documentSaved{Name: c.Name, ApplicationID: c.App, VersionNumber: c.Version, Path: c.File, Bytes: n})
}

type documentSaved struct {
	Name          string `json:"name"`
	ApplicationID string `json:"application_id"`
	VersionNumber string `json:"version_number"`
	Path          string `json:"path"`
	Bytes         int64  `json:"bytes"`
}
