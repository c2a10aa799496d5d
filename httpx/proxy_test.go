package httpx

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
)

// forwardProxy is a minimal HTTP forward proxy for http:// targets.
func forwardProxy(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var hits atomic.Int32
	direct := &http.Transport{}
	t.Cleanup(direct.CloseIdleConnections)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !r.URL.IsAbs() {
			http.Error(w, "not a proxy request", http.StatusBadRequest)
			return
		}
		hits.Add(1)
		out, _ := http.NewRequestWithContext(r.Context(), r.Method, r.URL.String(), r.Body)
		out.Header = r.Header.Clone()
		out.Header.Set("Via", "1.1 test-proxy")
		resp, err := direct.RoundTrip(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func TestForwardProxy(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"via": "` + r.Header.Get("Via") + `", "auth": "` + r.Header.Get("Authorization") + `"}`))
	}))
	defer target.Close()
	proxy, hits := forwardProxy(t)
	u, _ := url.Parse(target.URL)
	port := u.Port()

	tests := []struct {
		name       string
		httpProxy  string
		httpsProxy string
		noProxy    string
		proxied    bool
	}{
		{"loopback is proxied", proxy.URL, "", "", true},
		{"proxy without scheme", proxy.Listener.Addr().String(), "", "", true},
		{"https proxy not used for http", "", proxy.URL, "", false},
		{"no_proxy ip", proxy.URL, "", "example.com, 127.0.0.1", false},
		{"no_proxy cidr", proxy.URL, "", "10.0.0.0/8,127.0.0.0/8", false},
		{"no_proxy star", proxy.URL, "", "*", false},
		{"no_proxy host:port", proxy.URL, "", "127.0.0.1:" + port, false},
		{"no_proxy other port", proxy.URL, "", "127.0.0.1:1", true},
		{"no_proxy other host", proxy.URL, "", "localhost,.example.com", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := hits.Load()
			c, _ := testClient(t, Options{HTTPProxy: tt.httpProxy, HTTPSProxy: tt.httpsProxy, NoProxy: tt.noProxy,
				Token: &fakeTokens{tokens: []string{"tk"}}, AuthOrigin: target.URL})
			var out struct{ Via, Auth string }
			if err := c.JSON(context.Background(), "GET", target.URL+"/api", nil, &out); err != nil {
				t.Fatal(err)
			}
			if got := hits.Load() - before; (got == 1) != tt.proxied || got > 1 {
				t.Errorf("proxy hits %d, want proxied=%v", got, tt.proxied)
			}
			if (out.Via != "") != tt.proxied {
				t.Errorf("target saw Via %q", out.Via)
			}
			if out.Auth != "Bearer tk" {
				t.Errorf("target saw Authorization %q", out.Auth)
			}
		})
	}
}

func TestProxyChoice(t *testing.T) {
	p, err := newProxyConfig("https://secure-proxy:443", "http://plain-proxy:3128",
		".corp.example, internal.example, *.wild.example, 192.168.0.0/16, ::1, [fe80::1]:8443, host.example:8080, 10.1.2.3")
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]string{
		"https://api.example.com/x":       "https://secure-proxy:443",
		"http://api.example.com/x":        "http://plain-proxy:3128",
		"ftp://api.example.com/x":         "",
		"https://corp.example/":           "",
		"https://a.b.corp.example/":       "",
		"https://notcorp.example/":        "https://secure-proxy:443",
		"https://internal.example/":       "",
		"https://x.INTERNAL.example/":     "",
		"https://xinternal.example/":      "https://secure-proxy:443",
		"https://a.wild.example/":         "",
		"https://192.168.4.5/":            "",
		"https://192.169.4.5/":            "https://secure-proxy:443",
		"http://[::1]:8080/":              "",
		"https://[fe80::1]:8443/":         "",
		"https://[fe80::1]/":              "https://secure-proxy:443",
		"http://host.example:8080/":       "",
		"http://host.example/":            "http://plain-proxy:3128",
		"http://10.1.2.3:9/":              "",
		"http://127.0.0.1:8780/api/v1":    "http://plain-proxy:3128",
		"http://localhost:8780/api/v1":    "http://plain-proxy:3128",
		"https://platform.aignostics.com": "https://secure-proxy:443",
	}
	for raw, want := range tests {
		u, _ := url.Parse(raw)
		got, err := p.proxy(&http.Request{URL: u})
		if err != nil {
			t.Fatal(err)
		}
		gs := ""
		if got != nil {
			gs = got.String()
		}
		if gs != want {
			t.Errorf("proxy(%s) = %q, want %q", raw, gs, want)
		}
	}
}

// connectProxy is a minimal CONNECT proxy that tunnels to any address.
func connectProxy(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
			return
		}
		hits.Add(1)
		upstream, err := net.Dial("tcp", r.Host)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusOK)
		client, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			upstream.Close()
			return
		}
		go func() {
			io.Copy(upstream, buf)
			upstream.(*net.TCPConn).CloseWrite()
		}()
		io.Copy(client, upstream)
		client.Close()
		upstream.Close()
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func TestHTTPSProxyTunnelsToLoopback(t *testing.T) {
	target := newTLSServer(t)
	ca := writePEM(t, target)
	proxy, hits := connectProxy(t)
	c, _ := testClient(t, Options{HTTPSProxy: proxy.URL, CABundle: ca})
	var out struct{ Status string }
	if err := c.JSON(context.Background(), "GET", target.URL+"/health", nil, &out); err != nil || out.Status != "UP" {
		t.Fatalf("err %v out %+v", err, out)
	}
	if hits.Load() != 1 {
		t.Errorf("CONNECTs %d, want 1", hits.Load())
	}
}
