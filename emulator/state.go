package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// stateVersion is the format version of the --state file.
const stateVersion = 1

// saveDelay debounces state writes after changes.
const saveDelay = 250 * time.Millisecond

// stateFile persists keys, OAuth grants and the platform across restarts.
type stateFile struct {
	path     string
	platform []byte // a restored platform snapshot waiting for Serve

	mu    sync.Mutex // serialises writes
	timer *time.Timer
}

// persisted is the JSON document in the state file. It holds secrets
// (signing keys, refresh-token hashes, the HMAC secret): the file is 0600.
type persisted struct {
	Version  int             `json:"version"`
	Keys     keyringState    `json:"keys"`
	OAuth    oauthSnapshot   `json:"oauth"`
	Platform json.RawMessage `json:"platform,omitempty"`
	// PlatformBytes holds a platform snapshot that is not JSON.
	PlatformBytes []byte `json:"platform_bytes,omitempty"`
}

// restore loads the state file when there is one, or creates fresh keys.
func (e *Emulator) restore() error {
	if e.state.path != "" {
		b, err := os.ReadFile(e.state.path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return fmt.Errorf("read state file %s: %w", e.state.path, err)
		default:
			return e.restoreFrom(b)
		}
	}
	k, err := newKeyring(e.opts.GenerateKey)
	if err != nil {
		return err
	}
	e.keys = k
	return nil
}

func (e *Emulator) restoreFrom(b []byte) error {
	var p persisted
	if err := json.Unmarshal(b, &p); err != nil {
		return fmt.Errorf("parse state file %s: %w", e.state.path, err)
	}
	if p.Version != stateVersion {
		return fmt.Errorf("parse state file %s: version %d, want %d", e.state.path, p.Version, stateVersion)
	}
	k, err := keyringFrom(p.Keys, e.opts.GenerateKey)
	if err != nil {
		return fmt.Errorf("parse state file %s: %w", e.state.path, err)
	}
	e.keys = k
	e.oauth.restore(p.OAuth)
	if len(p.Platform) > 0 {
		e.state.platform = p.Platform
	} else {
		e.state.platform = p.PlatformBytes
	}
	return nil
}

// markDirty schedules a state write shortly after a change.
func (e *Emulator) markDirty() {
	s := e.state
	if s == nil || s.path == "" {
		return
	}
	e.mu.Lock()
	closed := e.closed
	e.mu.Unlock()
	if closed { // Close has written the final state
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.timer != nil {
		return
	}
	s.timer = time.AfterFunc(saveDelay, func() {
		_ = e.saveNow() // a failed background write is retried by the next change and on Close
	})
}

// saveNow writes the state file at once (temp file + rename, mode 0600).
func (e *Emulator) saveNow() error {
	s := e.state
	if s == nil || s.path == "" {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.timer != nil {
		s.timer.Stop()
		s.timer = nil
	}
	doc := persisted{Version: stateVersion, OAuth: e.oauth.snapshot()}
	ks, err := e.keys.snapshot()
	if err != nil {
		return err
	}
	doc.Keys = ks
	e.mu.Lock()
	p := e.platform
	e.mu.Unlock()
	snap := s.platform
	if p != nil {
		if snap, err = p.snapshot(); err != nil {
			return fmt.Errorf("snapshot platform: %w", err)
		}
	}
	if json.Valid(snap) {
		doc.Platform = snap
	} else {
		doc.PlatformBytes = snap
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return fmt.Errorf("encode state: %w", err)
	}
	return writeFileAtomic(s.path, b)
}

// writeFileAtomic writes b to a temporary file beside path (mode 0600) and
// renames it over path.
func writeFileAtomic(path string, b []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	fail := func(err error) error {
		_ = f.Close()
		_ = os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Chmod(0o600); err != nil {
		return fail(err)
	}
	if _, err := f.Write(b); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
