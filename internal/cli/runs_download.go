package cli

import (
	"context"
	"fmt"
	"os"
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
	if err := checkWritableDir(c.Dir); err != nil {
		return cliError(KindInvalid, err)
	}
	cl, err := f.Client()
	if err != nil {
		return err
	}
	out := f.Output()
	prog := newDownloadProgress(ctx, f, out, c.Wait)
	sum, err := cl.Run(c.RunID).DownloadToFolder(ctx, c.Dir, resources.DownloadOptions{
		Parallel: c.Parallel, ChecksumKey: c.ChecksumAttributeKey, NoVerify: c.NoVerify,
		Wait: c.Wait, PollInterval: c.Interval, Progress: prog.event,
	})
	prog.finish()
	if sum != nil {
		for _, file := range sum.Files {
			if file.Status == resources.FileDownloaded {
				f.Hooks().Fire(ctx, hooks.ArtifactDownloaded, artifactEvent(file))
			}
		}
	}
	if sum != nil && (sum.Downloaded+sum.Skipped+sum.Failed+sum.Deleted > 0 || err == nil) {
		if perr := c.summary(f, out, sum); perr != nil && err == nil {
			err = perr
		}
	}
	return err // integrity errors exit 5, deleted or failed downloads 1 (classifyDomain)
}

// summary prints the outcome: the summary object (json), one last line
// without files (jsonl), or aligned fields (text).
func (c *RunsDownloadCmd) summary(f *Factory, out *Output, sum *resources.DownloadSummary) error {
	if len(sum.Pending) > 0 && !c.Wait {
		out.Notef("%d item(s) still processing, not downloaded yet: %s (use --wait to wait for them)", len(sum.Pending), strings.Join(clip(sum.Pending, 10), ", "))
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
