package oauth

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aignostics/aignostics/httpx"
)

// cacheEntry is the JSON content of one token cache file. The key fields are
// recorded for people looking at the file; the file name is their hash.
type cacheEntry struct {
	Version      int       `json:"version"`
	TokenURL     string    `json:"token_url"`
	ClientID     string    `json:"client_id"` // the client the refresh token belongs to
	Audience     string    `json:"audience"`
	Scope        string    `json:"scope"`
	Organization string    `json:"organization,omitempty"`
	AccessToken  string    `json:"access_token"`
	TokenType    string    `json:"token_type,omitempty"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	GrantedScope string    `json:"granted_scope,omitempty"`
	ExpiresAt    time.Time `json:"expires_at"`
	SeedHash     string    `json:"seed_sha256,omitempty"` // sha256 of AIGNOSTICS_REFRESH_TOKEN in effect when written
	UpdatedAt    time.Time `json:"updated_at"`
	// RefreshUnanswered is when RefreshToken was sent and no answer came
	// back: the server may have rotated it, so it is never sent again and
	// the access token is used until it expires.
	RefreshUnanswered time.Time `json:"refresh_unanswered_at,omitzero"`

	// refreshFailed: a refresh of this entry failed in this process; its
	// access token is used until it expires rather than refreshed again.
	refreshFailed bool
}

// cacheKey is the hex SHA-256 naming the cache file of one configuration.
func cacheKey(c *Config) string {
	h := sha256.New()
	for _, part := range []string{c.TokenURL, c.ClientIDInteractive, c.Audience, strings.Join(c.Scope, " "), c.Organization} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

func seedHash(seed string) string {
	if seed == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(seed))
	return hex.EncodeToString(sum[:])
}

// maxCacheFile bounds what is read of a token cache file; a larger one is
// not ours and counts as corrupt.
const maxCacheFile = 1 << 20

// readCache reads the entry at path; a missing, unreadable-as-JSON,
// oversized or incomplete file is reported as absent (nil, nil), never as a
// crash. A file that is not ours to trust (not a regular file, another
// owner, readable or writable by group or others) is refused with a
// *httpx.ConfigError, as ssh refuses such keys: its tokens could be
// planted or read by others.
func readCache(path string) (*cacheEntry, error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read token cache %s: %w", path, err)
	}
	if why := untrusted(fi); why != "" {
		return nil, &httpx.ConfigError{Setting: "AIGNOSTICS_CACHE_DIR", Path: path,
			Err: fmt.Errorf("refusing the token cache file: %s; remove it (aignostics platform logout) and log in again", why)}
	}
	data, err := readBounded(path, maxCacheFile+1)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read token cache %s: %w", path, err)
	}
	if len(data) > maxCacheFile {
		return nil, nil
	}
	return parseCache(data), nil
}

// parseCache decodes a cache file; anything unusable yields nil.
func parseCache(data []byte) *cacheEntry {
	var e cacheEntry
	if err := json.Unmarshal(data, &e); err != nil {
		return nil
	}
	if e.AccessToken == "" && e.RefreshToken == "" {
		return nil
	}
	return &e
}

// writeCache writes e to path atomically (temp file in the same directory,
// mode 0600, fsync, rename).
func writeCache(path string, e *cacheEntry) error {
	dir := filepath.Dir(path)
	if err := ensureDir(dir); err != nil {
		return err
	}
	data, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return fmt.Errorf("encode token cache: %w", err)
	}
	f, err := os.CreateTemp(dir, ".tmp-*.json.part")
	if err != nil {
		return fmt.Errorf("write token cache in %s: %w", dir, err)
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return fmt.Errorf("write token cache %s: %w", tmp, err)
	}
	if _, err := f.Write(append(data, '\n')); err != nil {
		return fmt.Errorf("write token cache %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write token cache %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write token cache %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write token cache %s: %w", path, err)
	}
	ok = true
	return nil
}

// ensureDir creates dir (and missing parents) with mode 0700. An existing
// directory is left as it is: it may be one the user chose and shares. An
// empty dir (none configured, none found) is a configuration error, never
// the current directory.
func ensureDir(dir string) error {
	if dir == "" {
		return errNoCacheDir()
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return &httpx.ConfigError{Setting: "AIGNOSTICS_CACHE_DIR", Path: dir, Err: fmt.Errorf("create the token cache directory: %w", err)}
	}
	return nil
}

// token is the entry's access token and its expiry.
func (e *cacheEntry) token() httpx.Token {
	return httpx.Token{AccessToken: e.AccessToken, ExpiresAt: e.ExpiresAt}
}

// errNoCacheDir is the error of a Manager without a cache directory: a
// configuration error (exit 2 in the command line), reported before any
// login flow starts.
func errNoCacheDir() error {
	return &httpx.ConfigError{Setting: "AIGNOSTICS_CACHE_DIR", Path: "",
		Err: errors.New("no token cache directory: set AIGNOSTICS_CACHE_DIR (there is no user cache directory, e.g. $HOME is not set)")}
}
