package resources

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// journalVersion is the format of a journal file.
const journalVersion = 1

// maxJournalSize bounds the read of a journal (10000 parts fit).
const maxJournalSize = 4 << 20

// journal records one multipart upload in progress: which upload of which
// file version, and the parts the storage has confirmed.
type journal struct {
	Version  int                 `json:"version"`
	Bucket   string              `json:"bucket"`
	Key      string              `json:"key"`
	Path     string              `json:"path"`
	Size     int64               `json:"size"`
	ModTime  int64               `json:"mtime_unix_nano"`
	PartSize int64               `json:"part_size"`
	UploadID string              `json:"upload_id"`
	Parts    map[int]journalPart `json:"parts"`
}

// journalPart is one stored part.
type journalPart struct {
	ETag   string `json:"etag"`
	CRC32C uint32 `json:"crc32c"`
	Size   int64  `json:"size"`
}

// journalPath names the journal of an object: one file per bucket and key.
func (u *uploader) journalPath(bucket, key string) string {
	sum := sha256.Sum256([]byte(bucket + "\x00" + key))
	return filepath.Join(u.o.JournalDir, hex.EncodeToString(sum[:16])+".json")
}

// loadJournal reads the journal of an object, if any and well formed.
func (u *uploader) loadJournal(bucket, key string) (*journal, bool) {
	if u.o.JournalDir == "" {
		return nil, false
	}
	data, err := readBoundedFile(u.journalPath(bucket, key), maxJournalSize)
	if err != nil {
		return nil, false
	}
	jr, err := parseJournal(data)
	if err != nil || jr.Bucket != bucket || jr.Key != key {
		u.b.debug("upload: ignoring the journal of %s: %v", u.b.GS(key), err)
		return nil, false
	}
	return jr, true
}

// parseJournal decodes a journal and checks its values.
func parseJournal(data []byte) (*journal, error) {
	var jr journal
	if err := json.Unmarshal(data, &jr); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	if jr.Version != journalVersion || jr.Size < 0 || jr.PartSize <= 0 || len(jr.Parts) > MaxParts {
		return nil, fmt.Errorf("journal: unknown version or values out of bounds")
	}
	for p, jp := range jr.Parts {
		if p < 1 || p > MaxParts || jp.Size < 0 || jp.Size > jr.PartSize {
			return nil, fmt.Errorf("journal: part %d of %d bytes is out of bounds", p, jp.Size)
		}
	}
	if jr.Parts == nil {
		jr.Parts = map[int]journalPart{}
	}
	return &jr, nil
}

// readBoundedFile reads a whole regular file of at most limit bytes; a
// link, FIFO or device planted at path is refused, never followed or
// waited on.
func readBoundedFile(path string, limit int64) ([]byte, error) {
	if st, err := os.Lstat(path); err != nil {
		return nil, err
	} else if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file (%s)", path, st.Mode().Type())
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, limit)
	}
	buf := make([]byte, st.Size())
	if _, err := f.ReadAt(buf, 0); err != nil && int64(len(buf)) != 0 {
		return nil, err
	}
	return buf, nil
}

// saveJournal writes jr atomically (a temporary file renamed over it), 0600
// in a 0700 folder.
func (u *uploader) saveJournal(jr *journal) error {
	if u.o.JournalDir == "" {
		return nil
	}
	data, err := json.Marshal(jr)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	if err := os.MkdirAll(u.o.JournalDir, 0o700); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	path := u.journalPath(jr.Bucket, jr.Key)
	tmp, err := os.CreateTemp(u.o.JournalDir, ".journal-*")
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("journal %s: %w", path, werr)
	}
	return nil
}

// removeJournal forgets an upload.
func (u *uploader) removeJournal(jr *journal) {
	if u.o.JournalDir == "" {
		return
	}
	if err := os.Remove(u.journalPath(jr.Bucket, jr.Key)); err != nil && !os.IsNotExist(err) {
		u.b.debug("upload: remove journal: %v", err)
	}
}
