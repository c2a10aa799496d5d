package httpx

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
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

// tlsConfig builds the TLS configuration: the system roots (or only the
// certificates of CertFile when set) plus those of CABundle.
func tlsConfig(o Options) (*tls.Config, error) {
	var pool *x509.CertPool
	if o.CertFile != "" {
		pool = x509.NewCertPool()
		if err := addPEM(pool, "SSL_CERT_FILE", o.CertFile); err != nil {
			return nil, err
		}
	} else if sys, err := x509.SystemCertPool(); err == nil {
		pool = sys
	} else {
		pool = x509.NewCertPool()
	}
	// The same file named twice (as on many Linux images) is read once.
	if o.CABundle != "" && filepath.Clean(o.CABundle) != filepath.Clean(o.CertFile) {
		if err := addPEM(pool, "REQUESTS_CA_BUNDLE", o.CABundle); err != nil {
			return nil, err
		}
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}

// addPEM appends the certificates of a PEM file to pool.
func addPEM(pool *x509.CertPool, setting, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return &ConfigError{Setting: setting, Path: path, Err: fmt.Errorf("read CA bundle: %w", err)}
	}
	if !pool.AppendCertsFromPEM(data) {
		return &ConfigError{Setting: setting, Path: path, Err: errNoCertificates}
	}
	return nil
}
