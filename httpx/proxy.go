package httpx

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// proxyConfig chooses a proxy per request from HTTPS_PROXY, HTTP_PROXY and
// NO_PROXY values. Unlike the standard library's it proxies loopback hosts
// too, and it never reads the process environment.
type proxyConfig struct {
	https, http *url.URL
	noProxy     []noProxyRule
	all         bool // NO_PROXY=*
}

// noProxyRule is one NO_PROXY entry.
type noProxyRule struct {
	host   string     // lower case; a leading dot means "subdomains" (the domain itself included)
	port   string     // "" matches every port
	ipnet  *net.IPNet // CIDR entry
	ip     net.IP     // IP entry
	domain bool       // host matches itself and its subdomains
}

// newProxyConfig parses the proxy settings; a bad proxy URL is a *ConfigError.
func newProxyConfig(httpsProxy, httpProxy, noProxy string) (*proxyConfig, error) {
	p := &proxyConfig{}
	var err error
	if p.https, err = parseProxyURL("HTTPS_PROXY", httpsProxy); err != nil {
		return nil, err
	}
	if p.http, err = parseProxyURL("HTTP_PROXY", httpProxy); err != nil {
		return nil, err
	}
	for _, f := range strings.FieldsFunc(noProxy, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		f = strings.ToLower(strings.TrimSpace(f))
		if f == "*" {
			p.all = true
			continue
		}
		p.noProxy = append(p.noProxy, parseNoProxy(f))
	}
	return p, nil
}

// parseProxyURL accepts "host:port" (taken as http://) or a URL with scheme
// http, https, socks5 or socks5h.
func parseProxyURL(setting, v string) (*url.URL, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	raw := v
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, &ConfigError{Setting: setting, Path: redactUserinfo(v), Err: fmt.Errorf("parse proxy URL: %w", redactURLError(err))}
	}
	switch u.Scheme {
	case "http", "https", "socks5", "socks5h":
	default:
		return nil, &ConfigError{Setting: setting, Path: redactUserinfo(v), Err: fmt.Errorf("unsupported proxy scheme %q", u.Scheme)}
	}
	if u.Hostname() == "" {
		return nil, &ConfigError{Setting: setting, Path: redactUserinfo(v), Err: fmt.Errorf("proxy URL has no host")}
	}
	return u, nil
}

// parseNoProxy parses one lower-case NO_PROXY entry: host, .domain,
// *.domain, IP, CIDR, each optionally with :port.
func parseNoProxy(f string) noProxyRule {
	if _, n, err := net.ParseCIDR(f); err == nil {
		return noProxyRule{ipnet: n}
	}
	host, port := f, ""
	if h, p, err := net.SplitHostPort(f); err == nil {
		host, port = h, p
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if ip := net.ParseIP(host); ip != nil {
		return noProxyRule{ip: ip, port: port}
	}
	host = strings.TrimPrefix(host, "*")
	host = strings.TrimPrefix(host, ".")
	return noProxyRule{host: strings.TrimSuffix(host, "."), port: port, domain: true}
}

// matches reports whether the rule exempts host:port from the proxy.
func (r noProxyRule) matches(host, port string) bool {
	if r.port != "" && r.port != port {
		return false
	}
	ip := net.ParseIP(host)
	switch {
	case r.ipnet != nil:
		return ip != nil && r.ipnet.Contains(ip)
	case r.ip != nil:
		return ip != nil && r.ip.Equal(ip)
	}
	host = strings.TrimSuffix(host, ".")
	return host == r.host || strings.HasSuffix(host, "."+r.host)
}

// proxy is the Transport.Proxy function.
func (p *proxyConfig) proxy(req *http.Request) (*url.URL, error) {
	var u *url.URL
	switch req.URL.Scheme {
	case "https":
		u = p.https
	case "http":
		u = p.http
	}
	if u == nil || p.all {
		return nil, nil
	}
	host := strings.ToLower(req.URL.Hostname())
	port := req.URL.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[req.URL.Scheme]
	}
	for _, r := range p.noProxy {
		if r.matches(host, port) {
			return nil, nil
		}
	}
	return u, nil
}
