package oauth

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/jwt"
)

// Manager obtains, caches and refreshes tokens for one configuration. It is
// safe for concurrent use and implements httpx.CurrentSource (Current never
// starts a login).
type Manager struct {
	c    Config
	keys jwt.KeySet
	path string // the cache file of this configuration

	mu sync.Mutex
	// loginMu serialises the logins Token starts, so that goroutines that
	// all lack a token share one login.
	loginMu sync.Mutex
	mem     *cacheEntry // last entry read or written by this process
	// memFresh: mem was obtained by this Manager (login or refresh).
	memFresh bool
	invalid  map[[32]byte]bool // sha256 of access tokens the API refused
	// py is the Python SDK's token once verified (see pythontoken.go).
	py *cacheEntry
	// origin and originFile: where the token last returned came from.
	origin, originFile string
}

// NewManager returns a Manager for c; nothing is read or contacted yet.
func NewManager(c Config) *Manager {
	c.fill()
	return &Manager{
		c:       c,
		keys:    jwt.NewCache(c.JWKSURL, jwt.CacheOptions{Client: retryingGETs(c.HTTPClient, policy(&c, getRetries)), Clock: c.Clock}),
		path:    filepath.Join(c.CacheDir, cacheKey(&c)+".json"),
		invalid: map[[32]byte]bool{},
	}
}

// CacheFile is the path of this configuration's token cache file.
func (m *Manager) CacheFile() string { return m.path }

// Token returns a valid access token: the cached one, a refreshed one, or,
// only when Interactive() is true, one from a new login; otherwise a
// *LoginRequiredError.
func (m *Manager) Token(ctx context.Context) (httpx.Token, error) {
	t, err := m.Current(ctx)
	if err == nil {
		return t, nil
	}
	if !errors.Is(err, ErrLoginRequired) || !m.c.Interactive() {
		return httpx.Token{}, err
	}
	m.loginMu.Lock()
	defer m.loginMu.Unlock()
	// Another goroutine may have logged in while this one waited.
	if t, cerr := m.Current(ctx); cerr == nil {
		return t, nil
	} else if !errors.Is(cerr, ErrLoginRequired) {
		return httpx.Token{}, cerr
	}
	if r := loginReason(err); r == "not logged in" {
		fmt.Fprintln(m.c.Stderr, "Not logged in; starting a login.")
	} else {
		fmt.Fprintf(m.c.Stderr, "Login needed (%s); starting a login.\n", r)
	}
	t, _, err = m.Login(ctx, LoginOptions{Relogin: true})
	return t, err
}

func loginReason(err error) string {
	var le *LoginRequiredError
	if errors.As(err, &le) && le.Reason != "" {
		return le.Reason
	}
	return "not logged in"
}

// Current returns a valid token from the cache, refreshing it when less
// than five minutes remain or the API refused it; it never starts an
// interactive login and never contacts the server without a refresh token.
// When the cache holds no token, the Python SDK's cached token is used if it
// passes verification for this configuration (see PythonTokenFile).
func (m *Manager) Current(ctx context.Context) (httpx.Token, error) {
	return m.current(ctx, true)
}

