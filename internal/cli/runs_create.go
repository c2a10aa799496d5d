package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/internal/hooks"
	"github.com/aignostics/aignostics/resources"
)

// RunsCreateCmd validates items against an application version and submits a run.
type RunsCreateCmd struct {
	App            string `arg:"" name:"APP[:VERSION]" help:"Application id, optionally with a version; without one the highest semver version is used."`
	Items          string `name:"items" required:"" help:"Items file: a JSON array or JSON Lines of ItemCreationRequest objects; - reads stdin." placeholder:"FILE|-"`
	CustomMetadata string `name:"custom-metadata" help:"Custom metadata of the run, a JSON object." placeholder:"JSON"`
	DryRun         bool   `name:"dry-run" help:"Validate and print the request without sending it."`
	Credentials    string `name:"credentials" help:"Service-account JSON key that signs gs:// inputs (default: GOOGLE_APPLICATION_CREDENTIALS; without one, inputs in the organization's bucket are signed with its HMAC keys)." placeholder:"FILE" type:"path"`
	RunOptionFlags `embed:""`
}

// Run validates everything before sending, then prints the run id (or
// {"run_id": ...} with an explicit -o json|jsonl).
func (c *RunsCreateCmd) Run(ctx context.Context, f *Factory) error {
	app, version, err := resources.ParseAppRef(c.App)
	if err != nil {
		return cliError(KindUsage, err)
	}
	req := resources.RunCreationRequest{ApplicationID: app}
	if c.CustomMetadata != "" {
		if req.CustomMetadata, err = parseObject("--custom-metadata", c.CustomMetadata); err != nil {
			return err
		}
	}
	opts, err := c.options(f, req.CustomMetadata)
	if err != nil {
		return err
	}
	items, err := c.readItems(f)
	if err != nil {
		return err
	}
	// gs:// inputs become V4 signed URLs: the platform reads slides from
	// storage it has no credentials for, possibly days later (queued runs).
	signed, buckets, err := signGSInputsBuckets(ctx, f, items, InputURLExpiry, c.Credentials)
	if err != nil {
		return err
	}
	req.Items = items
	cl, err := f.Client()
	if err != nil {
		return err
	}
	v, err := cl.Versions().Resolve(ctx, app, version)
	if err != nil {
		return err
	}
	vn := v.VersionNumber
	req.VersionNumber = &vn
	if ps := resources.ValidateRunDebug(v, items, f.Debugf); len(ps) > 0 {
		return problemsError(f, app, vn, ps)
	}
	if err := c.apply(ctx, f, cl, opts, &req, buckets); err != nil {
		return err
	}
	if c.DryRun {
		f.Output().Notef("dry run: %d item(s) valid for %s:%s; nothing was sent", len(items), app, vn)
		if signed > 0 {
			f.Output().Notef("dry run: %d gs:// input URL(s) signed (V4, GET, valid %s); signatures are shown as REDACTED", signed, InputURLExpiry)
		}
		return f.Output().JSON(redactRequest(req))
	}
	run, err := cl.Runs().Create(ctx, req)
	if err != nil {
		return err
	}
	if run.Recovered {
		f.Output().Notef("note: the create request got no answer; run %s, submitted moments ago with exactly these %d items, is taken to be the one just created", run.ID, len(items))
	}
	if err := f.Output().Value(run.ID, map[string]string{"run_id": run.ID}); err != nil {
		return err
	}
	f.Hooks().Fire(ctx, hooks.RunSubmitted, map[string]any{
		"run_id": run.ID, "application_id": app, "version_number": vn, "item_count": len(items),
	})
	nextStep(f, "Follow it: aignostics runs watch %s", run.ID)
	return nil
}

// nextStep tells a person at a terminal (stdout and stderr terminals) what
// to run next; scripts never see it.
func nextStep(f *Factory, format string, args ...any) {
	if f.IO.IsStdoutTTY() && f.IO.IsStderrTTY() {
		f.Output().Notef(format, args...)
	}
}

func (c *RunsCreateCmd) readItems(f *Factory) ([]resources.ItemCreationRequest, error) {
	var r io.Reader
	name := c.Items
	if c.Items == "-" {
		r, name = f.IO.In, "stdin"
	} else {
		file, err := os.Open(c.Items)
		if err != nil {
			return nil, cliError(KindInvalid, fmt.Errorf("read items: %w", err))
		}
		defer file.Close()
		r = file
	}
	items, err := resources.ParseItems(r)
	if err != nil {
		return nil, cliError(KindInvalid, fmt.Errorf("%s: %w", name, err))
	}
	return items, nil
}

// problemsError reports every validation problem: one line each on stderr in
// text, all in the one error message in json/jsonl. Nothing was sent.
func problemsError(f *Factory, app, version string, ps []resources.Problem) error {
	return reportProblems(f, fmt.Sprintf("%d problem(s) with the items for %s:%s; nothing was sent", len(ps), app, version), ps)
}

// reportProblems is the error of validation problems under head: one line
// each on stderr in text, all in the one error message in json/jsonl.
func reportProblems(f *Factory, head string, ps []resources.Problem) error {
	msgs := make([]string, len(ps))
	for i, p := range ps {
		msgs[i] = p.Error()
	}
	if f.Output().Format() == FormatText {
		for _, m := range msgs {
			f.Output().Notef("  %s", m)
		}
		return cliError(KindInvalid, errors.New(head))
	}
	return cliError(KindInvalid, fmt.Errorf("%s: %s", head, strings.Join(msgs, "; ")))
}

// redactRequest is the request with the signatures of signed input URLs
// masked, for printing: a signed URL is a credential until it expires.
func redactRequest(req resources.RunCreationRequest) resources.RunCreationRequest {
	items := make([]resources.ItemCreationRequest, len(req.Items))
	for i, it := range req.Items {
		arts := make([]resources.InputArtifactCreationRequest, len(it.InputArtifacts))
		for j, a := range it.InputArtifacts {
			a.DownloadURL = httpx.Redact(a.DownloadURL)
			arts[j] = a
		}
		it.InputArtifacts = arts
		it.CustomMetadata = maskSDKBucket(it.CustomMetadata)
		items[i] = it
	}
	req.Items = items
	return req
}
