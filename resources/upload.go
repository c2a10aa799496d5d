package resources

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aignostics/aignostics/checksum"
	"github.com/aignostics/aignostics/gcs"
	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/internal/retry"
)

// Upload defaults and limits (Cloud Storage's XML API, as S3's).
const (
	// DefaultPartSize is the size of the parts of a multipart upload.
	DefaultPartSize = 32 << 20
	// DefaultMultipartThreshold: files of this size or more go in parts,
	// smaller ones in one PUT.
	DefaultMultipartThreshold = 64 << 20
	// DefaultUploadParallel is the number of PUTs (whole files or parts)
	// in flight, across all files.
	DefaultUploadParallel = 4
	// MaxPartSize bounds a part and a single PUT (5 GiB).
	MaxPartSize = 5 << 30
	// MaxParts is the most parts one upload may have; a file that would
	// need more gets larger parts.
	MaxParts = 10000
	// DefaultUploadRetries is how often one request (a part, a PUT, a
	// HEAD) is tried again after a failure that may pass: the one retry
	// policy's (4).
	DefaultUploadRetries = retry.DefaultRetries
)

// Upload statuses of UploadResult.Status.
const (
	UploadUploaded = "uploaded" // sent (or completed from a journal) and verified
	UploadSkipped  = "skipped"  // the object was there with the same size and CRC32C
	UploadFailed   = "failed"   // see UploadResult.Err
)

// Errors of uploads, matched with errors.Is. Integrity failures (a stored
// object whose CRC32C differs, a file that changed while it was sent) also
// match ErrIntegrity.
var (
	// ErrFileChanged: the file's bytes no longer have the CRC32C it was
	// announced with (it changed since it was scanned, or while it was sent).
	ErrFileChanged = fmt.Errorf("the file changed since its checksum was computed: %w", ErrIntegrity)
	// ErrBadUploadOptions: UploadOptions out of their bounds.
	ErrBadUploadOptions = errors.New("invalid upload options")
)

// UploadFile is one local file to upload.
type UploadFile struct {
	// Path is the local file (as given; results carry it back unchanged).
	Path string
	// Checksum is the file's CRC32C (base64, as slides.Slide has it) when
	// already known; "" means Upload computes it first (one more read).
	// The bytes sent are checked against it.
	Checksum string
	// Name is the last segment of the object key; "" means the file's base name.
	Name string
}

// UploadOptions tune Bucket.Upload. The zero value is ready to use.
type UploadOptions struct {
	// Prefix starts every object key: {Prefix}/{crc32c hex}-{size}/{name}.
	// "" means DefaultUploadPrefix() ({os user}/slides).
	Prefix string
	// PartSize is the size of the parts of a multipart upload (default
	// DefaultPartSize). It must be at least the bucket's MinPartSize
	// (5 MiB on Cloud Storage; an emulator may allow less) and at most 5 GiB.
	PartSize int64
	// MultipartThreshold: files of at least this size are sent in parts,
	// smaller ones in one PUT (default DefaultMultipartThreshold, at most 5 GiB).
	MultipartThreshold int64
	// Parallel bounds the PUTs (whole files or parts) in flight across all
	// files (default DefaultUploadParallel).
	Parallel int
	// JournalDir keeps one journal per multipart upload (its upload id and
	// finished parts, for the bucket, key, size and modification time of
	// the file), so that an interrupted upload resumes with the parts already
	// sent. "" keeps none: an interrupted upload starts over.
	JournalDir string
	// Retries is how often each request is tried again after a failure that
	// may pass (network, 5xx, 429, an expired URL, a part that arrived
	// corrupted); default DefaultUploadRetries, negative none.
	Retries int
	// RetryBase is the first wait between tries (doubled each time, capped
	// at 30s, jittered); default 1s.
	RetryBase time.Duration
	// Progress receives events; calls are serialised (never concurrent).
	// It may cancel the upload's context.
	Progress func(UploadEvent)
}

// UploadEventType says what an UploadEvent reports.
type UploadEventType string

// Upload event types.
const (
	// UploadEventStart: a file's transfer begins (after its HEAD found no
	// such object): Result holds Path, Key, URL, Size.
	UploadEventStart UploadEventType = "start"
	// UploadEventBytes: Bytes more were sent; negative when a failed
	// attempt's bytes are taken back before it is tried again.
	UploadEventBytes UploadEventType = "bytes"
	// UploadEventPart: part Part of the file in Result is stored.
	UploadEventPart UploadEventType = "part"
	// UploadEventFile: a file is finished (Result.Status says how).
	UploadEventFile UploadEventType = "file"
	// UploadEventRetry: a request failed and is tried again (Err says why).
	UploadEventRetry UploadEventType = "retry"
)

