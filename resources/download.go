package resources

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aignostics/aignostics/httpx"
)

// Download defaults.
const (
	DefaultDownloadParallel = 4
	DefaultChecksumKey      = "checksum_base64_crc32c"
	DefaultPollInterval     = 5 * time.Second
	downloadBufferSize      = 256 << 10
	defaultAttempts         = 5
)

// Errors of DownloadToFolder's summary error, matched with errors.Is.
var (
	// ErrIntegrity: a file failed its CRC32C check or had no checksum to check
	// (the command exits 5). Mismatches also match checksum.ErrMismatch.
	ErrIntegrity = errors.New("integrity check failed")
	// ErrArtifactsDeleted: some artifacts were deleted and cannot be downloaded.
	ErrArtifactsDeleted = errors.New("artifacts were deleted")
	// ErrDownloadFailed: some files could not be downloaded (network, server).
	ErrDownloadFailed = errors.New("download failed")
	// ErrMissingChecksum: an artifact has no checksum in its metadata, so it
	// cannot be verified (DownloadOptions.NoVerify accepts it). It matches
	// ErrIntegrity.
	ErrMissingChecksum = fmt.Errorf("no checksum to verify: %w", ErrIntegrity)
)

// DownloadOptions tune DownloadToFolder. The zero value is ready to use.
type DownloadOptions struct {
	// Parallel is the number of files downloaded at once (default 4).
	Parallel int
	// ChecksumKey is the artifact metadata key holding the base64 CRC32C
	// (default "checksum_base64_crc32c").
	ChecksumKey string
	// NoVerify skips checksum verification, and with it the integrity failure
	// of artifacts without a checksum.
	NoVerify bool
	// Wait keeps polling while the run is not terminated, downloading items as
	// they finish, until the run ends.
	Wait bool
	// PollInterval is the time between polls with Wait (default 5s).
	PollInterval time.Duration
	// Attempts bounds how often one file is (re)requested after a broken
	// transfer, resuming from what arrived (default 5).
	Attempts int
	// Progress receives events; calls are serialised (never concurrent). The
	// event's File is valid only during the call: copy what you keep.
	Progress func(DownloadEvent)
	// ExternalIDs, when set, selects the items to download; an id the run
	// does not have is an error (ErrNoSuchItem) before any file is fetched.
	ExternalIDs []string
	// Artifacts, when set, selects the output artifacts by name.
	Artifacts []string
	// NoManifest leaves out {dir}/{run_id}/manifest.json.
	NoManifest bool
}

// ErrNoSuchItem: an external id selected for download is not in the run;
// ErrNoSuchArtifact: an artifact name selected is not an output of its version.
var (
	ErrNoSuchItem     = errors.New("no item with this external id in the run")
	ErrNoSuchArtifact = errors.New("no output artifact of this name in the application version")
)

// DownloadEventType says what a DownloadEvent reports.
type DownloadEventType string

// Download event types.
const (
	EventStart   DownloadEventType = "start"   // a file transfer begins (File.Path, File.Size when known)
	EventBytes   DownloadEventType = "bytes"   // Bytes more arrived for File
	EventFile    DownloadEventType = "file"    // a file is finished: File.Status says how
	EventPending DownloadEventType = "pending" // items not finished yet (Pending); with Wait, polling goes on
	EventQueued  DownloadEventType = "queued"  // Queued more files will be reported (a file event each): the total grows by it
)

// DownloadEvent is one progress report.
type DownloadEvent struct {
	Type    DownloadEventType
	File    *DownloadedFile // for start, bytes and file events
	Bytes   int64           // for bytes events
	Pending []string        // for pending events: external ids
	Queued  int             // for queued events: how many more file events will come
}

// File statuses.
const (
	FileDownloaded = "downloaded"
	FileSkipped    = "skipped" // present with a matching checksum
	FileFailed     = "failed"
	FileDeleted    = "deleted"
)

// DownloadedFile describes one artifact's file.
type DownloadedFile struct {
	RunID      string `json:"run_id"`
	ItemID     string `json:"item_id"`
	ExternalID string `json:"external_id"`
	ArtifactID string `json:"output_artifact_id"`
	Name       string `json:"name"`
	Path       string `json:"path"`
	Status     string `json:"status"`
	Size       int64  `json:"size"`
	CRC32C     string `json:"crc32c,omitempty"`
	Verified   bool   `json:"verified"`
	Resumed    bool   `json:"resumed,omitempty"`
	Error      string `json:"error,omitempty"`
	err        error
}