// current is Current; python says whether the Python SDK's token may stand
// in for a missing login (not when Login asks whether one is needed).
func (m *Manager) current(ctx context.Context, python bool) (httpx.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.mem != nil && (m.usable(m.mem) || m.memFresh && m.unexpired(m.mem)) {
		return m.mem.token(), nil
	}
	if err := ensureDir(m.c.CacheDir); err != nil {
		return httpx.Token{}, err
	}
	lock, err := acquireLock(ctx, m.path+".lock", m.c.Clock)
	if err != nil {
		return httpx.Token{}, err
	}
	defer lock.Release()

	e, err := readCache(m.path)
	if err != nil {
		return httpx.Token{}, err
	}
	seeded := false
	if sh := seedHash(m.c.RefreshTokenSeed); sh != "" && (e == nil || e.SeedHash != sh) {
		// The configured refresh token wins over a cache it did not produce.
		e = m.newEntry()
		e.RefreshToken, e.ClientID, e.SeedHash = m.c.RefreshTokenSeed, m.c.ClientIDInteractive, sh
		seeded = true
	}
	if e != nil && m.usable(e) {
		m.mem, m.memFresh = e, false
		m.origin, m.originFile = OriginCache, m.path
		return e.token(), nil
	}
	if e == nil || e.RefreshToken == "" {
		if python {
			return m.fromPython(ctx, "not logged in")
		}
		return httpx.Token{}, &LoginRequiredError{Hint: m.c.LoginHint, Reason: "not logged in"}
	}
	if !e.RefreshUnanswered.IsZero() {
		return httpx.Token{}, &LoginRequiredError{Hint: m.c.LoginHint, Reason: "an earlier token refresh got no answer, and a refresh token is never sent twice"}
	}
	client := e.ClientID
	if client == "" {
		client = m.c.ClientIDInteractive
	}
	resp, err := (&refreshFlow{m: m, refreshToken: e.RefreshToken, client: client}).obtain(ctx)
	if err != nil && seeded && refused(err) && m.c.ClientIDDevice != "" && m.c.ClientIDDevice != client {
		// A seed does not say which client it was issued to: it may come
		// from a device login, whose refresh tokens only that client may use.
		client = m.c.ClientIDDevice
		resp, err = (&refreshFlow{m: m, refreshToken: e.RefreshToken, client: client}).obtain(ctx)
	}
	if err != nil {
		var te *TokenError
		if !errors.As(err, &te) || !refused(err) {
			return m.keep(e, err)
		}
		// The refresh token is dead: forget it so later runs do not retry it.
		if !seeded {
			_ = os.Remove(m.path)
		}
		m.mem = nil
		reason := "the stored login expired or was revoked"
		if seeded {
			reason = "AIGNOSTICS_REFRESH_TOKEN was refused"
		}
		return httpx.Token{}, &LoginRequiredError{Hint: m.c.LoginHint, Reason: fmt.Sprintf("%s (%s)", reason, te.Code)}
	}
	ne, err := m.entryFrom(ctx, resp, client, e.RefreshToken)
	if err != nil {
		return m.keepGrant(e, resp, err)
	}
	if err := writeCache(m.path, ne); err != nil {
		return httpx.Token{}, err
	}
	// The server just issued it: even if it equals a refused token (same
	// claims within one second), it is the best there is.
	delete(m.invalid, sha256.Sum256([]byte(ne.AccessToken)))
	m.mem, m.memFresh = ne, true
	m.origin, m.originFile = OriginRefresh, m.path
	return ne.token(), nil
}

// keepGrant handles a refresh of e that the server granted (resp) but whose
// access token could not be verified (err), e.g. the JWKS could not be
// fetched at that moment: the refresh token sent is spent when the server
// rotates it, so the one it returned is kept in the cache whatever became
// of the access token, and the current access token is used while valid.
// The caller holds m.mu and the lock.
func (m *Manager) keepGrant(e *cacheEntry, resp *tokenResponse, err error) (httpx.Token, error) {
	if resp.RefreshToken != "" {
		e.RefreshToken = resp.RefreshToken
	}
	e.RefreshUnanswered = time.Time{}
	e.UpdatedAt = m.c.Clock.Now().UTC()
	if werr := writeCache(m.path, e); werr != nil {
		return httpx.Token{}, errors.Join(err, werr)
	}
	return m.keep(e, err)
}

// keep handles a refresh of e that failed without a refusal (err): when the
// request may have reached the server and been taken without an answer we
// could use, the server may have rotated the refresh token, so the cache
// records that it must not be sent again; either way a still valid access
// token is used until it expires rather than failing the command, and the
// refresh token stays in the cache. The caller holds m.mu and the lock.
func (m *Manager) keep(e *cacheEntry, err error) (httpx.Token, error) {
	if mayBeConsumed(err) { // even when interrupted: it may have arrived
		e.RefreshUnanswered = m.c.Clock.Now().UTC()
		// Best effort: a cache that cannot be written only means another
		// process may send the refresh token again.
		_ = writeCache(m.path, e)
	}
	e.refreshFailed = true
	if !m.usable(e) {
		m.mem = nil
		return httpx.Token{}, fmt.Errorf("refresh access token: %w", err)
	}
	if !canceled(err) {
		fmt.Fprintf(m.c.Stderr, "Could not refresh the access token (%v); using the current one until it expires at %s.\n",
			err, e.ExpiresAt.UTC().Format(time.RFC3339))
	}
	m.mem, m.memFresh = e, false
	return e.token(), nil
}