// UploadEvent is one progress report. Result is valid only during the
// call: copy what you keep.
type UploadEvent struct {
	Type   UploadEventType
	Result *UploadResult
	Bytes  int64
	Part   int
	Err    error // retry events: the failure, its message redacted
}

// UploadResult is what became of one file.
type UploadResult struct {
	Path     string `json:"path"`
	URL      string `json:"gs_url"` // gs://bucket/key
	Key      string `json:"object_key"`
	Size     int64  `json:"size"`
	Checksum string `json:"checksum_base64_crc32c"`
	Status   string `json:"status"` // uploaded, skipped or failed
	// BytesSent counts the bytes sent over the network that are part of the
	// object (not those of failed attempts); less than Size for a resumed
	// upload, 0 for a skipped file.
	BytesSent int64 `json:"bytes_sent"`
	// Parts is the number of parts of a multipart upload (0 for one PUT),
	// Resumed how many of them an earlier, interrupted run had sent.
	Parts   int    `json:"parts,omitempty"`
	Resumed int    `json:"resumed_parts,omitempty"`
	Error   string `json:"error,omitempty"`
	err     error
}

// Err is the error of a failed file (nil otherwise), for errors.Is; Error
// is its message.
func (r UploadResult) Err() error { return r.err }

// DefaultUploadPrefix is {os user}/slides: the user name of the process
// (a Windows DOMAIN\user becomes user), or "user" when there is none.
func DefaultUploadPrefix() string {
	name := ""
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	if name == "" {
		name = os.Getenv("USER")
	}
	if i := strings.LastIndexAny(name, `\/`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '#' || r == '?' || r == '[' || r == ']' || r == '*' {
			return '_'
		}
		return r
	}, strings.TrimSpace(name))
	if name == "" || name == "." || name == ".." {
		name = "user"
	}
	return name + "/slides"
}

// ObjectKey is the content-addressed key of a file with CRC32C crc and
// size: {prefix}/{crc as 8 hex digits}-{size}/{name}. The same content
// always lands on the same key, so uploads are idempotent.
func ObjectKey(prefix string, crc uint32, size int64, name string) string {
	return fmt.Sprintf("%s/%08x-%d/%s", strings.Trim(prefix, "/"), crc, size, name)
}

// CheckUploadOptions reports options out of their bounds for bucket b (nil
// b: Cloud Storage's limits), matching ErrBadUploadOptions.
func (b *Bucket) CheckUploadOptions(o UploadOptions) error {
	o = o.withDefaults()
	minPart := int64(MinPartSize)
	if b != nil && b.MinPartSize > 0 {
		minPart = b.MinPartSize
	}
	switch {
	case o.PartSize < minPart || o.PartSize > MaxPartSize:
		return fmt.Errorf("%w: part size %d must be from %d to %d bytes", ErrBadUploadOptions, o.PartSize, minPart, int64(MaxPartSize))
	case o.MultipartThreshold < 1 || o.MultipartThreshold > MaxPartSize:
		return fmt.Errorf("%w: multipart threshold %d must be from 1 to %d bytes", ErrBadUploadOptions, o.MultipartThreshold, int64(MaxPartSize))
	case o.Parallel > 256:
		return fmt.Errorf("%w: parallel %d must be from 1 to 256", ErrBadUploadOptions, o.Parallel)
	}
	prefix := strings.Trim(o.Prefix, "/")
	if prefix == "" {
		return fmt.Errorf("%w: the key prefix is empty", ErrBadUploadOptions)
	}
	if err := gcs.ValidateObject(ObjectKey(prefix, 0, 0, "x")); err != nil {
		return fmt.Errorf("%w: prefix %q: %w", ErrBadUploadOptions, clipString(o.Prefix), err)
	}
	for seg := range strings.SplitSeq(prefix, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return fmt.Errorf("%w: prefix %q has an empty, . or .. segment", ErrBadUploadOptions, clipString(o.Prefix))
		}
	}
	return nil
}

func (o UploadOptions) withDefaults() UploadOptions {
	if o.Prefix == "" {
		o.Prefix = DefaultUploadPrefix()
	}
	if o.PartSize == 0 {
		o.PartSize = DefaultPartSize
	}
	if o.MultipartThreshold == 0 {
		o.MultipartThreshold = DefaultMultipartThreshold
	}
	if o.Parallel <= 0 {
		o.Parallel = DefaultUploadParallel
	}
	if o.Retries == 0 {
		o.Retries = DefaultUploadRetries
	}
	if o.RetryBase <= 0 {
		o.RetryBase = time.Second
	}
	return o
}

