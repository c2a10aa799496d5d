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
)

// foreign records every request it gets: it stands for an origin that
// must never see a credential.
type foreign struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string // method, Authorization, Cookie and body of each request
}

func newForeign(t *testing.T) *foreign {
	f := &foreign{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		f.mu.Lock()
		f.seen = append(f.seen, r.Method+" auth="+r.Header.Get("Authorization")+" cookie="+r.Header.Get("Cookie")+" body="+string(b))
		f.mu.Unlock()
		w.Write([]byte(`{}`))
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *foreign) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.seen...)
}

func TestRedirectsKeepCredentialsAtTheirOrigin(t *testing.T) {
	other := newForeign(t)
	for _, code := range []int{301, 302, 303, 307, 308} {
		for _, method := range []string{"GET", "POST", "PUT"} {
			var hits int
			api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits++
				http.Redirect(w, r, other.URL+"/elsewhere", code)
			}))
			c, _ := testClient(t, Options{AuthOrigin: api.URL, Token: StaticToken("secret-access-token"), MaxRetries: 3})
			var body io.Reader
			if method != "GET" {
				body = strings.NewReader("refresh_token=secret-refresh-token")
			}
			req, _ := http.NewRequestWithContext(context.Background(), method, api.URL+"/api/v1/x", body)
			req.Header.Set("Cookie", "session=secret-cookie")
			resp, err := c.Do(req)
			if resp != nil {
				resp.Body.Close()
			}
			bodyRedirect := method != "GET" && (code == 307 || code == 308)
			if bodyRedirect && (!errors.Is(err, ErrCrossOriginRedirect) || hits != 1) {
				t.Errorf("%s %d: err %v after %d requests, want ErrCrossOriginRedirect after 1 (no retry)", method, code, err, hits)
			}
			if !bodyRedirect && err != nil {
				t.Errorf("%s %d: %v", method, code, err)
			}
			api.Close()
		}
	}
	for _, r := range other.requests() {
		if strings.Contains(r, "secret") {
			t.Errorf("the other origin got a credential: %s", r)
		}
	}
	if len(other.requests()) == 0 {
		t.Error("no redirect was followed at all")
	}
}

func TestRedirectSameOriginKeepsBody(t *testing.T) {
	var got []string
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = append(got, r.URL.Path+" "+string(b)+" "+r.Header.Get("Authorization"))
		if r.URL.Path == "/a" {
			http.Redirect(w, r, srv.URL+"/b", http.StatusTemporaryRedirect)
		}
	}))
	defer srv.Close()
	c, _ := testClient(t, Options{AuthOrigin: srv.URL, Token: StaticToken("tok")})
	req, _ := http.NewRequestWithContext(context.Background(), "POST", srv.URL+"/a", strings.NewReader("x=1"))
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if want := []string{"/a x=1 Bearer tok", "/b x=1 Bearer tok"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("requests %q, want %q", got, want)
	}
}
