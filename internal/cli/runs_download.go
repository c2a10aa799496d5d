package cli

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/aignostics/aignostics/internal/hooks"
	"github.com/aignostics/aignostics/resources"
)

// RunsDownloadCmd downloads a run's results, verified by CRC32C.
type RunsDownloadCmd struct {
	RunID                string        `arg:"" name:"RUN" help:"Run id, a unique prefix of 8+ characters, or latest."`
	Dir                  string        `arg:"" optional:"" name:"DIR" default:"." help:"Folder to download into; files go to DIR/RUN/EXTERNAL_ID/." type:"path"`
	Wait                 bool          `name:"wait" help:"Keep downloading items as they finish until the run ends."`
	Interval             time.Duration `name:"interval" default:"5s" help:"Time between polls with --wait." placeholder:"DURATION"`
	Parallel             int           `name:"parallel" default:"4" help:"Files downloaded at once (1-64)."`
	ChecksumAttributeKey string        `name:"checksum-attribute-key" default:"checksum_base64_crc32c" help:"Artifact metadata key holding the base64 CRC32C." placeholder:"KEY"`
	NoVerify             bool          `name:"no-verify" help:"Do not verify checksums (and accept artifacts without one)."`
	ExternalID           []string      `name:"external-id" help:"Only the item with this external id (repeatable)." placeholder:"ID"`
	Artifact             []string      `name:"artifact" help:"Only the output artifact of this name (repeatable)." placeholder:"NAME"`
	FailOnMissing        bool          `name:"fail-on-missing" help:"Exit 1 when an item ended without results (USER_ERROR, SYSTEM_ERROR, SKIPPED)."`
}

// downloadSummaryLine is the summary without the file list (jsonl has
// already written one line per file).
type downloadSummaryLine struct {
	*resources.DownloadSummary
	Files []resources.DownloadedFile `json:"files,omitempty"`
}

// Run downloads, shows progress, and prints the summary. Exit 5 when a file
// failed verification or had no checksum, 1 when artifacts were deleted or
// could not be downloaded.
func (c *RunsDownloadCmd) Run(ctx context.Context, f *Factory) error {
	if c.Parallel < 1 || c.Parallel > 64 {
		return cliErrorf(KindUsage, "--parallel %d: must be between 1 and 64", c.Parallel)
	}
	if c.Interval <= 0 {
		return cliErrorf(KindUsage, "--interval %s: must be positive", c.Interval)
	}
	if strings.TrimSpace(c.ChecksumAttributeKey) == "" {
		return cliErrorf(KindUsage, "--checksum-attribute-key must not be empty")
	}
	for _, v := range [][]string{c.ExternalID, c.Artifact} {
		if slices.Contains(v, "") {
			return cliErrorf(KindUsage, "--external-id and --artifact must not be empty")
		}
	}
	if err := checkWritableDir(c.Dir); err != nil {
		return cliError(KindInvalid, err)
	}
	cl, err := f.ReadClient()
	if err != nil {
		return err
	}
	sum, err := downloadRun(ctx, f, cl.Run(c.RunID), c.Dir, resources.DownloadOptions{
		Parallel: c.Parallel, ChecksumKey: c.ChecksumAttributeKey, NoVerify: c.NoVerify,
		Wait: c.Wait, PollInterval: c.Interval, ExternalIDs: c.ExternalID, Artifacts: c.Artifact,
	}, c.Wait)
	if err == nil && c.FailOnMissing && sum.MissingResults() > 0 {
		return cliErrorf(KindFailed, "%s (--fail-on-missing)", withoutResults(sum))
	}
	return err
}

