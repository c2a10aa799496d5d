package oauth

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/aignostics/aignostics/httpx"
)

// Login returns the cached (or refreshed) token unless o.Relogin is set or
// there is none; otherwise it runs a login flow chosen from o and the
// configuration, verifies the result and stores it. The bool reports
// whether a new flow ran.
func (m *Manager) Login(ctx context.Context, o LoginOptions) (httpx.Token, bool, error) {
	if m.c.CacheDir == "" {
		return httpx.Token{}, false, errNoCacheDir() // before a flow whose result could not be kept
	}
	if !o.Relogin {
		t, err := m.current(ctx, false) // a Python SDK token is no login of ours
		if err == nil {
			return t, false, nil
		}
		if !errors.Is(err, ErrLoginRequired) {
			fmt.Fprintf(m.c.Stderr, "Could not use the stored login (%v); logging in again.\n", err)
		}
	}
	st, err := m.choose(o)
	if err != nil {
		return httpx.Token{}, false, err
	}
	resp, err := st.obtain(ctx)
	if err != nil {
		return httpx.Token{}, false, err
	}
	e, err := m.entryFrom(ctx, resp, st.clientID(), "")
	if err != nil {
		return httpx.Token{}, false, &LoginError{Flow: "login", Err: err}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := ensureDir(m.c.CacheDir); err != nil {
		return httpx.Token{}, false, err
	}
	lock, err := acquireLock(ctx, m.path+".lock", m.c.Clock)
	if err != nil {
		return httpx.Token{}, false, err
	}
	defer lock.Release()
	if err := writeCache(m.path, e); err != nil {
		return httpx.Token{}, false, err
	}
	m.mem, m.memFresh = e, true
	m.origin, m.originFile = OriginLogin, m.path
	delete(m.invalid, sha256.Sum256([]byte(e.AccessToken)))
	return e.token(), true, nil
}
