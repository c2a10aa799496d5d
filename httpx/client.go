package httpx

import (
	"crypto/tls"
	"net"
	"net/http"
	"net/url"
	"time"
)

// Client is the configured HTTP client. It is safe for concurrent use.
type Client struct {
	o          Options // with defaults applied
	authOrigin string  // normalised Options.AuthOrigin
	hc         *http.Client
	base       http.RoundTripper // below the auth transport; shared by WithToken
	log        *logger
}

// New builds a Client: our proxy function, the CA pool, transport timeouts,
// the idle-read timeout on bodies, the user agent and the auth transport.
// A proxy problem, or a CA bundle that cannot be read or holds no
// certificate, is a *ConfigError. The CA pool is parsed on the first TLS
// connection (a plain-http call never parses it); a bundle whose
// certificates do not parse fails that request with a *ConfigError.
func New(o Options) (*Client, error) {
	o = o.withDefaults()
	proxy, err := newProxyConfig(o.HTTPSProxy, o.HTTPProxy, o.NoProxy)
	if err != nil {
		return nil, err
	}
	authOrigin, err := checkAuthOrigin(o.AuthOrigin)
	if err != nil {
		return nil, err
	}
	b, err := readBundles(o)
	if err != nil {
		return nil, err
	}
	c := &Client{o: o, authOrigin: authOrigin}
	if o.Debug != nil {
		c.log = &logger{w: o.Debug, secrets: o.Secrets}
	}
	var rt http.RoundTripper = &idleTransport{next: newOnDemandTransport(o, b, proxy.proxy), timeout: o.Timeout, clock: o.Clock}
	if c.log != nil {
		rt = &logTransport{next: rt, log: c.log}
	}
	c.base = rt
	c.hc = &http.Client{CheckRedirect: CheckRedirect, Transport: &authTransport{next: rt, ua: o.UserAgent, origin: authOrigin, tokens: o.Token}}
	return c, nil
}

// WithToken returns a client like c that sends the tokens of ts to
// Options.AuthOrigin. Both share one transport: one connection pool, and
// one TLS configuration built on the first TLS connection of either.
func (c *Client) WithToken(ts TokenSource) *Client {
	d := &Client{o: c.o, authOrigin: c.authOrigin, log: c.log, base: c.base}
	d.o.Token = ts
	d.hc = &http.Client{CheckRedirect: CheckRedirect, Transport: &authTransport{next: c.base, ua: c.o.UserAgent, origin: c.authOrigin, tokens: ts}}
	return d
}

// newBaseTransport is the http.Transport every request ends in, with tlsConf
// for its TLS connections (nil: a transport that makes none).
func newBaseTransport(o Options, proxy func(*http.Request) (*url.URL, error), tlsConf *tls.Config) *http.Transport {
	dialer := &net.Dialer{Timeout: o.Timeout, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 proxy,
		DialContext:           dialer.DialContext,
		TLSClientConfig:       tlsConf,
		TLSHandshakeTimeout:   o.Timeout,
		ResponseHeaderTimeout: o.Timeout,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   16,
		ForceAttemptHTTP2:     true,
	}
}

// HTTP returns the underlying *http.Client: proxy, CA pool, timeouts, user
// agent, debug log and auth transport (401 refresh included), but no
// retries. Redirects never carry the token, cookies or a request body to
// another origin.
func (c *Client) HTTP() *http.Client { return c.hc }
