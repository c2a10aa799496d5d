package emulator

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aignostics/aignostics/checksum"
)

// Limits of the organization bucket, as Cloud Storage's XML API sets them.
const (
	DefaultMinPartSize = 5 << 20  // every part but the last of a multipart upload
	maxPartSize        = 5 << 30  // one part, and one single PUT
	maxPartNumber      = 10000    // part numbers are 1..10000
	maxListParts       = 1000     // parts per list-parts page
	maxCompleteBody    = 2 << 20  // the CompleteMultipartUpload document
	maxObjectSize      = 5 << 40  // 5 TiB
	metaFileLimit      = 16 << 20 // one metadata file (an upload of 10000 parts fits)
)

// Errors of the object store; the handlers map them to XML errors.
var (
	errNoSuchKey       = errors.New("the specified key does not exist")
	errNoSuchUpload    = errors.New("the specified multipart upload does not exist")
	errInvalidPart     = errors.New("one or more of the specified parts could not be found or its entity tag did not match")
	errInvalidOrder    = errors.New("the list of parts was not in ascending order")
	errEntityTooSmall  = errors.New("a part other than the last is smaller than the minimum part size")
	errPayloadMismatch = errors.New("the body's SHA-256 differs from X-Amz-Content-Sha256")
)

// orgObject is one object of the organization bucket. Its bytes are the
// concatenation of its segment files (one for a single PUT, one per part for
// a completed multipart upload, so completing copies nothing).
type orgObject struct {
	Name        string    `json:"name"`
	Size        int64     `json:"size"`
	CRC32C      uint32    `json:"crc32c"`
	MD5         string    `json:"md5,omitempty"` // hex; none for a multipart (composite) object
	ETag        string    `json:"etag"`          // unquoted
	ContentType string    `json:"content_type"`
	Generation  int64     `json:"generation"`
	Updated     time.Time `json:"updated"`
	Segments    []segment `json:"segments"`
}

// segment is one data file of an object or one stored part.
type segment struct {
	File string `json:"file"` // base name under data/
	Size int64  `json:"size"`
}

// partRecord is one uploaded part of a multipart upload.
type partRecord struct {
	segment
	Number   int       `json:"number"`
	CRC32C   uint32    `json:"crc32c"`
	MD5      string    `json:"md5"` // hex; the part's ETag
	Modified time.Time `json:"modified"`
}

// mpUpload is one multipart upload in progress.
type mpUpload struct {
	ID          string              `json:"id"`
	Object      string              `json:"object"`
	ContentType string              `json:"content_type"`
	Initiated   time.Time           `json:"initiated"`
	Parts       map[int]*partRecord `json:"parts"`
}

// objectStore keeps the organization bucket in files under dir: data/ holds
// object segments and parts (random names), meta/ one JSON document per
// object and per multipart upload. Only metadata is held in memory.
type objectStore struct {
	now     func() time.Time
	minPart int64
	kept    string // the directory to keep (beside --state); "" = a temporary one

	mu      sync.Mutex
	dir     string // "" until the first write or load
	temp    bool   // dir is ours: removed on close
	objects map[string]*orgObject
	uploads map[string]*mpUpload
}

func newObjectStore(now func() time.Time, minPart int64, kept string) *objectStore {
	if minPart <= 0 {
		minPart = DefaultMinPartSize
	}
	return &objectStore{now: now, minPart: minPart, kept: kept,
		objects: map[string]*orgObject{}, uploads: map[string]*mpUpload{}}
}

// ensureDir loads a kept directory, or makes a temporary one when write is
// set (reads of a store never written need none); the caller holds s.mu.
func (s *objectStore) ensureDir(write bool) error {
	if s.dir != "" || (s.kept == "" && !write) {
		return nil
	}
	dir, temp := s.kept, false
	if dir == "" {
		d, err := os.MkdirTemp("", "aignostics-emulator-bucket-")
		if err != nil {
			return fmt.Errorf("create bucket directory: %w", err)
		}
		dir, temp = d, true
	}
	for _, sub := range []string{"data", filepath.Join("meta", "objects"), filepath.Join("meta", "uploads")} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return fmt.Errorf("create bucket directory: %w", err)
		}
	}
	s.dir, s.temp = dir, temp
	return s.loadLocked()
}

