package emulator

import (
	"bufio"
	"bytes"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a log sink safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestServes200ConcurrentConnections(t *testing.T) {
	e := startTest(t, Options{})
	const n = 200
	conns := make([]net.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	// All connections are open at once before any request is sent.
	for range n {
		c, err := net.Dial("tcp", strings.TrimPrefix(e.URL(), "http://"))
		if err != nil {
			t.Fatalf("dial %d: %v", len(conns), err)
		}
		conns = append(conns, c)
	}
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for _, c := range conns {
		wg.Go(func() {
			c.SetDeadline(time.Now().Add(30 * time.Second))
			if _, err := c.Write([]byte("GET /health HTTP/1.1\r\nHost: emulator\r\n\r\n")); err != nil {
				errs <- err.Error()
				return
			}
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				errs <- err.Error()
				return
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				errs <- resp.Status
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := e.Count("request"); got != n {
		t.Errorf("request count %d, want %d", got, n)
	}
}

func TestRequestLogHasNoSecrets(t *testing.T) {
	var logb syncBuffer
	e := startTest(t, Options{Log: &logb})
	access, refresh, _ := e.IssueToken("")
	get(t, e.URL()+"/api/v1/applications", "Authorization", "Bearer "+access)
	postForm(t, e.URL()+"/oauth/token", url.Values{"grant_type": {"refresh_token"}, "client_id": {ClientIDInteractive}, "refresh_token": {refresh}})
	_, challenge := pkcePair()
	_, loc, _ := authorize(t, e, authorizeParams(challenge))
	putObject(e, ResultsBucket, "x.bin", []byte("abc"))
	signed := e.signURL(ResultsBucket, "x.bin", time.Minute)
	get(t, signed)
	out := logb.String()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d log lines, want 4:\n%s", len(lines), out)
	}
	for _, want := range []string{" api GET /api/v1/applications 200 ", " api POST /oauth/token 200 ", " api GET /authorize 302 ", " storage GET /aignostics-results/x.bin 200 "} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	sig, _ := url.Parse(signed)
	for _, secret := range []string{access, strings.Split(access, ".")[1], refresh, loc.Query().Get("code"), sig.Query().Get("X-Goog-Signature"), challenge} {
		if strings.Contains(out, secret) {
			t.Errorf("the log holds a secret")
		}
	}
}

func TestCloseIsIdempotentAndStopsServing(t *testing.T) {
	e := startOn(t, Options{})
	u := e.URL()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if resp, err := rawClient().Get(u + "/health"); err == nil {
		resp.Body.Close()
		t.Errorf("served after Close: %d", resp.StatusCode)
	}
	if _, _, err := e.IssueToken(""); err != nil {
		t.Logf("IssueToken after Close: %v", err)
	}
}

func TestPublicURLsAreUsed(t *testing.T) {
	e := startTest(t, Options{PublicURL: "http://localhost:9/", StoragePublicURL: "http://127.0.0.1:10"})
	if e.URL() != "http://localhost:9" || e.StorageURL() != "http://127.0.0.1:10" {
		t.Fatalf("URL %s storage %s", e.URL(), e.StorageURL())
	}
	if u := e.signURL(ResultsBucket, "o", time.Minute); !strings.HasPrefix(u, "http://127.0.0.1:10/"+ResultsBucket+"/o?") {
		t.Errorf("signed URL origin %s", strings.Split(u, "?")[0])
	}
	if _, _, err := e.IssueToken(""); err != nil {
		t.Fatal(err)
	}
}

func TestIssueTokenBeforeServe(t *testing.T) {
	e, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.IssueToken(""); err == nil {
		t.Errorf("IssueToken before Serve succeeded")
	}
	if err := e.Close(); err != nil {
		t.Errorf("Close of an unserved emulator: %v", err)
	}
}

func TestCreateRunsSeedsTheAPI(t *testing.T) {
	e := startTest(t, Options{})
	if err := e.CreateRuns(7, "test-app", ""); err != nil {
		t.Fatal(err)
	}
	if err := e.CreateRuns(1, "no-such-app", ""); err == nil {
		t.Errorf("unknown application accepted")
	}
	access, _, _ := e.IssueToken("")
	status, _, body := get(t, e.URL()+"/api/v1/runs?page_size=100", "Authorization", "Bearer "+access)
	if status != 200 || strings.Count(string(body), `"run_id"`) != 7 {
		t.Errorf("runs list: %d, %d runs", status, strings.Count(string(body), `"run_id"`))
	}
	unserved, _ := New(Options{})
	if err := unserved.CreateRuns(1, "test-app", ""); err == nil {
		t.Errorf("CreateRuns before Serve succeeded")
	}
}

func TestLocalhostPublicURLAcceptsLoopbackAliases(t *testing.T) {
	api, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	st, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(api.Addr().String())
	e, err := New(Options{PublicURL: "http://localhost:" + port})
	if err != nil {
		t.Fatal(err)
	}
	e.Serve(api, st)
	t.Cleanup(func() { e.Close() })
	access, _, err := e.IssueToken("")
	if err != nil {
		t.Fatal(err)
	}
	// iss and aud name localhost; the API reached as 127.0.0.1 still accepts them.
	if status, _, body := get(t, "http://127.0.0.1:"+port+"/api/v1/applications", "Authorization", "Bearer "+access); status != 200 {
		t.Errorf("API via 127.0.0.1: %d %s", status, body)
	}
	// /authorize accepts the audience spelled with 127.0.0.1.
	_, challenge := pkcePair()
	v := authorizeParams(challenge)
	v.Set("audience", "http://127.0.0.1:"+port+"/api")
	if status, loc, _ := authorize(t, e, v); status != 302 || loc.Query().Get("code") == "" {
		t.Errorf("authorize with a 127.0.0.1 audience: %d %v", status, loc)
	}
}

func TestStartReportsBusyAddress(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if _, err := Start(Options{}, l.Addr().String(), "127.0.0.1:0"); err == nil || !strings.Contains(err.Error(), l.Addr().String()) {
		t.Errorf("Start on a busy API address: %v", err)
	}
	if _, err := Start(Options{}, "127.0.0.1:0", l.Addr().String()); err == nil || !strings.Contains(err.Error(), l.Addr().String()) {
		t.Errorf("Start on a busy storage address: %v", err)
	}
}
