// Package emulator is a faithful local Aignostics Platform: an OAuth 2.0
// authorization server, the platform API, a GCS-like storage origin serving
// V4-signed URLs, run simulation and fault injection. Tests start it in-process
// with emulatortest.StartTest, as with net/http/httptest; `aignostics
// emulator` serves it on loopback.
package emulator

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aignostics/aignostics/internal/clock"
)

// Options configures an Emulator. The zero value is usable.
type Options struct {
	PublicURL        string        // root used in iss, aud and URLs; "" -> the API listener address
	StoragePublicURL string        // origin used in signed URLs; "" -> the storage listener address
	Speed            float64       // run simulation speed factor; default 1
	ArtifactSize     int64         // bytes per output artifact; default 1 MiB
	TokenLifetime    time.Duration // access-token lifetime; default 1h
	Consent          bool          // /authorize shows an Approve/Deny page instead of redirecting at once
	DeviceApproval   string        // "auto" (default) or "manual"
	Health           string        // up (default), degraded or down
	Faults           string        // fault specification, see ParseFaults
	Seed             int64         // seed for faults and generated content
	StateFile        string        // "" keeps state in memory only (and the organization bucket in a temporary directory)
	// MinPartSize is the smallest part (but the last) a multipart upload
	// to the organization bucket may have; default DefaultMinPartSize
	// (5 MiB, as Cloud Storage). Tests lower it to keep uploads small.
	MinPartSize int64
	Clock       clock.Clock // the platform's time, and fault delays; zero: the system clock
	// GenerateKey makes the emulator's RSA keys (token signing, each
	// RotateKey, the storage service account); nil means a new 2048-bit
	// key each time. Tests share keys made once (emulatortest.StartTest).
	GenerateKey func() (*rsa.PrivateKey, error)
	Log         io.Writer // request log; nil discards
}

// Default values applied by New.
const (
	DefaultArtifactSize  = 1 << 20
	DefaultTokenLifetime = time.Hour
	// DefaultSubject is the user that automatic approvals log in.
	DefaultSubject = "auth0|emulator-user"
	// ClientIDInteractive is the client id accepted by /authorize.
	ClientIDInteractive = "aignostics-local-interactive"
	// ClientIDDevice is the client id accepted by /oauth/device/code.
	ClientIDDevice = "aignostics-local-device"
	// ResultsBucket holds the output artifacts.
	ResultsBucket = "aignostics-results"
)

// Emulator is one running (or ready to run) emulated platform.
type Emulator struct {
	opts  Options
	clock clock.Clock
	log   *requestLog

	keys   *keyring
	oauth  *authServer
	faults *faultInjector
	state  *stateFile
	bucket *objectStore

	mu         sync.Mutex
	health     string
	counters   map[string]int
	platform   *platform
	apiURL     string
	storageURL string
	servers    []*http.Server
	conns      []*conns // of each server
	closed     bool
	objects    map[string]storageObject // "bucket/object" served besides the platform's (tests)
}

// New builds an emulator from o, restoring o.StateFile when it exists.
// Nothing listens until Serve.
func New(o Options) (*Emulator, error) {
	if o.Speed == 0 {
		o.Speed = 1
	}
	if o.Speed < 0 || math.IsNaN(o.Speed) || math.IsInf(o.Speed, 0) {
		return nil, fmt.Errorf("check speed %g: must be a positive number", o.Speed)
	}
	if o.ArtifactSize == 0 {
		o.ArtifactSize = DefaultArtifactSize
	}
	if o.ArtifactSize < 0 {
		return nil, fmt.Errorf("check artifact size %d: must not be negative", o.ArtifactSize)
	}
	if o.TokenLifetime == 0 {
		o.TokenLifetime = DefaultTokenLifetime
	}
	if o.TokenLifetime < 0 {
		return nil, fmt.Errorf("check token lifetime %s: must be positive", o.TokenLifetime)
	}
	switch o.DeviceApproval {
	case "":
		o.DeviceApproval = "auto"
	case "auto", "manual":
	default:
		return nil, fmt.Errorf("check device approval %q: want auto or manual", o.DeviceApproval)
	}
	if o.Health == "" {
		o.Health = "up"
	}
	if err := checkHealth(o.Health); err != nil {
		return nil, err
	}
	for _, u := range []string{o.PublicURL, o.StoragePublicURL} {
		if err := checkOrigin(u); err != nil {
			return nil, err
		}
	}
	o.PublicURL = strings.TrimSuffix(o.PublicURL, "/")
	o.StoragePublicURL = strings.TrimSuffix(o.StoragePublicURL, "/")
	if u, err := url.Parse(o.StoragePublicURL); err != nil || u.Path != "" {
		return nil, fmt.Errorf("check storage public URL %q: want an origin (scheme://host:port) without path", o.StoragePublicURL)
	}
	logw := o.Log
	if logw == nil {
		logw = io.Discard
	}
	e := &Emulator{
		opts:     o,
		clock:    o.Clock,
		log:      &requestLog{w: logw},
		health:   o.Health,
		counters: map[string]int{},
	}
	f, err := ParseFaults(o.Faults)
	if err != nil {
		return nil, err
	}
	e.faults = newFaultInjector(f, o.Seed)
	e.oauth = newAuthServer(e)
	e.state = &stateFile{path: o.StateFile}
	if o.MinPartSize < 0 {
		return nil, fmt.Errorf("check minimum part size %d: must not be negative", o.MinPartSize)
	}
	kept := ""
	if o.StateFile != "" {
		kept = o.StateFile + ".objects" // beside the state, kept across restarts
	}
	e.bucket = newObjectStore(e.now, o.MinPartSize, kept)
	if err := e.restore(); err != nil {
		return nil, err
	}
	return e, nil
}

