package cli

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// RunsCmd groups the commands on runs: create, list, inspect, watch, cancel
// and maintain them.
type RunsCmd struct {
	Create             RunsCreateCmd             `cmd:"" help:"Validate and submit a run of items (slides) to an application version."`
	Submit             RunsSubmitCmd             `cmd:"" help:"Slides on disk to a run: health check, scan, validate, upload what is missing, sign, create."`
	Execute            RunsExecuteCmd            `cmd:"" help:"Submit slides, watch the run, then download its verified results, in one command."`
	List               RunsListCmd               `cmd:"" help:"List runs, newest first, streaming page by page."`
	Describe           RunsDescribeCmd           `cmd:"" help:"Show one run, optionally with its items."`
	Items              RunsItemsCmd              `cmd:"" help:"List the items of a run."`
	Results            RunsResultsCmd            `cmd:"" help:"List the output artifacts of a run's items."`
	Watch              RunsWatchCmd              `cmd:"" help:"Follow a run until it ends; exit 0 only when every item succeeded (--max-wait D gives up after D, exit 1)."`
	Download           RunsDownloadCmd           `cmd:"" help:"Download and verify the results of a run."`
	Cancel             RunsCancelCmd             `cmd:"" help:"Cancel a run."`
	UpdateMetadata     RunsUpdateMetadataCmd     `cmd:"" help:"Replace a run's custom metadata (conditional on the current checksum)."`
	UpdateItemMetadata RunsUpdateItemMetadataCmd `cmd:"" help:"Replace one item's custom metadata (conditional on its current checksum)."`
	Share              RunsShareCmd              `cmd:"" help:"Share a run with an organization (a viewer grant)."`
	Grants             RunsGrantsCmd             `cmd:"" help:"List the grants on a run."`
	Unshare            RunsUnshareCmd            `cmd:"" help:"Revoke a grant on a run."`
	ShareToken         RunsShareTokenCmd         `cmd:"" help:"Share a run by token: create, list, revoke."`
	DeleteArtifacts    RunsDeleteArtifactsCmd    `cmd:"" help:"Delete the output artifacts of a terminated run."`
}

// parseObject parses a JSON object given on the command line.
func parseObject(what, s string) (map[string]any, error) {
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil || m == nil {
		if err == nil {
			err = fmt.Errorf("null")
		}
		return nil, cliErrorf(KindUsage, "%s: expected a JSON object: %v", what, err)
	}
	if d.More() {
		return nil, cliErrorf(KindUsage, "%s: expected one JSON object, found more", what)
	}
	return m, nil
}

// text helpers for table cells and key: value lines.

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func enumStr[T ~string](p *T) string {
	if p == nil {
		return ""
	}
	return string(*p)
}

func ts(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func tsp(t *time.Time) string {
	if t == nil {
		return ""
	}
	return ts(*t)
}

func intp(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}

func jsonText(v any) string {
	if v == nil {
		return ""
	}
	if m, ok := v.(map[string]any); ok && m == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