// Upload sends files to the bucket under content-addressed keys (see
// ObjectKey) and yields one result per file as each finishes (not in the
// order given). For each file: a HEAD first, and an object with the same
// size and CRC32C is skipped; files under MultipartThreshold go in one PUT,
// larger ones in a multipart upload of PartSize parts; at most Parallel PUTs
// are in flight across all files, each retried on its own; with JournalDir,
// an interrupted multipart upload resumes with the parts already stored
// (checked with the list-parts call), and one given up is aborted. After
// each file a HEAD compares the object's CRC32C with the file's: on a
// mismatch the object is deleted and the file fails with ErrIntegrity.
// Memory stays flat: files are streamed from disk.
//
// The error yielded beside a result is that file's failure (the result says
// which file; the others go on, unless the bucket refuses the keys: after a
// 401 or 403 no other file is started), or, with a zero result, options out of their
// bounds (nothing is sent). When ctx ends, the files under way fail with
// the context's cause and their journals are kept (a multipart upload that
// no journal records is aborted); stopping the iteration early cancels the
// rest the same way.
func (b *Bucket) Upload(ctx context.Context, files []UploadFile, opts UploadOptions) iter.Seq2[UploadResult, error] {
	return func(yield func(UploadResult, error) bool) {
		if err := b.CheckUploadOptions(opts); err != nil {
			yield(UploadResult{}, err)
			return
		}
		o := opts.withDefaults()
		o.Prefix = strings.Trim(o.Prefix, "/")
		ctx, cancel := context.WithCancelCause(ctx)
		defer cancel(nil)
		u := &uploader{b: b, o: o, slots: make(chan struct{}, o.Parallel), stop: cancel}
		jobs := make(chan int)
		results := make(chan UploadResult)
		var wg sync.WaitGroup
		for range min(o.Parallel, max(len(files), 1)) {
			wg.Go(func() {
				for i := range jobs {
					results <- u.file(ctx, files[i])
				}
			})
		}
		go func() {
			defer close(results)
			defer wg.Wait()
			defer close(jobs)
			for i := range files {
				select {
				case jobs <- i:
				case <-ctx.Done():
					return
				}
			}
		}()
		stopped := false
		for r := range results {
			if stopped {
				continue // drain: the workers end on the cancelled context
			}
			if !yield(r, r.err) {
				stopped = true
				cancel(errors.New("the upload was stopped"))
			}
		}
	}
}

// uploader is one Upload call.
type uploader struct {
	b     *Bucket
	o     UploadOptions
	slots chan struct{} // one per PUT in flight
	mu    sync.Mutex    // serialises Progress; guards the results it may read while parts are sent
	stop  context.CancelCauseFunc

	keysMu sync.Mutex
	keys   map[string]*keyLock // objects being uploaded: one file at a time per key
}

// keyLock serialises the files with the same content and name (one key).
type keyLock struct {
	mu    sync.Mutex
	users int
}

// lockKey waits until no other file of this upload works on key; the
// returned func unlocks it.
func (u *uploader) lockKey(key string) func() {
	u.keysMu.Lock()
	if u.keys == nil {
		u.keys = map[string]*keyLock{}
	}
	l := u.keys[key]
	if l == nil {
		l = &keyLock{}
		u.keys[key] = l
	}
	l.users++
	u.keysMu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		u.keysMu.Lock()
		if l.users--; l.users == 0 {
			delete(u.keys, key)
		}
		u.keysMu.Unlock()
	}
}