// Err is the error of a failed or deleted file (nil otherwise), for
// errors.Is; Error is its redacted message.
func (f DownloadedFile) Err() error { return f.err }

// DownloadSummary is the outcome of DownloadToFolder.
type DownloadSummary struct {
	RunID      string           `json:"run_id"`
	Dir        string           `json:"dir"` // {DIR}/{run_id}
	State      RunState         `json:"state"`
	Files      []DownloadedFile `json:"files"`
	Downloaded int              `json:"downloaded"`
	Skipped    int              `json:"skipped"`
	Failed     int              `json:"failed"`
	Deleted    int              `json:"deleted"`
	Bytes      int64            `json:"bytes"` // bytes received over the network
	Pending    []string         `json:"pending,omitempty"`
	// WithoutResults counts the selected items that ended without results,
	// by termination reason (USER_ERROR, SYSTEM_ERROR, SKIPPED).
	WithoutResults map[string]int `json:"items_without_results,omitempty"`
	// Manifest is the path of manifest.json ("" when not written).
	Manifest string `json:"manifest,omitempty"`

	items map[string]ItemResultReadResponse // by item id, the latest seen
	order []string                          // item ids in the order seen
}

// MissingResults is how many selected items ended without results.
func (s *DownloadSummary) MissingResults() int {
	n := 0
	for _, c := range s.WithoutResults {
		n += c
	}
	return n
}

// DownloadToFolder downloads the run's available output artifacts into
// {dir}/{run_id}/{external_id}/{name}{ext} (GLOBAL-scope artifacts into
// {dir}/{run_id}/_global/), each verified by CRC32C against its metadata and the
// storage's x-goog-hash before it is renamed from name.part into place. Present
// files whose checksum matches are skipped; a broken transfer resumes with Range
// and If-Range. One failing file does not stop the others: the summary lists
// every file and the error (matching ErrIntegrity, ErrArtifactsDeleted or
// ErrDownloadFailed, or the context's error) says what went wrong. When ctx is
// cancelled only .part files (and their .etag) are left behind.
func (r *Run) DownloadToFolder(ctx context.Context, dir string, o DownloadOptions) (*DownloadSummary, error) {
	o = o.withDefaults(r.c)
	d := &downloader{run: r, o: o, planner: newPathPlanner(dir, r.ID), seen: map[string]bool{}}
	d.sum = &DownloadSummary{RunID: r.ID, Dir: d.planner.root, items: map[string]ItemResultReadResponse{}}
	if len(o.ExternalIDs) > 0 {
		d.ids = map[string]bool{}
		for _, id := range o.ExternalIDs {
			d.ids[id] = true
		}
	}
	if len(o.Artifacts) > 0 {
		d.arts = map[string]bool{}
		for _, a := range o.Artifacts {
			d.arts[a] = true
		}
	}
	if err := os.MkdirAll(d.planner.root, 0o755); err != nil {
		return d.sum, fmt.Errorf("download run %s: %w", r.ID, err)
	}
	err := d.loop(ctx)
	sort.SliceStable(d.sum.Files, func(i, j int) bool { return d.sum.Files[i].Path < d.sum.Files[j].Path })
	d.sum.countMissing()
	if !o.NoManifest && !errors.Is(err, ErrNoSuchItem) && !errors.Is(err, ErrNoSuchArtifact) && len(d.sum.order) > 0 {
		if merr := d.writeManifest(); merr != nil && err == nil {
			err = fmt.Errorf("download run %s: %w", r.ID, merr)
		}
	}
	if err != nil {
		return d.sum, err
	}
	if ctx.Err() != nil {
		return d.sum, fmt.Errorf("download run %s: %w", r.ID, context.Cause(ctx))
	}
	return d.sum, d.sum.err()
}

func (o DownloadOptions) withDefaults(c *Client) DownloadOptions {
	if o.Parallel <= 0 {
		o.Parallel = DefaultDownloadParallel
	}
	if o.ChecksumKey == "" {
		o.ChecksumKey = DefaultChecksumKey
	}
	if o.PollInterval <= 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.Attempts <= 0 {
		o.Attempts = defaultAttempts
	}
	return o
}