// checkOrigin accepts "" or an absolute http(s) URL without query or fragment.
func checkOrigin(u string) error {
	if u == "" {
		return nil
	}
	if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		return fmt.Errorf("check public URL %q: want http:// or https://", u)
	}
	if strings.ContainsAny(u, "?#") {
		return fmt.Errorf("check public URL %q: no query or fragment allowed", u)
	}
	return nil
}

// Start listens on apiAddr and storageAddr and serves in the background.
// With a state file, it writes that file once before returning.
func Start(o Options, apiAddr, storageAddr string) (*Emulator, error) {
	e, err := New(o)
	if err != nil {
		return nil, err
	}
	api, err := net.Listen("tcp", apiAddr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", apiAddr, err)
	}
	st, err := net.Listen("tcp", storageAddr)
	if err != nil {
		_ = api.Close()
		return nil, fmt.Errorf("listen on %s: %w", storageAddr, err)
	}
	if err := e.serve(api, st); err != nil {
		_ = api.Close()
		_ = st.Close()
		return nil, err
	}
	// Write the state file now, so an unwritable --state fails at start
	// rather than losing the whole session when it stops.
	if err := e.saveNow(); err != nil {
		_ = e.Close()
		return nil, err
	}
	return e, nil
}

// Serve serves the API origin on api and the storage origin on storage in
// background goroutines. It panics when called twice or after Close.
func (e *Emulator) Serve(api, storage net.Listener) {
	if err := e.serve(api, storage); err != nil {
		panic(err)
	}
}

func (e *Emulator) serve(api, storage net.Listener) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed || e.servers != nil {
		return errors.New("serve emulator: already serving or closed")
	}
	e.apiURL = e.opts.PublicURL
	if e.apiURL == "" {
		e.apiURL = "http://" + api.Addr().String()
	}
	e.storageURL = e.opts.StoragePublicURL
	if e.storageURL == "" {
		e.storageURL = "http://" + storage.Addr().String()
	}
	p := newPlatform(platformConfig{
		// The platform's timestamps carry microseconds (Python datetimes);
		// some clients refuse more fractional digits.
		now:          func() time.Time { return e.now().Truncate(time.Microsecond) },
		publicURL:    e.apiURL,
		speed:        e.opts.Speed,
		artifactSize: e.opts.ArtifactSize,
		seed:         e.opts.Seed,
		signURL:      e.signURL,
		signAttachment: func(bucket, object, filename string, expires time.Duration) string {
			return e.signURLQuery(bucket, object, expires, url.Values{
				"response-content-disposition": {`attachment; filename="` + strings.ReplaceAll(filename, `"`, "") + `"`}})
		},
		orgID:        e.keys.orgID,
		hmacAccessID: e.keys.hmacID,
		hmacSecret:   e.keys.hmacSecret,
		count:        e.count,
		checkInput:   e.checkInput,
	})
	if snap := e.state.platform; len(snap) > 0 {
		if err := p.restore(snap); err != nil {
			return fmt.Errorf("restore platform state from %s: %w", e.state.path, err)
		}
		e.state.platform = nil
	}
	e.platform = p
	mk := func(h http.Handler) *http.Server {
		c := &conns{}
		e.conns = append(e.conns, c)
		return &http.Server{Handler: h, ReadHeaderTimeout: 30 * time.Second, ErrorLog: discardLogger(), ConnState: c.track}
	}
	apiSrv := mk(e.apiHandler())
	stSrv := mk(e.storageHandler())
	e.servers = []*http.Server{apiSrv, stSrv}
	go func() { _ = apiSrv.Serve(api) }()
	go func() { _ = stSrv.Serve(storage) }()
	return nil
}

