package httpx

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// recorder is a server that records the Authorization header of each request.
type recorder struct {
	srv   *httptest.Server
	mu    sync.Mutex
	auths []string
}

func newRecorder(t *testing.T, h func(w http.ResponseWriter, r *http.Request)) *recorder {
	rec := &recorder{}
	rec.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.mu.Lock()
		rec.auths = append(rec.auths, r.Header.Get("Authorization"))
		rec.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(rec.srv.Close)
	return rec
}

func (r *recorder) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.auths...)
}

func TestRefreshOnceOn401(t *testing.T) {
	tests := []struct {
		name      string
		tokens    []string
		accept    string // the token the server accepts
		method    string
		wantAuths []string
		wantErr   error
	}{
		{"new token accepted", []string{"t1", "t2"}, "t2", "GET", []string{"Bearer t1", "Bearer t2"}, nil},
		{"POST re-sent with body", []string{"t1", "t2"}, "t2", "POST", []string{"Bearer t1", "Bearer t2"}, nil},
		{"same token not re-sent", []string{"t1"}, "never", "GET", []string{"Bearer t1"}, ErrUnauthorized},
		{"only one re-send", []string{"t1", "t2", "t3"}, "t3", "GET", []string{"Bearer t1", "Bearer t2"}, ErrUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var bodies []string
			rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				bodies = append(bodies, string(b))
				if r.Header.Get("Authorization") != "Bearer "+tt.accept {
					w.WriteHeader(401)
					return
				}
				w.Write([]byte(`{}`))
			})
			ts := &fakeTokens{tokens: tt.tokens}
			c, sl := testClient(t, Options{Token: ts, AuthOrigin: rec.srv.URL})
			var in any
			if tt.method == "POST" {
				in = map[string]string{"x": "y"}
			}
			err := c.JSON(context.Background(), tt.method, rec.srv.URL+"/api/v1/me", in, nil)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.wantAuths, rec.got()); diff != "" {
				t.Errorf("Authorization headers (-want +got)\n%s", diff)
			}
			if len(sl.Slept()) != 0 {
				t.Errorf("a 401 was retried with backoff: %v", sl.Slept())
			}
			if ts.invalidated[0] != "t1" {
				t.Errorf("invalidated %v", ts.invalidated)
			}
			if tt.method == "POST" && (len(bodies) != 2 || bodies[1] != `{"x":"y"}`) {
				t.Errorf("bodies %q", bodies)
			}
		})
	}
}

func TestTokenErrorIsReturnedNotRetried(t *testing.T) {
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {})
	sentinel := errors.New("login required")
	c, sl := testClient(t, Options{Token: &fakeTokens{err: sentinel}, AuthOrigin: rec.srv.URL})
	err := c.JSON(context.Background(), "GET", rec.srv.URL, nil, nil)
	if !errors.Is(err, sentinel) || len(rec.got()) != 0 || len(sl.Slept()) != 0 {
		t.Errorf("err %v, requests %d, sleeps %d", err, len(rec.got()), len(sl.Slept()))
	}
}

func TestTokenOnlyToAuthOrigin(t *testing.T) {
	storage := newRecorder(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("artifact")) })
	var api *recorder
	api = newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/file":
			http.Redirect(w, r, storage.srv.URL+"/bucket/obj?X-Goog-Signature=abc", http.StatusTemporaryRedirect)
		case "/same":
			http.Redirect(w, r, "/final", http.StatusFound)
		default:
			w.Write([]byte("ok"))
		}
	})
	c, _ := testClient(t, Options{Token: &fakeTokens{tokens: []string{"tok"}}, AuthOrigin: api.srv.URL + "/"})

	get := func(url string, hdr map[string]string) string {
		t.Helper()
		req, _ := http.NewRequest("GET", url, nil)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}

	// A redirect to another origin (same host, other port) drops the token.
	if body := get(api.srv.URL+"/file", nil); body != "artifact" {
		t.Errorf("body %q", body)
	}
	if diff := cmp.Diff([]string{"Bearer tok"}, api.got()); diff != "" {
		t.Errorf("api saw (-want +got)\n%s", diff)
	}
	if diff := cmp.Diff([]string{""}, storage.got()); diff != "" {
		t.Errorf("storage saw (-want +got)\n%s", diff)
	}
	// A header the caller set is stripped too when the redirect leaves the origin.
	get(api.srv.URL+"/file", map[string]string{"Authorization": "Bearer caller"})
	if got := storage.got()[1]; got != "" {
		t.Errorf("storage saw the caller's Authorization %q", got)
	}
	// A redirect within the origin keeps the token.
	get(api.srv.URL+"/same", nil)
	if got := api.got()[2:]; !cmp.Equal(got, []string{"Bearer tok", "Bearer tok"}) {
		t.Errorf("same-origin redirect: %q", got)
	}
	// A direct request to another origin never gets the token.
	get(storage.srv.URL+"/direct", nil)
	if got := storage.got()[2]; got != "" {
		t.Errorf("direct request to another origin carried %q", got)
	}
}

