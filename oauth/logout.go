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
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mem, m.memFresh = nil, false
	files := []string{m.path}
	if all {
		files, err = filepath.Glob(filepath.Join(m.c.CacheDir, "*.json"))
		if err != nil {
			return 0, fmt.Errorf("list token cache %s: %w", m.c.CacheDir, err)
		}
	}
	var revoke []string
	var errs []error
	for _, f := range files {
		data, rerr := os.ReadFile(f)
		if errors.Is(rerr, fs.ErrNotExist) {
			continue
		}
		if err := os.Remove(f); err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, fmt.Errorf("remove token cache %s: %w", f, err))
			}
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