// loadLocked reads the metadata of a directory kept from an earlier run and
// removes data files nothing refers to (left by a crash mid-write).
func (s *objectStore) loadLocked() error {
	used := map[string]bool{}
	read := func(sub string, into func([]byte) error) error {
		entries, err := os.ReadDir(filepath.Join(s.dir, "meta", sub))
		if err != nil {
			return fmt.Errorf("read bucket directory: %w", err)
		}
		for _, e := range entries {
			p := filepath.Join(s.dir, "meta", sub, e.Name())
			if !strings.HasSuffix(e.Name(), ".json") {
				_ = os.Remove(p) // a temporary file of an interrupted write
				continue
			}
			b, err := readBounded(p, metaFileLimit)
			if err != nil {
				return err
			}
			if err := into(b); err != nil {
				return fmt.Errorf("read bucket metadata %s: %w", p, err)
			}
		}
		return nil
	}
	err := read("objects", func(b []byte) error {
		var o orgObject
		if err := json.Unmarshal(b, &o); err != nil {
			return err
		}
		s.objects[o.Name] = &o
		for _, sg := range o.Segments {
			used[sg.File] = true
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = read("uploads", func(b []byte) error {
		var u mpUpload
		if err := json.Unmarshal(b, &u); err != nil {
			return err
		}
		if u.Parts == nil {
			u.Parts = map[int]*partRecord{}
		}
		s.uploads[u.ID] = &u
		for _, p := range u.Parts {
			used[p.File] = true
		}
		return nil
	})
	if err != nil {
		return err
	}
	entries, err := os.ReadDir(filepath.Join(s.dir, "data"))
	if err != nil {
		return fmt.Errorf("read bucket directory: %w", err)
	}
	for _, e := range entries {
		if !used[e.Name()] {
			_ = os.Remove(filepath.Join(s.dir, "data", e.Name()))
		}
	}
	return nil
}

// readBounded reads a whole file of at most limit bytes.
func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("read %s: larger than %d bytes", path, limit)
	}
	return b, nil
}

// close removes a temporary directory.
func (s *objectStore) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dir == "" || !s.temp {
		return nil
	}
	err := os.RemoveAll(s.dir)
	s.dir = ""
	s.objects, s.uploads = map[string]*orgObject{}, map[string]*mpUpload{}
	return err
}

// metaPath is the metadata file of an object or an upload.
func (s *objectStore) metaPath(kind, id string) string {
	if kind == "objects" {
		sum := sha256.Sum256([]byte(id))
		id = hex.EncodeToString(sum[:])
	}
	return filepath.Join(s.dir, "meta", kind, id+".json")
}

func (s *objectStore) dataPath(file string) string { return filepath.Join(s.dir, "data", file) }

// writeMeta writes v as JSON, temp file + rename; the caller holds s.mu.
func (s *objectStore) writeMeta(kind, id string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	p := s.metaPath(kind, id)
	f, err := os.CreateTemp(filepath.Dir(p), ".meta-*.tmp")
	if err != nil {
		return fmt.Errorf("write bucket metadata: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		_ = f.Close()
		_ = os.Remove(f.Name())
		return fmt.Errorf("write bucket metadata: %w", err)
	}
	if err := f.Close(); err != nil {
		_ = os.Remove(f.Name())
		return fmt.Errorf("write bucket metadata: %w", err)
	}
	if err := os.Rename(f.Name(), p); err != nil {
		_ = os.Remove(f.Name())
		return fmt.Errorf("write bucket metadata: %w", err)
	}
	return nil
}

// received is a body written to a data file, with its checksums.
type received struct {
	segment
	CRC32C uint32
	MD5    string
}

// receive streams body into a new data file, computing CRC32C and MD5 (and
// SHA-256 when payloadSHA is a hash to check). On any error the file is
// removed. max bounds the size.
func (s *objectStore) receive(body io.Reader, max int64, payloadSHA string) (received, error) {
	s.mu.Lock()
	err := s.ensureDir(true)
	dir := s.dir
	s.mu.Unlock()
	if err != nil {
		return received{}, err
	}
	f, err := os.CreateTemp(filepath.Join(dir, "data"), "d-*")
	if err != nil {
		return received{}, fmt.Errorf("store object: %w", err)
	}
	crc, m := checksum.New(), md5.New()
	hashes := []io.Writer{crc, m}
	var sh hash.Hash
	if payloadSHA != "" && payloadSHA != "UNSIGNED-PAYLOAD" {
		sh = sha256.New()
		hashes = append(hashes, sh)
	}
	buf := make([]byte, 256<<10)
	n, err := io.CopyBuffer(io.MultiWriter(append(hashes, f)...), io.LimitReader(body, max+1), buf)
	if err == nil && n > max {
		err = fmt.Errorf("the body is larger than %d bytes", max)
	}
	if err == nil && sh != nil && hex.EncodeToString(sh.Sum(nil)) != payloadSHA {
		err = errPayloadMismatch
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return received{}, err
	}
	return received{segment: segment{File: filepath.Base(f.Name()), Size: n}, CRC32C: crc.Sum32(),
		MD5: hex.EncodeToString(m.Sum(nil))}, nil
}

// discard removes data files no longer referred to.
func (s *objectStore) discard(files ...segment) {
	for _, f := range files {
		_ = os.Remove(s.dataPath(f.File))
	}
}

// put commits a received body as object name, replacing any earlier one.
func (s *objectStore) put(name, contentType string, rc received) (*orgObject, error) {
	o := &orgObject{Name: name, Size: rc.Size, CRC32C: rc.CRC32C, MD5: rc.MD5, ETag: rc.MD5,
		ContentType: contentType, Segments: []segment{rc.segment}}
	if err := s.commit(o); err != nil {
		s.discard(rc.segment)
		return nil, err
	}
	return o, nil
}

// commit stores o's metadata and drops the object it replaces.
func (s *objectStore) commit(o *orgObject) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o.Updated = s.now().UTC()
	o.Generation = o.Updated.UnixMicro()
	if old, ok := s.objects[o.Name]; ok && old.Generation >= o.Generation {
		o.Generation = old.Generation + 1
	}
	if err := s.writeMeta("objects", o.Name, o); err != nil {
		return err
	}
	old := s.objects[o.Name]
	s.objects[o.Name] = o
	if old != nil {
		s.discard(old.Segments...)
	}
	return nil
}