// canceled reports whether err is the caller's own cancellation or deadline.
func canceled(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// refused reports whether err is the token endpoint refusing a grant: 400
// or 401, or another 4xx with an OAuth error code, as opposed to a failure
// to get an answer, a proxy refusing (407), or the server being busy (408,
// 429).
func refused(err error) bool {
	var te *TokenError
	if !errors.As(err, &te) || te.StatusCode < 400 || te.StatusCode >= 500 {
		return false
	}
	switch te.StatusCode {
	case 400, 401:
		return true
	case 407, 408, 429:
		return false
	}
	return te.Code != ""
}

// notTaken reports whether err is an answer that says the grant was not
// taken and may be sent again at once: 429 (rate limited before any work).
func notTaken(err error) bool {
	var te *TokenError
	return errors.As(err, &te) && te.StatusCode == 429
}

// mayBeConsumed reports whether a refresh grant that failed with err may
// nonetheless have been taken by the server (so its refresh token may be
// spent): the request was sent and no usable answer came back, or a 5xx
// other than 503 (a gateway may have passed it on).
func mayBeConsumed(err error) bool {
	var tr *transportError
	if errors.As(err, &tr) {
		return tr.sent
	}
	var te *TokenError
	return errors.As(err, &te) && te.StatusCode >= 500 && te.StatusCode != 503
}

// usable reports whether e holds an access token the API has not refused
// and that is valid for at least five more minutes, or, when e must not or
// could not be refreshed, for at least expiryLeeway.
func (m *Manager) usable(e *cacheEntry) bool {
	if e.AccessToken == "" || m.invalid[sha256.Sum256([]byte(e.AccessToken))] {
		return false
	}
	left := e.ExpiresAt.Sub(m.c.Clock.Now())
	if !e.RefreshUnanswered.IsZero() || e.refreshFailed {
		return left > expiryLeeway
	}
	return left > refreshMargin
}

// unexpired reports whether e, which this Manager just obtained, is still
// valid for 30 s and not refused: a token issued with a lifetime under the
// refresh margin is used for this process rather than refreshed again at once.
func (m *Manager) unexpired(e *cacheEntry) bool {
	if e.AccessToken == "" || m.invalid[sha256.Sum256([]byte(e.AccessToken))] {
		return false
	}
	if e.ExpiresAt.Sub(e.UpdatedAt) > refreshMargin {
		return false // a normal lifetime: the 5 minute rule applies
	}
	return e.ExpiresAt.Sub(m.c.Clock.Now()) > 30*time.Second
}

// Invalidate marks token as refused, so the next Token() refreshes.
func (m *Manager) Invalidate(token string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.invalid[sha256.Sum256([]byte(token))] = true
	if m.mem != nil && m.mem.AccessToken == token {
		m.mem = nil
	}
	if m.py != nil && m.py.AccessToken == token {
		m.py = nil
	}
}

// Verify checks an access token's signature and claims against the JWKS,
// audience and issuer of the configuration.
func (m *Manager) Verify(ctx context.Context, access string) (*jwt.Token, error) {
	t, err := jwt.Verify(ctx, access, m.keys, jwt.VerifyOptions{
		Audience:         m.c.Audience,
		Issuer:           m.c.Issuer,
		Now:              m.c.Clock.Now(),
		LoopbackSameHost: m.c.LoopbackSameHost,
	})
	if err != nil {
		return nil, fmt.Errorf("verify access token: %w", err)
	}
	return t, nil
}

func (m *Manager) newEntry() *cacheEntry {
	return &cacheEntry{
		Version:      1,
		TokenURL:     m.c.TokenURL,
		ClientID:     m.c.ClientIDInteractive,
		Audience:     m.c.Audience,
		Scope:        m.scope(),
		Organization: m.c.Organization,
		SeedHash:     seedHash(m.c.RefreshTokenSeed),
	}
}

// entryFrom verifies a token answer and turns it into a cache entry,
// keeping oldRefresh when the server did not rotate the refresh token.
func (m *Manager) entryFrom(ctx context.Context, r *tokenResponse, clientID, oldRefresh string) (*cacheEntry, error) {
	vt, err := m.Verify(ctx, r.AccessToken)
	if err != nil {
		return nil, err
	}
	now := m.c.Clock.Now()
	e := m.newEntry()
	e.ClientID = clientID
	e.AccessToken = r.AccessToken
	e.TokenType = r.TokenType
	if e.TokenType == "" {
		e.TokenType = "Bearer"
	}
	e.RefreshToken = r.RefreshToken
	if e.RefreshToken == "" {
		e.RefreshToken = oldRefresh
	}
	e.GrantedScope = r.Scope
	if e.GrantedScope == "" {
		e.GrantedScope = vt.Claims.Scope
	}
	switch {
	case vt.Claims.ExpiresAt > 0:
		e.ExpiresAt = time.Unix(vt.Claims.ExpiresAt, 0).UTC()
	case r.lifetime() > 0:
		e.ExpiresAt = now.Add(r.lifetime()).UTC()
	default:
		e.ExpiresAt = now.Add(time.Hour).UTC()
	}
	e.UpdatedAt = now.UTC()
	return e, nil
}