// now is the emulator's current time.
func (e *Emulator) now() time.Time { return e.clock.Now() }

// URL is the API root, e.g. http://127.0.0.1:8780 (no trailing slash).
func (e *Emulator) URL() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.apiURL
}

// StorageURL is the storage origin, e.g. http://127.0.0.1:8781.
func (e *Emulator) StorageURL() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.storageURL
}

// Close stops both servers and writes the state file: connections that
// carry no request are closed at once, requests in flight get up to 2 s to
// finish. It is safe to call more than once.
func (e *Emulator) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	servers, conns := e.servers, e.conns
	e.mu.Unlock()
	var errs []error
	var wg sync.WaitGroup
	for i, s := range servers {
		wg.Go(func() { shutdown(s, conns[i]) })
	}
	wg.Wait()
	if err := e.saveNow(); err != nil {
		errs = append(errs, err)
	}
	if err := e.bucket.close(); err != nil {
		errs = append(errs, fmt.Errorf("remove the bucket directory: %w", err))
	}
	return errors.Join(errs...)
}

// Count reports how often an event happened: "request" (every request on
// either origin), "grant:authorization_code", "grant:refresh_token",
// "grant:device_code" (tokens issued by each grant), "create_run", and
// "fault:<kind>" (faults injected).
func (e *Emulator) Count(name string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.counters[name]
}

func (e *Emulator) count(name string) {
	e.mu.Lock()
	e.counters[name]++
	e.mu.Unlock()
}

// SetFaults replaces the active faults with spec (see ParseFaults); "" removes them.
func (e *Emulator) SetFaults(spec string) error {
	f, err := ParseFaults(spec)
	if err != nil {
		return err
	}
	e.faults.set(f)
	return nil
}

// SetHealth sets what /health answers: "up", "degraded" or "down".
// Unknown values are treated as "down".
func (e *Emulator) SetHealth(h string) {
	if checkHealth(h) != nil {
		h = "down"
	}
	e.mu.Lock()
	e.health = h
	e.mu.Unlock()
}

// RotateKey makes a new signing key current. Tokens signed before keep
// verifying: the JWKS publishes both keys until DropOldKeys.
func (e *Emulator) RotateKey() error {
	if err := e.keys.rotate(); err != nil {
		return err
	}
	e.markDirty()
	return nil
}

// DropOldKeys removes every signing key but the current one from the JWKS,
// so tokens signed by them no longer verify.
func (e *Emulator) DropOldKeys() {
	e.keys.dropOld()
	e.markDirty()
}

// RevokeRefreshTokens makes every refresh token issued so far unusable.
func (e *Emulator) RevokeRefreshTokens() {
	e.oauth.revokeAll()
	e.markDirty()
}

// IssueToken mints an access token and a refresh token for sub (""
// -> DefaultSubject) with scope "openid profile email offline_access", as the
// interactive client would get them. The emulator must be serving.
func (e *Emulator) IssueToken(sub string) (access, refresh string, err error) {
	if e.URL() == "" {
		return "", "", errors.New("issue token: the emulator is not serving yet")
	}
	if sub == "" {
		sub = DefaultSubject
	}
	tr, err := e.oauth.issue(tokenGrant{Subject: sub, ClientID: ClientIDInteractive, Scope: "openid profile email offline_access"})
	if err != nil {
		return "", "", err
	}
	return tr.AccessToken, tr.RefreshToken, nil
}

// signingKey exposes the current token signing key (for tests).
func (e *Emulator) signingKey() (string, *rsa.PrivateKey) { return e.keys.current() }

// CreateRuns seeds n runs of app:version ("" = the latest version), one item
// each, submitted now; for list benchmarks. The emulator must be serving.
func (e *Emulator) CreateRuns(n int, app, version string) error {
	e.mu.Lock()
	p := e.platform
	e.mu.Unlock()
	if p == nil {
		return errors.New("create runs: the emulator is not serving yet")
	}
	if err := p.createRuns(n, app, version); err != nil {
		return err
	}
	e.markDirty()
	return nil
}