// stat returns a copy of an object's metadata.
func (s *objectStore) stat(name string) (orgObject, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = s.ensureDir(false) // a directory that cannot be read holds nothing
	o, ok := s.objects[name]
	if !ok {
		return orgObject{}, false
	}
	return *o, true
}

// open returns an object's metadata and a reader over its bytes; the files
// are opened under the lock, so a concurrent replacement cannot cut a read.
func (s *objectStore) open(name string) (orgObject, *segmentReader, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = s.ensureDir(false) // a directory that cannot be read holds nothing
	o, ok := s.objects[name]
	if !ok {
		return orgObject{}, nil, errNoSuchKey
	}
	sr := &segmentReader{}
	for _, sg := range o.Segments {
		f, err := os.Open(s.dataPath(sg.File))
		if err != nil {
			sr.Close()
			return orgObject{}, nil, fmt.Errorf("open object %s: %w", name, err)
		}
		sr.files = append(sr.files, f)
		sr.sizes = append(sr.sizes, sg.Size)
	}
	return *o, sr, nil
}

// remove deletes an object.
func (s *objectStore) remove(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = s.ensureDir(false) // a directory that cannot be read holds nothing
	o, ok := s.objects[name]
	if !ok {
		return errNoSuchKey
	}
	if err := os.Remove(s.metaPath("objects", name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete object %s: %w", name, err)
	}
	delete(s.objects, name)
	s.discard(o.Segments...)
	return nil
}

// initiate starts a multipart upload of name.
func (s *objectStore) initiate(name, contentType string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ensureDir(true); err != nil {
		return "", err
	}
	u := &mpUpload{ID: "U" + randomToken(36), Object: name, ContentType: contentType,
		Initiated: s.now().UTC(), Parts: map[int]*partRecord{}}
	if err := s.writeMeta("uploads", u.ID, u); err != nil {
		return "", err
	}
	s.uploads[u.ID] = u
	return u.ID, nil
}

// upload returns the multipart upload id of object name.
func (s *objectStore) upload(id, name string) (*mpUpload, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = s.ensureDir(false) // a directory that cannot be read holds nothing
	u, ok := s.uploads[id]
	if !ok || u.Object != name {
		return nil, errNoSuchUpload
	}
	return u, nil
}

// putPart commits a received part, replacing an earlier part of that number.
func (s *objectStore) putPart(id, name string, number int, rc received) (*partRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.uploads[id]
	if !ok || u.Object != name {
		s.discard(rc.segment)
		return nil, errNoSuchUpload
	}
	p := &partRecord{segment: rc.segment, Number: number, CRC32C: rc.CRC32C, MD5: rc.MD5, Modified: s.now().UTC()}
	old := u.Parts[number]
	u.Parts[number] = p
	if err := s.writeMeta("uploads", u.ID, u); err != nil {
		u.Parts[number] = old
		s.discard(rc.segment)
		return nil, err
	}
	if old != nil {
		s.discard(old.segment)
	}
	c := *p
	return &c, nil
}

// parts lists the parts of an upload after marker, at most max.
func (s *objectStore) parts(id, name string, marker, max int) (list []partRecord, truncated bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = s.ensureDir(false) // a directory that cannot be read holds nothing
	u, ok := s.uploads[id]
	if !ok || u.Object != name {
		return nil, false, errNoSuchUpload
	}
	nums := make([]int, 0, len(u.Parts))
	for n := range u.Parts {
		if n > marker {
			nums = append(nums, n)
		}
	}
	slices.Sort(nums)
	if len(nums) > max {
		nums, truncated = nums[:max], true
	}
	for _, n := range nums {
		list = append(list, *u.Parts[n])
	}
	return list, truncated, nil
}

// completedPart is one entry of a CompleteMultipartUpload document.
type completedPart struct {
	Number int
	ETag   string
}

// complete assembles the listed parts into the object (no data is copied)
// and ends the upload.
func (s *objectStore) complete(id, name string, list []completedPart) (*orgObject, error) {
	s.mu.Lock()
	u, ok := s.uploads[id]
	if !ok || u.Object != name {
		s.mu.Unlock()
		return nil, errNoSuchUpload
	}
	if len(list) == 0 {
		s.mu.Unlock()
		return nil, fmt.Errorf("%w: the document lists no part", errInvalidPart)
	}
	o := &orgObject{Name: name, ContentType: u.ContentType}
	m := md5.New()
	used := map[int]bool{}
	for i, cp := range list {
		if i > 0 && cp.Number <= list[i-1].Number {
			s.mu.Unlock()
			return nil, errInvalidOrder
		}
		p, ok := u.Parts[cp.Number]
		if !ok || strings.Trim(cp.ETag, `"`) != p.MD5 {
			s.mu.Unlock()
			return nil, fmt.Errorf("%w (part %d)", errInvalidPart, cp.Number)
		}
		if i < len(list)-1 && p.Size < s.minPart {
			s.mu.Unlock()
			return nil, fmt.Errorf("%w (part %d is %d bytes, the minimum is %d)", errEntityTooSmall, cp.Number, p.Size, s.minPart)
		}
		o.CRC32C = checksum.Combine(o.CRC32C, p.CRC32C, p.Size)
		o.Size += p.Size
		b, _ := hex.DecodeString(p.MD5)
		m.Write(b)
		o.Segments = append(o.Segments, p.segment)
		used[cp.Number] = true
	}
	if o.Size > maxObjectSize {
		s.mu.Unlock()
		return nil, fmt.Errorf("%w: the object would be larger than 5 TiB", errInvalidPart)
	}
	o.ETag = fmt.Sprintf("%s-%d", hex.EncodeToString(m.Sum(nil)), len(list))
	if err := os.Remove(s.metaPath("uploads", id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		s.mu.Unlock()
		return nil, fmt.Errorf("complete upload: %w", err)
	}
	delete(s.uploads, id)
	for n, p := range u.Parts {
		if !used[n] {
			s.discard(p.segment)
		}
	}
	s.mu.Unlock()
	if err := s.commit(o); err != nil {
		s.discard(o.Segments...)
		return nil, err
	}
	return o, nil
}

// abort ends an upload and removes its parts.
func (s *objectStore) abort(id, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = s.ensureDir(false) // a directory that cannot be read holds nothing
	u, ok := s.uploads[id]
	if !ok || u.Object != name {
		return errNoSuchUpload
	}
	if err := os.Remove(s.metaPath("uploads", id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("abort upload: %w", err)
	}
	delete(s.uploads, id)
	for _, p := range u.Parts {
		s.discard(p.segment)
	}
	return nil
}

// uploadCount is the number of multipart uploads in progress (tests).
func (s *objectStore) uploadCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = s.ensureDir(false) // a directory that cannot be read holds nothing
	return len(s.uploads)
}

// segmentReader reads the concatenation of open segment files.
type segmentReader struct {
	files []*os.File
	sizes []int64
}

// ReadAt reads len(p) bytes at off across segment boundaries.
func (r *segmentReader) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	for i, f := range r.files {
		size := r.sizes[i]
		if off >= size {
			off -= size
			continue
		}
		for len(p) > 0 && off < size {
			want := min(int64(len(p)), size-off)
			m, err := f.ReadAt(p[:want], off)
			n += m
			p, off = p[m:], off+int64(m)
			if err != nil && !(errors.Is(err, io.EOF) && int64(m) == want) {
				if errors.Is(err, io.EOF) {
					err = io.ErrUnexpectedEOF // the file is shorter than recorded
				}
				return n, err
			}
		}
		if len(p) == 0 {
			return n, nil
		}
		off = 0
	}
	if len(p) > 0 {
		return n, io.EOF
	}
	return n, nil
}

// Close closes every segment file.
func (r *segmentReader) Close() {
	for _, f := range r.files {
		_ = f.Close()
	}
}
