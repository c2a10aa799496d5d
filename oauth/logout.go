package oauth

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Logout removes this configuration's cache file (all is false) or every
// *.json file in the cache directory, and returns how many it removed. The
// removed refresh tokens are revoked at the server on a best-effort basis.
func (m *Manager) Logout(all bool) (removed int, err error) {
	return m.LogoutContext(context.Background(), all)
}

// LogoutContext is Logout with a context bounding the revocation requests.
func (m *Manager) LogoutContext(ctx context.Context, all bool) (removed int, err error) {
	if m.c.CacheDir == "" {
		return 0, errNoCacheDir()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mem, m.memFresh = nil, false
	files := []string{m.path}
	if all {
		files, err = cacheFiles(m.c.CacheDir)
		if err != nil {
			return 0, err
		}
	}
	var revoke []string
	var errs []error
	for _, f := range files {
		data, gone, err := m.removeLocked(ctx, f)
		if err != nil {
			errs = append(errs, err)
		}
		if !gone {
			continue
		}
		removed++
		if e := parseCache(data); e != nil && e.RefreshToken != "" && e.TokenURL == m.c.TokenURL && e.RefreshToken != m.c.RefreshTokenSeed {
			revoke = append(revoke, e.RefreshToken+"\x00"+e.ClientID)
		}
	}
	for _, r := range revoke {
		tok, client, _ := strings.Cut(r, "\x00")
		m.revoke(ctx, tok, client)
	}
	return removed, errors.Join(errs...)
}

// removeLocked removes a cache file under its lock (a refresh running in
// another process must not write it back) and returns what it held: nothing
// for a file that is not ours to trust (see readCache), which is removed
// without being opened.
func (m *Manager) removeLocked(ctx context.Context, path string) (data []byte, removed bool, err error) {
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	lock, err := acquireLock(ctx, path+".lock", m.c.Clock)
	if err != nil {
		return nil, false, err
	}
	defer lock.Release()
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err == nil && untrusted(fi) == "" {
		data, _ = readBounded(path, maxCacheFile)
	}
	if err := os.Remove(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("remove token cache %s: %w", path, err)
	}
	return data, true, nil
}

// revokeURL is {base}/oauth/revoke next to the token endpoint.
func revokeURL(tokenURL string) string {
	if base, ok := strings.CutSuffix(tokenURL, "/oauth/token"); ok {
		return base + "/oauth/revoke"
	}
	u, err := url.Parse(tokenURL)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host + "/oauth/revoke"
}

// revoke asks the server to revoke a refresh token (RFC 7009); any failure is ignored.
func (m *Manager) revoke(ctx context.Context, token, client string) {
	u := revokeURL(m.c.TokenURL)
	if u == "" {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var ignored map[string]any
	_, _ = postForm(ctx, m.c.HTTPClient, "revocation", u, url.Values{
		"token": {token}, "token_type_hint": {"refresh_token"}, "client_id": {client},
	}, &ignored)
}

// cacheFiles lists the token cache files in dir: names that are a hex
// SHA-256 plus ".json" (other files someone keeps there are left alone).
func cacheFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list token cache %s: %w", dir, err)
	}
	var out []string
	for _, e := range entries {
		if isCacheName(e.Name()) && e.Type().IsRegular() {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out, nil
}

func isCacheName(name string) bool {
	key, ok := strings.CutSuffix(name, ".json")
	if !ok || len(key) != 64 {
		return false
	}
	for _, c := range key {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