func (u *uploader) emit(ev UploadEvent) {
	if u.o.Progress == nil {
		return
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	u.o.Progress(ev)
}

// acquire takes a PUT slot; release gives it back.
func (u *uploader) acquire(ctx context.Context) error {
	select {
	case u.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

func (u *uploader) release() { <-u.slots }

// file uploads one file and reports it.
func (u *uploader) file(ctx context.Context, f UploadFile) UploadResult {
	r := UploadResult{Path: f.Path}
	fail := func(err error) UploadResult {
		if status, _ := storageStatus(err); status == http.StatusForbidden || status == http.StatusUnauthorized {
			u.stop(err) // the bucket refuses the keys: the other files would fail alike
		}
		r.Status, r.err, r.Error = UploadFailed, err, redactSecret(err.Error(), u.b.Key.Secret)
		u.emit(UploadEvent{Type: UploadEventFile, Result: &r})
		return r
	}
	st, err := os.Stat(f.Path)
	if err != nil {
		return fail(fmt.Errorf("upload %s: %w", f.Path, err))
	}
	if !st.Mode().IsRegular() {
		return fail(fmt.Errorf("upload %s: %w", f.Path, errNotRegular))
	}
	r.Size = st.Size()
	crc, err := u.fileChecksum(ctx, f, r.Size)
	if err != nil {
		return fail(err)
	}
	r.Checksum = checksum.Encode(crc)
	name := f.Name
	if name == "" {
		name = filepath.Base(f.Path)
	}
	r.Key = ObjectKey(u.o.Prefix, crc, r.Size, name)
	r.URL = u.b.GS(r.Key)
	if err := gcs.ValidateObject(r.Key); err != nil {
		return fail(fmt.Errorf("upload %s: object key: %w", f.Path, err))
	}
	// Two files with the same bytes and name share the key: the second
	// waits, then finds the object there.
	defer u.lockKey(r.Key)()
	have, err := u.head(ctx, r.Key)
	if err != nil {
		return fail(fmt.Errorf("upload %s: %w", f.Path, err))
	}
	if have.exists && have.size == r.Size && have.crc == r.Checksum {
		if jr, ok := u.loadJournal(u.b.Name, r.Key); ok {
			u.giveUp(r.Key, jr) // an interrupted upload of what is there now
		}
		r.Status = UploadSkipped
		u.emit(UploadEvent{Type: UploadEventFile, Result: &r})
		return r
	}
	u.emit(UploadEvent{Type: UploadEventStart, Result: &r})
	if r.Size < u.o.MultipartThreshold {
		err = u.single(ctx, f.Path, crc, &r)
	} else {
		err = u.multipart(ctx, f.Path, st.ModTime(), crc, &r)
	}
	if err != nil {
		return fail(err)
	}
	if err := u.verify(ctx, &r); err != nil {
		return fail(err)
	}
	r.Status = UploadUploaded
	u.emit(UploadEvent{Type: UploadEventFile, Result: &r})
	return r
}

var errNotRegular = errors.New("not a regular file")

// fileChecksum is the file's CRC32C: the one given (checked for form), or
// computed by reading the file.
func (u *uploader) fileChecksum(ctx context.Context, f UploadFile, size int64) (uint32, error) {
	if f.Checksum != "" {
		crc, err := checksum.Decode(f.Checksum)
		if err != nil {
			return 0, fmt.Errorf("upload %s: checksum %q: %w", f.Path, clipString(f.Checksum), err)
		}
		return crc, nil
	}
	fh, err := os.Open(f.Path)
	if err != nil {
		return 0, fmt.Errorf("upload %s: %w", f.Path, err)
	}
	defer fh.Close()
	buf := make([]byte, 1<<20)
	var crc uint32
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return 0, fmt.Errorf("upload %s: %w", f.Path, context.Cause(ctx))
		}
		k, err := fh.Read(buf)
		crc = checksum.Update(crc, buf[:k])
		n += int64(k)
		if err != nil {
			if err == io.EOF {
				break
			}
			return 0, fmt.Errorf("upload %s: read: %w", f.Path, err)
		}
	}
	if n != size {
		return 0, fmt.Errorf("upload %s: %w (%d bytes read, %d expected)", f.Path, ErrFileChanged, n, size)
	}
	return crc, nil
}

// verify HEADs the finished object: its size and CRC32C must be the file's,
// else it is deleted.
func (u *uploader) verify(ctx context.Context, r *UploadResult) error {
	have, err := u.head(ctx, r.Key)
	if err != nil {
		return fmt.Errorf("upload %s: check %s: %w", r.Path, r.URL, err)
	}
	var problem string
	switch {
	case !have.exists:
		return fmt.Errorf("upload %s: %s is missing after the upload: %w", r.Path, r.URL, ErrIntegrity)
	case have.crc == "":
		problem = "the storage reports no CRC32C"
	case have.crc != r.Checksum:
		problem = fmt.Sprintf("its CRC32C is %s, the file's %s", have.crc, r.Checksum)
	case have.size != r.Size:
		problem = fmt.Sprintf("it has %d bytes, the file %d", have.size, r.Size)
	default:
		return nil
	}
	derr := u.remove(ctx, r.Key)
	what := "deleted"
	if derr != nil {
		what = "could not be deleted: " + derr.Error()
	}
	return fmt.Errorf("upload %s: %s: %s; the object %s: %w", r.Path, r.URL, problem, what, ErrIntegrity)
}

// redactSecret removes the HMAC secret from a message (it is never put in
// one; this is the last guard) and the signatures of presigned URLs.
func redactSecret(msg, secret string) string {
	if secret != "" {
		msg = strings.ReplaceAll(msg, secret, "REDACTED")
	}
	return httpx.Redact(msg)
}
