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
	"sync"
	"testing"

	"github.com/aignostics/aignostics/internal/clock"
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
		if len(sl.Slept()) != 0 {
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
	if len(sl.Slept()) != 0 {
		t.Errorf("certificate error retried %d times", len(sl.Slept()))
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

// TestPoolBuiltOnTheFirstTLSRequest: plain http never builds the CA pool
// (whatever the bundles hold beyond their first good certificate); the first
// TLS request builds it, once.
func TestPoolBuiltOnTheFirstTLSRequest(t *testing.T) {
	tlsSrv := newTLSServer(t)
	ca := writePEM(t, tlsSrv)
	withJunk := filepath.Join(t.TempDir(), "junk.pem")
	data, _ := os.ReadFile(ca)
	os.WriteFile(withJunk, append(data, "-----BEGIN CERTIFICATE-----\nbm90IERFUg==\n-----END CERTIFICATE-----\n"...), 0o600)
	plainSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"status":"UP"}`))
	}))
	t.Cleanup(plainSrv.Close)
	for _, o := range []Options{{CABundle: withJunk}, {CertFile: withJunk}} {
		c, _ := testClient(t, o)
		var out struct{ Status string }
		if err := c.JSON(context.Background(), "GET", plainSrv.URL, nil, &out); err != nil || out.Status != "UP" {
			t.Errorf("%+v: plain http failed: %v", o, err)
		}
		if onDemand(c).secure.Load() != nil {
			t.Errorf("%+v: plain http built the TLS configuration", o)
		}
		for range 2 {
			if err := c.JSON(context.Background(), "GET", tlsSrv.URL+"/health", nil, &out); err != nil {
				t.Errorf("%+v: TLS request: %v", o, err)
			}
		}
		if onDemand(c).secure.Load() == nil {
			t.Errorf("%+v: no TLS transport after TLS requests", o)
		}
	}
}

func TestHasCertificate(t *testing.T) {
	srv := newTLSServer(t)
	good := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	bad := []byte("-----BEGIN CERTIFICATE-----\nbm90IERFUg==\n-----END CERTIFICATE-----\n")
	key := []byte("-----BEGIN PRIVATE KEY-----\nbm90IERFUg==\n-----END PRIVATE KEY-----\n")
	for _, tc := range []struct {
		name string
		data []byte
		want bool
	}{
		{"empty", nil, false},
		{"not PEM", []byte("hello"), false},
		{"not base64", []byte("-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n"), false},
		{"bad DER only", bad, false},
		{"a key only", key, false},
		{"good", good, true},
		{"bad then good", append(append(append([]byte{}, bad...), key...), good...), true},
	} {
		if got := hasCertificate(tc.data); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
		pool := x509.NewCertPool()
		if pool.AppendCertsFromPEM(tc.data) != tc.want {
			t.Errorf("%s: AppendCertsFromPEM disagrees", tc.name)
		}
	}
}

// TestWithTokenSharesTheTLSConfiguration: a client and its WithToken twin
// build one TLS configuration (the bundle is read once) on the first TLS
// request of either, and only the twin sends the token.
func TestWithTokenSharesTheTLSConfiguration(t *testing.T) {
	var auth []string
	var mu sync.Mutex
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auth = append(auth, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Write([]byte(`{}`))
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	plain, err := New(Options{CertFile: writePEM(t, srv), AuthOrigin: srv.URL, Clock: clock.NewAutoFake(testT0).Clock()})
	if err != nil {
		t.Fatal(err)
	}
	authed := plain.WithToken(StaticToken("tok-1"))
	odt := onDemand(plain)
	if odt == nil || odt != onDemand(authed) {
		t.Fatal("the twin does not share the transport")
	}
	if odt.secure.Load() != nil {
		t.Fatal("the TLS transport was built before any TLS request")
	}
	for _, c := range []*Client{authed, plain} {
		if err := c.JSON(context.Background(), "GET", srv.URL, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	first := odt.secure.Load()
	if err := authed.JSON(context.Background(), "GET", srv.URL, nil, nil); err != nil || odt.secure.Load() != first {
		t.Fatalf("the TLS transport was built again (%v)", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"Bearer tok-1", "", "Bearer tok-1"}; strings.Join(auth, "|") != strings.Join(want, "|") {
		t.Errorf("Authorization headers %q, want %q", auth, want)
	}
}

// onDemand returns the onDemandTransport under a client.
func onDemand(c *Client) *onDemandTransport {
	rt := c.hc.Transport.(*authTransport).next
	for {
		switch v := rt.(type) {
		case *logTransport:
			rt = v.next
		case *idleTransport:
			rt = v.next
		case *onDemandTransport:
			return v
		default:
			return nil
		}
	}
}

// rootCAs returns the CA pool of the TLS transport under t, building it.
func (t *authTransport) rootCAs() *x509.CertPool {
	c := &Client{hc: &http.Client{Transport: t}}
	tr, err := onDemand(c).secureTransport()
	if err != nil {
		return nil
	}
	return tr.TLSClientConfig.RootCAs
}

// FuzzHasCertificate: the check made when a client is built agrees with
// what AppendCertsFromPEM adds when the pool is built.
func FuzzHasCertificate(f *testing.F) {
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nbm90IERFUg==\n-----END CERTIFICATE-----\n"))
	f.Add([]byte("hello"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if got, want := hasCertificate(data), x509.NewCertPool().AppendCertsFromPEM(data); got != want {
			t.Fatalf("hasCertificate = %v, AppendCertsFromPEM = %v", got, want)
		}
	})
}