// downloadRun downloads with live progress and prints the summary: the one
// download of `runs download` and `runs execute`. Integrity errors exit 5,
// deleted or failed downloads 1 (classifyDomain), unknown external ids 2.
func downloadRun(ctx context.Context, f *Factory, run *resources.Run, dir string, o resources.DownloadOptions, wait bool) (*resources.DownloadSummary, error) {
	out := f.Output()
	prog := newDownloadProgress(ctx, f, out, wait)
	o.Progress = prog.event
	sum, err := run.DownloadToFolder(ctx, dir, o)
	prog.finish()
	if sum != nil {
		for _, file := range sum.Files {
			if file.Status == resources.FileDownloaded {
				f.Hooks().Fire(ctx, hooks.ArtifactDownloaded, artifactEvent(file))
			}
		}
	}
	if errors.Is(err, resources.ErrNoSuchItem) || errors.Is(err, resources.ErrNoSuchArtifact) {
		return sum, cliError(KindNotFound, err)
	}
	if sum != nil && (sum.Downloaded+sum.Skipped+sum.Failed+sum.Deleted > 0 || err == nil) {
		if perr := printDownloadSummary(out, sum, wait); perr != nil && err == nil {
			err = perr
		}
	}
	return sum, err
}

// withoutResults says how many items ended without results and why:
// "items without results: 2 (USER_ERROR 1, SYSTEM_ERROR 1)".
func withoutResults(sum *resources.DownloadSummary) string {
	n := sum.MissingResults()
	if n == 0 {
		return "items without results: 0"
	}
	var parts []string
	seen := map[string]bool{}
	for _, r := range []string{"USER_ERROR", "SYSTEM_ERROR", "SKIPPED"} {
		if c := sum.WithoutResults[r]; c > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", r, c))
		}
		seen[r] = true
	}
	for _, r := range slices.Sorted(maps.Keys(sum.WithoutResults)) {
		if !seen[r] {
			parts = append(parts, fmt.Sprintf("%s %d", r, sum.WithoutResults[r]))
		}
	}
	return fmt.Sprintf("items without results: %d (%s)", n, strings.Join(parts, ", "))
}

// printDownloadSummary prints the outcome: the summary object (json), one
// last line without files (jsonl), or aligned fields (text).
func printDownloadSummary(out *Output, sum *resources.DownloadSummary, wait bool) error {
	if len(sum.Pending) > 0 && !wait {
		out.Notef("%d item(s) still processing, not downloaded yet: %s (use --wait to wait for them)", len(sum.Pending), strings.Join(clip(sum.Pending, 10), ", "))
	}
	if sum.MissingResults() > 0 {
		out.Notef("%s", withoutResults(sum))
	}
	switch out.Format() {
	case FormatJSON:
		return out.Object(sum, nil)
	case FormatJSONL:
		return out.Object(downloadSummaryLine{DownloadSummary: sum}, nil)
	}
	return out.Object(sum, []Field{
		{"run", sum.RunID},
		{"folder", sum.Dir},
		{"downloaded", fmt.Sprintf("%d (%s received)", sum.Downloaded, humanBytes(sum.Bytes))},
		{"skipped", fmt.Sprintf("%d (present, checksum matches)", sum.Skipped)},
		{"failed", fmt.Sprint(sum.Failed)},
		{"deleted", fmt.Sprint(sum.Deleted)},
		{"manifest", sum.Manifest},
		{"run state", string(sum.State)},
	})
}

// artifactEvent is what the artifact-downloaded hook gets: the file as
// -o jsonl reports it.
func artifactEvent(file resources.DownloadedFile) map[string]any {
	return map[string]any{
		"run_id": file.RunID, "item_id": file.ItemID, "external_id": file.ExternalID,
		"output_artifact_id": file.ArtifactID, "name": file.Name, "path": file.Path,
		"size": file.Size, "crc32c": file.CRC32C, "verified": file.Verified,
	}
}

// clip keeps the first n strings and says how many more there were.
func clip(s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	return append(append([]string(nil), s[:n]...), fmt.Sprintf("... %d more", len(s)-n))
}

// humanBytes formats a byte count with binary units.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, suffix := float64(n), "KMGTPE"
	i := -1
	for v >= unit && i < len(suffix)-1 {
		v /= unit
		i++
	}
	return fmt.Sprintf("%.1f %ciB", v, suffix[i])
}

// checkWritableDir makes sure dir exists (creating it) and accepts new files,
// so a bad download folder is reported before anything is fetched.
func checkWritableDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("download folder %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, ".aignostics-write-check-*")
	if err != nil {
		return fmt.Errorf("download folder %s is not writable: %w", dir, err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}
