package resources

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/internal/clock"
	"github.com/aignostics/aignostics/settings"
)

// Default page sizes: the Python SDK's choices.
const (
	DefaultPageSize     = 20
	DefaultRunsPageSize = 100
)

// Options tune a Client. The zero value is ready to use.
type Options struct {
	// PageSize is the page size of application and item lists (default 20).
	PageSize int
	// RunsPageSize is the page size of run lists (default 100).
	RunsPageSize int
	// Clock tells the time (run lookups after a create) and waits between
	// polls and retries; zero means the system clock.
	Clock clock.Clock
	// Debugf receives debug lines (nil: off). Never given secrets.
	Debugf func(format string, args ...any)
	// StorageEndpoint is the storage origin of the organization bucket
	// (scheme://host[:port] or STORAGE_EMULATOR_HOST's host:port); "" means
	// https://storage.googleapis.com, or the local emulator's storage when
	// DiscoverStorage is set.
	StorageEndpoint string
	// DiscoverStorage asks the API root for a local emulator's storage
	// origin (New sets it for a loopback API root).
	DiscoverStorage bool
	// ShareToken, when set, is sent as the spec's share_token query
	// parameter on the reads that take it (a run, its items, one item, an
	// artifact's file), so that a run shared by token can be read, with or
	// without a login. It is a secret: masked when printed, redacted from
	// the debug log and errors.
	ShareToken settings.Secret
	// UserAgent and HTTPDebug are used by New only (see httpx.Options).
	UserAgent string
	HTTPDebug io.Writer
}

// Client is the typed API client. It is safe for concurrent use.
type Client struct {
	root string // {api_root}, no trailing slash
	base string // {api_root}/api/v1
	hc   *httpx.Client
	o    Options
}

// New builds an authenticated client from settings and a token source (nil
// ts: requests go without a token).
func New(s *settings.Settings, ts httpx.TokenSource, o Options) (*Client, error) {
	hc, err := httpx.New(HTTPOptions(s, ts, o))
	if err != nil {
		return nil, fmt.Errorf("build HTTP client: %w", err)
	}
	if o.StorageEndpoint == "" {
		o.StorageEndpoint = s.StorageEmulatorHost
	}
	o.DiscoverStorage = o.DiscoverStorage || s.IsLocal()
	return NewFromHTTP(s.APIRoot, hc, o), nil
}

// HTTPOptions translates settings into httpx.Options for the API root, the
// token sent only to the API root's origin.
func HTTPOptions(s *settings.Settings, ts httpx.TokenSource, o Options) httpx.Options {
	return httpx.Options{
		Timeout:    s.RequestTimeout,
		RetryBase:  s.AuthorizationBackoff,
		UserAgent:  o.UserAgent,
		HTTPSProxy: s.HTTPSProxy,
		HTTPProxy:  s.HTTPProxy,
		NoProxy:    s.NoProxy,
		CABundle:   s.RequestsCABundle,
		CertFile:   s.SSLCertFile,
		AuthOrigin: Origin(s.APIRoot),
		Token:      ts,
		Debug:      o.HTTPDebug,
	}
}

// Origin returns "scheme://host[:port]" of a URL ("" when it does not parse).
func Origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// NewFromHTTP wraps an already configured httpx client (its token source and
// origin rules included) for the API at apiRoot.
func NewFromHTTP(apiRoot string, hc *httpx.Client, o Options) *Client {
	if o.PageSize <= 0 {
		o.PageSize = DefaultPageSize
	}
	if o.RunsPageSize <= 0 {
		o.RunsPageSize = DefaultRunsPageSize
	}
	root := strings.TrimRight(apiRoot, "/")
	return &Client{root: root, base: root + "/api/v1", hc: hc, o: o}
}

// HTTP returns the underlying httpx client.
func (c *Client) HTTP() *httpx.Client { return c.hc }

// URL returns the absolute URL of an API path such as "/runs/ID" (segments
// already escaped by the caller) with an optional query.
func (c *Client) URL(path string, q url.Values) string {
	u := c.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// Applications returns the applications service.
func (c *Client) Applications() *Applications { return &Applications{c: c} }

// Versions returns the application versions service.
func (c *Client) Versions() *Versions { return &Versions{c: c} }

// Runs returns the runs service.
func (c *Client) Runs() *Runs { return &Runs{c: c} }

// Run returns a handle on one run; nothing is fetched.
func (c *Client) Run(id string) *Run { return &Run{ID: id, c: c} }

// Me returns the caller and their organization (GET /v1/me).
func (c *Client) Me(ctx context.Context) (MeReadResponse, error) {
	var me MeReadResponse
	if err := c.get(ctx, "/me", nil, &me); err != nil {
		return me, fmt.Errorf("get current user: %w", err)
	}
	return me, nil
}

// shareQuery returns q (a new Values when nil) with the share token added
// when the client has one.
func (c *Client) shareQuery(q url.Values) url.Values {
	if c.o.ShareToken == "" {
		return q
	}
	if q == nil {
		q = url.Values{}
	}
	q.Set("share_token", c.o.ShareToken.Reveal())
	return q
}

func (c *Client) get(ctx context.Context, path string, q url.Values, out any) error {
	return c.hc.JSON(ctx, "GET", c.URL(path, q), nil, out)
}

func (c *Client) debugf(format string, args ...any) {
	if c.o.Debugf != nil {
		c.o.Debugf(format, args...)
	}
}
