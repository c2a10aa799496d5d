package httpx

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestDoRetries(t *testing.T) {
	tests := []struct {
		name     string
		method   string
		steps    []int
		attempts int
		wantErr  error // nil: success
		maybe    bool  // error matches ErrMaybeSent
	}{
		{"GET 503 then 200", "GET", []int{503, 503, 200}, 3, nil, false},
		{"GET 500 exhausts", "GET", []int{500}, 5, ErrServer, false},
		{"GET 502 504 200", "GET", []int{502, 504, 200}, 3, nil, false},
		{"GET 429 then 200", "GET", []int{429, 200}, 2, nil, false},
		{"GET reset then 200", "GET", []int{reset, 200}, 2, nil, false},
		{"GET reset exhausts", "GET", []int{reset}, 5, nil, false},
		{"HEAD 502 then 200", "HEAD", []int{502, 200}, 2, nil, false},
		{"GET 400", "GET", []int{400, 200}, 1, ErrInvalid, false},
		{"GET 401 without token", "GET", []int{401, 200}, 1, ErrUnauthorized, false},
		{"GET 403", "GET", []int{403, 200}, 1, ErrForbidden, false},
		{"GET 404", "GET", []int{404, 200}, 1, ErrNotFound, false},
		{"GET 409", "GET", []int{409, 200}, 1, ErrConflict, false},
		{"GET 410", "GET", []int{410, 200}, 1, ErrGone, false},
		{"GET 412", "GET", []int{412, 200}, 1, ErrConflict, false},
		{"GET 422", "GET", []int{422, 200}, 1, ErrInvalid, false},
		{"PUT 503 then 200", "PUT", []int{503, 200}, 2, nil, false},
		{"PUT 429 then 200", "PUT", []int{429, 200}, 2, nil, false},
		{"PUT reset is maybe sent", "PUT", []int{reset, 200}, 1, nil, true},
		{"PUT 400", "PUT", []int{400, 200}, 1, ErrInvalid, false},
		{"DELETE 500 then 204", "DELETE", []int{500, 204}, 2, nil, false},
		{"DELETE reset is maybe sent", "DELETE", []int{reset, 204}, 1, nil, true},
		{"POST 503 not retried", "POST", []int{503, 201}, 1, ErrServer, false},
		{"POST 429 not retried", "POST", []int{429, 201}, 1, ErrRateLimited, false},
		{"POST reset is maybe sent", "POST", []int{reset, 201}, 1, nil, true},
		{"POST 422", "POST", []int{422, 201}, 1, ErrInvalid, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newScript(t, tt.steps...)
			c, sl := testClient(t, Options{RetryBase: time.Second})
			var body io.Reader
			if tt.method == "PUT" || tt.method == "POST" {
				body = strings.NewReader(`{"a":1}`)
			}
			req, _ := http.NewRequest(tt.method, s.srv.URL+"/x", body)
			resp, err := c.Do(req)
			if resp != nil {
				resp.Body.Close()
			}
			if got := int(s.hits.Load()); got != tt.attempts {
				t.Errorf("attempts = %d, want %d", got, tt.attempts)
			}
			if got := len(sl.Slept()); got != tt.attempts-1 {
				t.Errorf("sleeps = %d, want %d", got, tt.attempts-1)
			}
			last := tt.steps[min(tt.attempts, len(tt.steps))-1]
			switch {
			case tt.maybe:
				if !errors.Is(err, ErrMaybeSent) {
					t.Errorf("err = %v, want ErrMaybeSent", err)
				}
			case tt.wantErr != nil:
				var ae *APIError
				if !errors.Is(err, tt.wantErr) || !errors.As(err, &ae) || ae.StatusCode != last || ae.Method != tt.method {
					t.Errorf("err = %v, want %v with status %d", err, tt.wantErr, last)
				} else if ae.Message != "step answer" {
					t.Errorf("message = %q", ae.Message)
				}
			case last == reset:
				var re *RequestError
				if !errors.As(err, &re) || errors.Is(err, ErrMaybeSent) {
					t.Errorf("err = %v, want a RequestError not maybe-sent", err)
				}
			default:
				if err != nil || resp.StatusCode != last {
					t.Errorf("err = %v, resp %v; want status %d", err, resp, last)
				}
			}
		})
	}
}