// err summarises the failures, integrity first (exit 5 beats exit 1).
func (s *DownloadSummary) err() error {
	var integrity, deleted, failed []DownloadedFile
	for _, f := range s.Files {
		switch {
		case f.Status == FileDeleted:
			deleted = append(deleted, f)
		case f.Status == FileFailed && errors.Is(f.err, ErrIntegrity):
			integrity = append(integrity, f)
		case f.Status == FileFailed:
			failed = append(failed, f)
		}
	}
	switch {
	case len(integrity) > 0:
		return fmt.Errorf("download run %s: %d file(s) failed verification, first %s: %w", s.RunID, len(integrity), integrity[0].Path, integrity[0].err)
	case len(failed) > 0:
		return fmt.Errorf("download run %s: %d file(s) failed, first %s: %w: %w", s.RunID, len(failed), failed[0].Path, ErrDownloadFailed, failed[0].err)
	case len(deleted) > 0:
		return fmt.Errorf("download run %s: %d artifact(s) were deleted (first %s): %w", s.RunID, len(deleted), deleted[0].Path, ErrArtifactsDeleted)
	}
	return nil
}

// downloader is one DownloadToFolder call.
type downloader struct {
	run     *Run
	o       DownloadOptions
	planner *pathPlanner
	seen    map[string]bool // artifact ids already scheduled or reported
	scopes  map[string]OutputArtifact
	ids     map[string]bool // selected external ids (nil: all)
	arts    map[string]bool // selected artifact names (nil: all)
	details RunReadResponse // the latest run details, for the manifest

	mu  sync.Mutex // guards sum and serialises Progress
	sum *DownloadSummary
}

// emit sends an event to Progress under the lock.
func (d *downloader) emit(ev DownloadEvent) {
	if d.o.Progress == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.o.Progress(ev)
}

