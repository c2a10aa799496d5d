package httpx

import (
	"net"
	"net/http"
	"time"
)

// Client is the configured HTTP client. It is safe for concurrent use.
type Client struct {
	o   Options // with defaults applied
	hc  *http.Client
	log *logger
}

// New builds a Client: our proxy function, the CA pool, transport timeouts,
// the idle-read timeout on bodies, the user agent and the auth transport.
// A CA bundle or proxy problem is a *ConfigError.
func New(o Options) (*Client, error) {
	return newClient(o, newStoppedTimer)
}

// newClient is New with an injectable idle timer (tests).
func newClient(o Options, newTimer func(f func()) idleTimer) (*Client, error) {
	o = o.withDefaults()
	tlsConf, err := tlsConfig(o)
	if err != nil {
		return nil, err
	}
	proxy, err := newProxyConfig(o.HTTPSProxy, o.HTTPProxy, o.NoProxy)
	if err != nil {
		return nil, err
	}
	authOrigin, err := checkAuthOrigin(o.AuthOrigin)
	if err != nil {
		return nil, err
	}
	dialer := &net.Dialer{Timeout: o.Timeout, KeepAlive: 30 * time.Second}
	base := &http.Transport{
		Proxy:                 proxy.proxy,
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
	c := &Client{o: o}
	if o.Debug != nil {
		c.log = &logger{w: o.Debug}
	}
	var rt http.RoundTripper = &idleTransport{next: base, timeout: o.Timeout, newTimer: newTimer}
	if c.log != nil {
		rt = &logTransport{next: rt, log: c.log}
	}
	rt = &authTransport{next: rt, ua: o.UserAgent, origin: authOrigin, tokens: o.Token}
	c.hc = &http.Client{Transport: rt}
	return c, nil
}

// HTTP returns the underlying *http.Client: proxy, CA pool, timeouts, user
// agent, debug log and auth transport (401 refresh included), but no
// retries. Redirects never carry the token to another origin.
func (c *Client) HTTP() *http.Client { return c.hc }