func TestRequestBodyResentIntact(t *testing.T) {
	s := newScript(t, 503, 500, 200)
	var bodies []string
	s.body = func(w http.ResponseWriter, r *http.Request, step int) {
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(b))
		w.WriteHeader(step)
	}
	c, _ := testClient(t, Options{})
	if err := c.JSON(context.Background(), "PUT", s.srv.URL+"/m", map[string]int{"k": 7}, nil); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{`{"k":7}`, `{"k":7}`, `{"k":7}`}, bodies); diff != "" {
		t.Errorf("bodies (-want +got)\n%s", diff)
	}
}

// closedAddr returns a loopback address nobody listens on.
func closedAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestDialErrorsRetriedForEveryMethod(t *testing.T) {
	for _, method := range []string{"GET", "POST", "PUT", "DELETE"} {
		t.Run(method, func(t *testing.T) {
			c, sl := testClient(t, Options{MaxRetries: 2})
			err := c.JSON(context.Background(), method, "http://"+closedAddr(t)+"/runs", map[string]int{}, nil)
			if err == nil || errors.Is(err, ErrMaybeSent) {
				t.Fatalf("err = %v, want a not-sent error", err)
			}
			if n := len(sl.Slept()); n != 2 {
				t.Errorf("retries = %d, want 2 (a request that never left is safe to repeat)", n)
			}
		})
	}
}

func TestMaxRetriesNone(t *testing.T) {
	s := newScript(t, 503, 200)
	c, _ := testClient(t, Options{MaxRetries: -1})
	err := c.JSON(context.Background(), "GET", s.srv.URL, nil, nil)
	if !errors.Is(err, ErrServer) || s.hits.Load() != 1 {
		t.Errorf("err %v after %d attempts, want one attempt", err, s.hits.Load())
	}
}

func TestBackoffSchedule(t *testing.T) {
	s := newScript(t, 500)
	c, sl := testClient(t, Options{RetryBase: 3 * time.Second, MaxRetries: 6})
	c.JSON(context.Background(), "GET", s.srv.URL, nil, nil)
	want := []time.Duration{3 * time.Second, 6 * time.Second, 12 * time.Second, 24 * time.Second, 30 * time.Second, 30 * time.Second}
	if diff := cmp.Diff(want, sl.Slept()); diff != "" {
		t.Errorf("waits (-want +got)\n%s", diff)
	}

	c2, sl2 := testClient(t, Options{RetryBase: 4 * time.Second, MaxRetries: 3, Rand: func() float64 { return 0 }})
	c2.JSON(context.Background(), "GET", s.srv.URL, nil, nil)
	if diff := cmp.Diff([]time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second}, sl2.Slept()); diff != "" {
		t.Errorf("waits with zero jitter (-want +got)\n%s", diff)
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	tests := []struct {
		name, header string
		status       int
		want         time.Duration
	}{
		{"seconds on 429", "7", 429, 7 * time.Second},
		{"seconds on 503", "2", 503, 2 * time.Second},
		{"capped", "120", 429, 30 * time.Second},
		{"garbage falls back to backoff", "soon", 429, time.Second},
		{"ignored on 500", "9", 500, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newScript(t, tt.status, 200)
			s.body = func(w http.ResponseWriter, r *http.Request, step int) {
				w.Header().Set("Retry-After", tt.header)
				w.WriteHeader(step)
			}
			c, sl := testClient(t, Options{RetryBase: time.Second})
			if err := c.JSON(context.Background(), "GET", s.srv.URL, nil, nil); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]time.Duration{tt.want}, sl.Slept()); diff != "" {
				t.Errorf("waits (-want +got)\n%s", diff)
			}
		})
	}
}