// record adds a finished file to the summary and reports it.
func (d *downloader) record(f DownloadedFile) {
	if f.err != nil {
		f.Error = httpx.Redact(f.err.Error()) // never a signed URL's signature
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	switch f.Status {
	case FileDownloaded:
		d.sum.Downloaded++
	case FileSkipped:
		d.sum.Skipped++
	case FileFailed:
		d.sum.Failed++
	case FileDeleted:
		d.sum.Deleted++
	}
	d.sum.Files = append(d.sum.Files, f)
	if d.o.Progress != nil {
		d.o.Progress(DownloadEvent{Type: EventFile, File: &f})
	}
}

// loop polls the run, hands new available artifacts to the workers, and with
// Wait continues until the run is terminated.
func (d *downloader) loop(ctx context.Context) error {
	jobs := make(chan job)
	var wg sync.WaitGroup
	for range d.o.Parallel {
		wg.Go(func() {
			buf := make([]byte, downloadBufferSize) // one buffer per worker: flat memory
			for j := range jobs {
				d.record(d.fetch(ctx, j, buf))
			}
		})
	}
	defer wg.Wait()
	defer close(jobs)

	for {
		details, err := d.run.Details(ctx)
		if err != nil {
			return fmt.Errorf("download run %s: %w", d.run.ID, err)
		}
		d.mu.Lock()
		d.sum.State = details.State
		d.details = details
		d.mu.Unlock()
		if d.scopes == nil {
			d.scopes = d.outputArtifacts(ctx, details)
			var unknown []string
			for _, a := range d.o.Artifacts {
				if _, ok := d.scopes[a]; !ok && len(d.scopes) > 0 {
					unknown = append(unknown, a)
				}
			}
			if len(unknown) > 0 {
				return fmt.Errorf("download run %s: %w: %s (%s:%s has %s)", d.run.ID, ErrNoSuchArtifact, strings.Join(unknown, ", "),
					details.ApplicationID, details.VersionNumber, strings.Join(slices.Sorted(maps.Keys(d.scopes)), ", "))
			}
		}
		batch, pending, err := d.scan(ctx)
		if err != nil {
			return fmt.Errorf("download run %s: %w", d.run.ID, err)
		}
		for _, j := range batch {
			select {
			case jobs <- j:
			case <-ctx.Done():
				return nil
			}
		}
		terminated := details.State == RunTerminated
		d.mu.Lock()
		d.sum.Pending = pending
		d.mu.Unlock()
		if len(pending) > 0 {
			d.emit(DownloadEvent{Type: EventPending, Pending: pending})
		}
		if !d.o.Wait || terminated {
			return nil
		}
		if err := d.run.c.o.Clock.Sleep(ctx, d.o.PollInterval); err != nil {
			return nil // ctx cancelled: reported by the caller
		}
	}
}

// outputArtifacts maps the version's output artifact names to their
// definitions (scope, mime type). Without them every artifact is ITEM scope.
func (d *downloader) outputArtifacts(ctx context.Context, run RunReadResponse) map[string]OutputArtifact {
	out := map[string]OutputArtifact{}
	v, err := d.run.c.Versions().Details(ctx, run.ApplicationID, run.VersionNumber)
	if err != nil {
		d.run.c.debugf("download run %s: version %s:%s unavailable (%v); treating artifacts as item scope", d.run.ID, run.ApplicationID, run.VersionNumber, err)
		return out
	}
	for _, a := range v.OutputArtifacts {
		out[a.Name] = a
	}
	return out
}

// job is one artifact to fetch.
type job struct {
	file DownloadedFile
	want string // expected checksum from metadata; "" when absent
}

// scan lists the items and returns the new available artifacts (deleted ones
// are recorded at once) and the external ids of items not finished yet.
func (d *downloader) scan(ctx context.Context) ([]job, []string, error) {
	var batch []job
	var pending []string
	found := map[string]bool{}
	deleted := 0
	for it, err := range d.run.Items(ctx, ItemListOptions{}) {
		if err != nil {
			return nil, nil, err
		}
		if d.ids != nil && !d.ids[it.ExternalID] {
			continue
		}
		found[it.ExternalID] = true
		d.mu.Lock()
		if _, ok := d.sum.items[it.ItemID]; !ok {
			d.sum.order = append(d.sum.order, it.ItemID)
		}
		d.sum.items[it.ItemID] = it
		d.mu.Unlock()
		if it.State != ItemTerminated {
			pending = append(pending, it.ExternalID)
			continue
		}
		for _, a := range it.OutputArtifacts {
			if d.seen[a.OutputArtifactID] || (d.arts != nil && !d.arts[a.Name]) {
				continue
			}
			f := d.describe(it, a)
			switch a.Output {
			case ArtifactOutputAvailable:
			case ArtifactOutputDeletedByUser, ArtifactOutputDeletedBySystem:
				d.seen[a.OutputArtifactID] = true
				f.Status = FileDeleted
				f.err = fmt.Errorf("artifact %s of item %q: %s", a.Name, it.ExternalID, a.Output)
				deleted++
				d.record(f)
				continue
			default:
				continue // not produced (item failed or skipped)
			}
			d.seen[a.OutputArtifactID] = true
			want, _ := a.Metadata[d.o.ChecksumKey].(string)
			batch = append(batch, job{file: f, want: want})
		}
	}
	var missing []string
	for _, id := range d.o.ExternalIDs {
		if !found[id] && !slices.Contains(missing, id) {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return nil, nil, fmt.Errorf("%w: %s", ErrNoSuchItem, strings.Join(missing, ", "))
	}
	if n := len(batch) + deleted; n > 0 {
		d.emit(DownloadEvent{Type: EventQueued, Queued: n})
	}
	return batch, pending, nil
}

// describe plans the file of an artifact.
func (d *downloader) describe(it ItemResultReadResponse, a OutputArtifactResultReadResponse) DownloadedFile {
	def := d.scopes[a.Name]
	mt, _ := a.Metadata["media_type"].(string)
	ext := ExtensionFor(mt)
	if ext == "" {
		ext = ExtensionFor(def.MimeType)
	}
	if ext == "" {
		ext = ".bin"
	}
	path := d.planner.path(a.OutputArtifactID, it.ExternalID, def.Scope == ScopeGlobal, a.Name, ext)
	return DownloadedFile{
		RunID: d.run.ID, ItemID: it.ItemID, ExternalID: it.ExternalID, ArtifactID: a.OutputArtifactID,
		Name: a.Name, Path: path,
	}
}

// partPaths returns the partial file and its ETag sidecar.
func partPaths(path string) (part, etag string) { return path + ".part", path + ".part.etag" }

// mkdirFor creates the folder of path.
func mkdirFor(path string) error { return os.MkdirAll(filepath.Dir(path), 0o755) }
