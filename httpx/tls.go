package httpx

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
)

// ConfigError reports a configuration problem found while building the
// client, such as an unreadable CA bundle or a bad proxy URL.
type ConfigError struct {
	Setting string // e.g. REQUESTS_CA_BUNDLE
	Path    string // the file or value concerned
	Err     error
}

// Error names the setting, the path and the cause.
func (e *ConfigError) Error() string {
	return fmt.Sprintf("%s=%s: %v", e.Setting, e.Path, e.Err)
}

// Unwrap returns the cause.
func (e *ConfigError) Unwrap() error { return e.Err }

// errNoCertificates is the cause when a bundle holds no PEM certificate.
var errNoCertificates = errors.New("no PEM certificates found")

// onDemandTransport sends the requests that need no TLS (http, with no
// https proxy) on one transport and the others on a second one, built with
// its TLS configuration when the first of them is sent: parsing CA bundles
// (and the system roots) takes milliseconds that a call to a local emulator
// never needs.
type onDemandTransport struct {
	o       Options
	bundles bundles
	plain   *http.Transport
	proxy   func(*http.Request) (*url.URL, error)

	once   sync.Once
	err    error
	secure atomic.Pointer[http.Transport] // set once built
}

func newOnDemandTransport(o Options, b bundles, proxy func(*http.Request) (*url.URL, error)) *onDemandTransport {
	return &onDemandTransport{o: o, bundles: b, plain: newBaseTransport(o, proxy, nil), proxy: proxy}
}

// secureTransport builds the TLS transport on first use, once.
func (t *onDemandTransport) secureTransport() (*http.Transport, error) {
	t.once.Do(func() {
		conf, err := tlsConfig(t.o, t.bundles)
		if err != nil {
			t.err = err
			return
		}
		t.secure.Store(newBaseTransport(t.o, t.proxy, conf))
		t.bundles = bundles{} // parsed now; let the bytes go
	})
	return t.secure.Load(), t.err
}

// RoundTrip sends req on the transport it needs.
func (t *onDemandTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !t.needsTLS(req) {
		return t.plain.RoundTrip(req)
	}
	tr, err := t.secureTransport()
	if err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	return tr.RoundTrip(req)
}

// needsTLS reports whether req makes a TLS connection: to an https URL or
// through an https proxy.
func (t *onDemandTransport) needsTLS(req *http.Request) bool {
	if req.URL.Scheme == "https" {
		return true
	}
	p, err := t.proxy(req)
	return err == nil && p != nil && p.Scheme == "https"
}

// CloseIdleConnections closes the idle connections of both transports.
func (t *onDemandTransport) CloseIdleConnections() {
	t.plain.CloseIdleConnections()
	if tr := t.secure.Load(); tr != nil {
		tr.CloseIdleConnections()
	}
}

// bundles are the CA files of the settings, read and checked when the
// client is built (a missing file, or one without a certificate that parses,
// is a configuration error at once); the pool is built from them on the
// first TLS connection.
type bundles struct {
	certFile, caBundle []byte // nil: not set (or the same file as certFile)
}

// readBundles reads SSL_CERT_FILE and REQUESTS_CA_BUNDLE; the same file
// named twice (as on many Linux images) is read once.
func readBundles(o Options) (bundles, error) {
	var b bundles
	var err error
	if o.CertFile != "" {
		if b.certFile, err = readBundle("SSL_CERT_FILE", o.CertFile); err != nil {
			return b, err
		}
	}
	if o.CABundle != "" && filepath.Clean(o.CABundle) != filepath.Clean(o.CertFile) {
		if b.caBundle, err = readBundle("REQUESTS_CA_BUNDLE", o.CABundle); err != nil {
			return b, err
		}
	}
	return b, nil
}

func readBundle(setting, path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &ConfigError{Setting: setting, Path: path, Err: fmt.Errorf("read CA bundle: %w", err)}
	}
	if !hasCertificate(data) {
		return nil, &ConfigError{Setting: setting, Path: path, Err: errNoCertificates}
	}
	return data, nil
}

// hasCertificate reports whether AppendCertsFromPEM would add a certificate
// of data, parsing only up to the first one that parses (usually the first).
func hasCertificate(data []byte) bool {
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return false
		}
		if block.Type != "CERTIFICATE" || len(block.Headers) != 0 {
			continue
		}
		if _, err := x509.ParseCertificate(block.Bytes); err == nil {
			return true
		}
	}
}

// tlsConfig builds the TLS configuration: the system roots (or only the
// certificates of CertFile when set) plus those of CABundle.
func tlsConfig(o Options, b bundles) (*tls.Config, error) {
	var pool *x509.CertPool
	if b.certFile != nil {
		pool = x509.NewCertPool()
		if !pool.AppendCertsFromPEM(b.certFile) {
			return nil, &ConfigError{Setting: "SSL_CERT_FILE", Path: o.CertFile, Err: errNoCertificates}
		}
	} else if sys, err := x509.SystemCertPool(); err == nil {
		pool = sys
	} else {
		pool = x509.NewCertPool()
	}
	if b.caBundle != nil && !pool.AppendCertsFromPEM(b.caBundle) {
		return nil, &ConfigError{Setting: "REQUESTS_CA_BUNDLE", Path: o.CABundle, Err: errNoCertificates}
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}
