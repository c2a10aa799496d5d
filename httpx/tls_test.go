package httpx

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writePEM writes the certificate of a TLS test server as a PEM file.
func writePEM(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "ca.pem")
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func newTLSServer(t *testing.T) *httptest.Server {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"status":"UP"}`))
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

func TestCustomCATrusted(t *testing.T) {
	srv := newTLSServer(t)
	ca := writePEM(t, srv)
	for _, o := range []Options{{CABundle: ca}, {CertFile: ca}, {CertFile: ca, CABundle: ca}} {
		c, sl := testClient(t, o)
		var out struct{ Status string }
		if err := c.JSON(context.Background(), "GET", srv.URL+"/health", nil, &out); err != nil || out.Status != "UP" {
			t.Errorf("%+v: err %v out %+v", o, err, out)
		}
		if len(sl.all()) != 0 {
			t.Errorf("%+v: retried", o)
		}
	}
}

func TestUnknownCAFailsWithoutRetry(t *testing.T) {
	srv := newTLSServer(t)
	c, sl := testClient(t, Options{})
	err := c.JSON(context.Background(), "GET", srv.URL, nil, nil)
	var ua x509.UnknownAuthorityError
	if !errors.As(err, &ua) {
		t.Errorf("err = %v, want x509.UnknownAuthorityError", err)
	}
	if len(sl.all()) != 0 {
		t.Errorf("certificate error retried %d times", len(sl.all()))
	}
}

func TestCertFileReplacesSystemRoots(t *testing.T) {
	srv := newTLSServer(t)
	ca := writePEM(t, srv)
	only := x509.NewCertPool()
	only.AddCert(srv.Certificate())

	c, _ := testClient(t, Options{CertFile: ca})
	if got := c.hc.Transport.(*authTransport).rootCAs(); !got.Equal(only) {
		t.Error("SSL_CERT_FILE: pool is not exactly the file's certificates")
	}
	sys, err := x509.SystemCertPool()
	if err != nil {
		t.Skip("no system pool:", err)
	}
	sys.AddCert(srv.Certificate())
	b, _ := testClient(t, Options{CABundle: ca})
	if got := b.hc.Transport.(*authTransport).rootCAs(); !got.Equal(sys) {
		t.Error("REQUESTS_CA_BUNDLE: pool is not the system roots plus the bundle")
	}
}

func TestBadBundles(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.pem")
	os.WriteFile(garbage, []byte("-----BEGIN NOTHING-----\nzzz\n"), 0o600)
	missing := filepath.Join(dir, "missing.pem")
	tests := []struct {
		o       Options
		setting string
		path    string
	}{
		{Options{CABundle: missing}, "REQUESTS_CA_BUNDLE", missing},
		{Options{CABundle: garbage}, "REQUESTS_CA_BUNDLE", garbage},
		{Options{CABundle: dir}, "REQUESTS_CA_BUNDLE", dir},
		{Options{CertFile: missing}, "SSL_CERT_FILE", missing},
		{Options{CertFile: garbage}, "SSL_CERT_FILE", garbage},
		{Options{HTTPSProxy: "ftp://proxy:1"}, "HTTPS_PROXY", "ftp://proxy:1"},
		{Options{HTTPProxy: "http://u:pw@%zz"}, "HTTP_PROXY", "http://u:REDACTED@%zz"},
	}
	for _, tt := range tests {
		_, err := New(tt.o)
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Setting != tt.setting || ce.Path != tt.path {
			t.Errorf("%+v: err = %#v", tt.o, err)
			continue
		}
		if msg := err.Error(); msg == "" || !strings.Contains(msg, tt.setting) || strings.Contains(msg, "pw@") {
			t.Errorf("message %q", msg)
		}
	}
}

// rootCAs returns the CA pool of the transport under t.
func (t *authTransport) rootCAs() *x509.CertPool {
	rt := t.next
	for {
		switch v := rt.(type) {
		case *logTransport:
			rt = v.next
		case *idleTransport:
			rt = v.next
		case *http.Transport:
			return v.TLSClientConfig.RootCAs
		default:
			return nil
		}
	}
}