func TestOrigin(t *testing.T) {
	tests := map[string]string{
		"https://Platform.Aignostics.com":      "https://platform.aignostics.com:443",
		"https://platform.aignostics.com:443/": "https://platform.aignostics.com:443",
		"http://127.0.0.1:8780/api/v1":         "http://127.0.0.1:8780",
		"http://[::1]:80":                      "http://[::1]:80",
		"HTTP://localhost":                     "http://localhost:80",
		"/relative":                            "",
		"%zz":                                  "",
	}
	for in, want := range tests {
		if got := originOf(in); got != want {
			t.Errorf("originOf(%q) = %q, want %q", in, got, want)
		}
	}
	if _, err := New(Options{AuthOrigin: "not a url"}); err == nil {
		t.Error("New accepted a bad AuthOrigin")
	}
}

func TestUserAgent(t *testing.T) {
	if got := DefaultUserAgent("(devel)"); !strings.HasPrefix(got, "aignostics-go/dev (") {
		t.Errorf("DefaultUserAgent((devel)) = %q", got)
	}
	if got := DefaultUserAgent("v1.2.3"); !strings.HasPrefix(got, "aignostics-go/v1.2.3 (") || !strings.HasSuffix(got, ")") || !strings.Contains(got, "; ") {
		t.Errorf("DefaultUserAgent = %q", got)
	}
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = append(seen, r.UserAgent()) }))
	defer srv.Close()
	c, _ := testClient(t, Options{UserAgent: "custom/1"})
	c.JSON(context.Background(), "GET", srv.URL, nil, nil)
	req, _ := http.NewRequest("GET", srv.URL, nil)
	req.Header.Set("User-Agent", "caller/2")
	resp, err := c.Do(req)
	if err == nil {
		resp.Body.Close()
	}
	d, _ := testClient(t, Options{})
	d.JSON(context.Background(), "GET", srv.URL, nil, nil)
	if diff := cmp.Diff([]string{"custom/1", "caller/2", DefaultUserAgent(buildVersion())}, seen); diff != "" {
		t.Errorf("user agents (-want +got)\n%s", diff)
	}
}

func TestHTTPClientRefreshesOn401(t *testing.T) {
	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer new" {
			w.WriteHeader(401)
		}
	})
	ts := &fakeTokens{tokens: []string{"old", "new"}}
	c, _ := testClient(t, Options{Token: ts, AuthOrigin: rec.srv.URL})
	resp, err := c.HTTP().Get(rec.srv.URL + "/x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !cmp.Equal(rec.got(), []string{"Bearer old", "Bearer new"}) {
		t.Errorf("status %d, headers %q", resp.StatusCode, rec.got())
	}
}

// TestNoRefererOnRedirect: net/http puts the URL redirected from into a
// Referer header of the next request, query and all; a share token (or a
// signature) in that query would reach the other origin. No redirect
// carries a Referer.
func TestNoRefererOnRedirect(t *testing.T) {
	var mu sync.Mutex
	var referers []string
	storage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		referers = append(referers, r.Header.Get("Referer"))
		mu.Unlock()
		w.Write([]byte("artifact"))
	}))
	t.Cleanup(storage.Close)
	api := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, storage.URL+"/bucket/obj?X-Goog-Signature=abc", http.StatusTemporaryRedirect)
	})
	c, _ := testClient(t, Options{Token: &fakeTokens{tokens: []string{"tok"}}, AuthOrigin: api.srv.URL})
	req, _ := http.NewRequest("GET", api.srv.URL+"/runs/r/artifacts/a/file?share_token=Sh4reT0kenValue", nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	mu.Lock()
	defer mu.Unlock()
	if len(referers) != 1 || referers[0] != "" {
		t.Errorf("the redirect target got Referer %q", referers)
	}
}