func TestJSONRetriesBadBodiesOnGET(t *testing.T) {
	tests := []struct {
		name  string
		bad   func(w http.ResponseWriter)
		wantN int32
	}{
		{"truncated", func(w http.ResponseWriter) {
			w.Header().Set("Content-Length", "100")
			w.WriteHeader(200)
			w.Write([]byte(`{"id": "ab`))
			http.NewResponseController(w).Flush()
			hijackClose(w)
		}, 2},
		{"undecodable", func(w http.ResponseWriter) { w.Write([]byte(`<html>oops</html>`)) }, 2},
		{"empty 200", func(w http.ResponseWriter) {}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newScript(t, 0, 200)
			s.body = func(w http.ResponseWriter, r *http.Request, step int) {
				if step == 0 {
					tt.bad(w)
					return
				}
				w.Write([]byte(`{"id": "abc"}`))
			}
			c, _ := testClient(t, Options{})
			var out struct{ ID string }
			if err := c.JSON(context.Background(), "GET", s.srv.URL, nil, &out); err != nil || out.ID != "abc" {
				t.Fatalf("err %v out %+v", err, out)
			}
			if s.hits.Load() != tt.wantN {
				t.Errorf("attempts %d, want %d", s.hits.Load(), tt.wantN)
			}
		})
	}
}

func TestJSONPostNeverResentAfterReachingServer(t *testing.T) {
	t.Run("truncated answer", func(t *testing.T) {
		s := newScript(t, 0, 201)
		s.body = func(w http.ResponseWriter, r *http.Request, step int) {
			w.Header().Set("Content-Length", "100")
			w.WriteHeader(201)
			w.Write([]byte(`{"run_id": "`))
			http.NewResponseController(w).Flush()
			hijackClose(w)
		}
		c, _ := testClient(t, Options{})
		var out map[string]any
		err := c.JSON(context.Background(), "POST", s.srv.URL+"/runs", map[string]string{"a": "b"}, &out)
		if !errors.Is(err, ErrMaybeSent) || s.hits.Load() != 1 {
			t.Errorf("err %v after %d attempts; want ErrMaybeSent after 1", err, s.hits.Load())
		}
	})
	t.Run("undecodable answer", func(t *testing.T) {
		s := newScript(t, 0, 201)
		s.body = func(w http.ResponseWriter, r *http.Request, step int) {
			w.WriteHeader(201)
			w.Write([]byte("not json"))
		}
		c, _ := testClient(t, Options{})
		var out map[string]any
		err := c.JSON(context.Background(), "POST", s.srv.URL+"/runs", map[string]string{"a": "b"}, &out)
		if err == nil || errors.Is(err, ErrMaybeSent) || s.hits.Load() != 1 {
			t.Errorf("err %v after %d attempts; want a decode error after 1", err, s.hits.Load())
		}
	})
	t.Run("no answer", func(t *testing.T) {
		s := newScript(t, reset, 201)
		c, _ := testClient(t, Options{})
		err := c.JSON(context.Background(), "POST", s.srv.URL+"/runs", map[string]string{"a": "b"}, nil)
		var re *RequestError
		if !errors.Is(err, ErrMaybeSent) || !errors.As(err, &re) || s.hits.Load() != 1 {
			t.Errorf("err %v after %d attempts", err, s.hits.Load())
		}
	})
}

func TestJSONLeavesOutUntouchedOnFailure(t *testing.T) {
	s := newScript(t, 0)
	s.body = func(w http.ResponseWriter, r *http.Request, step int) { w.Write([]byte(`{"ID": 5}`)) }
	c, sl := testClient(t, Options{})
	out := struct{ ID string }{ID: "keep"}
	if err := c.JSON(context.Background(), "GET", s.srv.URL, nil, &out); err == nil || out.ID != "keep" {
		t.Errorf("err %v out %+v", err, out)
	}
	if len(sl.Slept()) != 0 {
		t.Errorf("JSON of the wrong shape was retried %d times", len(sl.Slept()))
	}
}

func TestContextCancelStopsBackoffAtOnce(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s := newScript(t, 503)
	s.body = func(w http.ResponseWriter, r *http.Request, step int) {
		w.WriteHeader(step)
		cancel()
	}
	// The real sleep with an hour-long base: the test only ends if
	// cancellation interrupts the wait.
	c, err := New(Options{RetryBase: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	err = c.JSON(ctx, "GET", s.srv.URL, nil, nil)
	if !errors.Is(err, context.Canceled) || s.hits.Load() != 1 {
		t.Errorf("err %v after %d attempts", err, s.hits.Load())
	}
}

func TestContextCancelledBeforeAnswer(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	block := make(chan struct{})
	s := newScript(t, 200)
	s.body = func(w http.ResponseWriter, r *http.Request, step int) {
		cancel()
		<-block
	}
	defer close(block)
	c, sl := testClient(t, Options{})
	err := c.JSON(ctx, "GET", s.srv.URL, nil, nil)
	if !errors.Is(err, context.Canceled) || len(sl.Slept()) != 0 {
		t.Errorf("err %v, sleeps %v", err, sl.Slept())
	}
}

func TestNotRetriedNetworkErrors(t *testing.T) {
	for _, u := range []string{"ftp://127.0.0.1/x", "http://[::1]:99999/x"} {
		c, sl := testClient(t, Options{})
		if err := c.JSON(context.Background(), "GET", u, nil, nil); err == nil || len(sl.Slept()) != 0 {
			t.Errorf("%s: err %v after %d retries; want an error without retries", u, err, len(sl.Slept()))
		}
	}
}

func TestRetryableNetError(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{&net.DNSError{Err: "no such host", Name: "x", IsNotFound: true}, false},
		{&net.DNSError{Err: "timeout", Name: "x", IsTimeout: true}, true},
		{&net.OpError{Op: "dial", Err: errors.New("connection refused")}, true},
		{io.ErrUnexpectedEOF, true},
		{&IdleTimeoutError{After: time.Second}, true},
		{&ConfigError{Setting: "S", Path: "p", Err: errors.New("x")}, false},
		{errors.New(`unsupported protocol scheme "ftp"`), false},
		{errors.New("stopped after 10 redirects"), false},
	}
	for _, tt := range tests {
		if got := retryableNetError(tt.err); got != tt.want {
			t.Errorf("retryableNetError(%v) = %v", tt.err, got)
		}
	}
}

func TestResponseHeaderTimeoutRetried(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	s := newScript(t, 0, 200)
	s.body = func(w http.ResponseWriter, r *http.Request, step int) {
		if step == 0 {
			select { // never answers; the client's header timeout ends it
			case <-release:
			case <-r.Context().Done():
			}
			return
		}
		w.Write([]byte(`{}`))
	}
	c, sl := testClient(t, Options{Timeout: 50 * time.Millisecond})
	if err := c.JSON(context.Background(), "GET", s.srv.URL, nil, nil); err != nil {
		t.Fatal(err)
	}
	if s.hits.Load() != 2 || len(sl.Slept()) != 1 {
		t.Errorf("attempts %d sleeps %d", s.hits.Load(), len(sl.Slept()))
	}
}

// onceReader is a body that cannot be rewound (no GetBody).
type onceReader struct{ io.Reader }

func TestUnrewindableBodyNotRetried(t *testing.T) {
	s := newScript(t, 503, 200)
	c, sl := testClient(t, Options{})
	req, _ := http.NewRequest("PUT", s.srv.URL, onceReader{strings.NewReader("x")})
	_, err := c.Do(req)
	if !errors.Is(err, ErrServer) || s.hits.Load() != 1 || len(sl.Slept()) != 0 {
		t.Errorf("err %v attempts %d", err, s.hits.Load())
	}
}

func TestCancelledPOSTMayHaveBeenSent(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	block := make(chan struct{})
	defer close(block)
	s := newScript(t, 201)
	s.body = func(w http.ResponseWriter, r *http.Request, step int) {
		io.ReadAll(r.Body)
		cancel()
		<-block
	}
	c, _ := testClient(t, Options{})
	err := c.JSON(ctx, "POST", s.srv.URL+"/runs", map[string]int{"n": 1}, nil)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, ErrMaybeSent) {
		t.Errorf("err = %v, want context.Canceled and ErrMaybeSent", err)
	}
}

func TestNotifyTellsOfEachRetry(t *testing.T) {
	s := newScript(t, 503, 503, 200)
	var lines []string
	c, _ := testClient(t, Options{Notify: func(l string) { lines = append(lines, l) }})
	if err := c.JSON(context.Background(), "GET", s.srv.URL+"/x?access_token=SECRET", nil, nil); err != nil {
		t.Fatal(err)
	}
	if len(lines) != 2 {
		t.Fatalf("notified %d times, want 2: %q", len(lines), lines)
	}
	for i, l := range lines {
		if !strings.Contains(l, "503") || !strings.Contains(l, "retrying in") || !strings.Contains(l, "/4)") || strings.Contains(l, "SECRET") || strings.Contains(l, "\n") {
			t.Errorf("line %d: %q", i, l)
		}
	}
}
