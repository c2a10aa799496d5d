package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aignostics/aignostics/internal/clock"
)

func TestParseFaults(t *testing.T) {
	fs, err := ParseFaults(" api:503@0.1, storage:reset@0.05,storage:corrupt@0.02,delay=200ms@0.1,429,auth:truncate@1,500@0")
	if err != nil {
		t.Fatal(err)
	}
	want := []Fault{
		{Scope: "api", Kind: "503", Rate: 0.1}, {Scope: "storage", Kind: "reset", Rate: 0.05},
		{Scope: "storage", Kind: "corrupt", Rate: 0.02}, {Kind: "delay", Delay: 200 * time.Millisecond, Rate: 0.1},
		{Kind: "429", Rate: 1}, {Scope: "auth", Kind: "truncate", Rate: 1}, {Kind: "500", Rate: 0},
	}
	if len(fs) != len(want) {
		t.Fatalf("got %v", fs)
	}
	for i := range want {
		if fs[i] != want[i] {
			t.Errorf("fault %d = %+v, want %+v", i, fs[i], want[i])
		}
	}
	if fs[3].String() != "delay=200ms@0.1" || fs[4].String() != "429" || fs[1].String() != "storage:reset@0.05" {
		t.Errorf("String: %s %s %s", fs[3], fs[4], fs[1])
	}
	if fs, err := ParseFaults("  "); err != nil || fs != nil {
		t.Errorf("empty spec: %v %v", fs, err)
	}
	for spec, msg := range map[string]string{
		"teapot":          `unknown kind "teapot"`,
		"db:500":          `unknown scope "db"`,
		"500@2":           `rate "2"`,
		"500@-0.1":        `rate "-0.1"`,
		"500@NaN":         `rate "NaN"`,
		"500@":            `rate ""`,
		"delay=fast":      `delay "fast"`,
		"delay=-1s":       `delay "-1s"`,
		"500,,503":        "fault 2",
		"api:":            `unknown kind ""`,
		"storage:404@0.5": `unknown kind "404"`,
	} {
		_, err := ParseFaults(spec)
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("ParseFaults(%q) = %v, want an error with %s", spec, err, msg)
		}
	}
}

func FuzzParseFaults(f *testing.F) {
	for _, s := range []string{"api:503@0.1,storage:reset@0.05", "delay=200ms@0.1", "auth:429", "x:y@z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		fs, err := ParseFaults(spec)
		if err != nil {
			return
		}
		var parts []string
		for _, x := range fs {
			if x.Rate < 0 || x.Rate > 1 {
				t.Fatalf("rate %v accepted", x.Rate)
			}
			parts = append(parts, x.String())
		}
		again, err := ParseFaults(strings.Join(parts, ","))
		if err != nil || len(again) != len(fs) {
			t.Fatalf("String() does not parse back: %v", err)
		}
		for i := range fs {
			if again[i] != fs[i] {
				t.Fatalf("round trip %+v -> %+v", fs[i], again[i])
			}
		}
	})
}

// rawClient opens a new connection per request and never retries.
func rawClient() *http.Client {
	return &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func TestFaultStatuses(t *testing.T) {
	e := startTest(t, Options{})
	putObject(e, ResultsBucket, "f.bin", testContent(10))
	signed := e.signURL(ResultsBucket, "f.bin", time.Hour)
	for _, tc := range []struct {
		spec, url string
		status    int
		check     func(h http.Header, body []byte) bool
	}{
		{"api:500", e.URL() + "/health", 500, isJSONWith("detail")},
		{"api:502", e.URL() + "/health", 502, isJSONWith("detail")},
		{"503", e.URL() + "/health", 503, isJSONWith("detail")},
		{"api:429", e.URL() + "/health", 429, func(h http.Header, b []byte) bool { return h.Get("Retry-After") == "1" }},
		{"auth:503", e.URL() + "/.well-known/jwks.json", 503, isJSONWith("error")},
		{"auth:503", e.URL() + "/health", 200, nil}, // other scope untouched
		{"storage:503", signed, 503, func(h http.Header, b []byte) bool {
			return bytes.Contains(b, []byte("<Code>ServiceUnavailable</Code>"))
		}},
		{"storage:429", signed, 429, func(h http.Header, b []byte) bool { return h.Get("Retry-After") == "1" }},
		{"storage:500", e.URL() + "/health", 200, nil},
		{"api:500@0", e.URL() + "/health", 200, nil},
	} {
		if err := e.SetFaults(tc.spec); err != nil {
			t.Fatal(err)
		}
		resp, err := rawClient().Get(tc.url)
		if err != nil {
			t.Fatalf("%s: %v", tc.spec, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || (tc.check != nil && !tc.check(resp.Header, body)) {
			t.Errorf("%s on %s: %d %v %s", tc.spec, tc.url[:30], resp.StatusCode, resp.Header, body)
		}
	}
	if e.Count("fault:503") != 3 || e.Count("fault:429") != 2 {
		t.Errorf("fault counters 503=%d 429=%d", e.Count("fault:503"), e.Count("fault:429"))
	}
}

func isJSONWith(key string) func(http.Header, []byte) bool {
	return func(_ http.Header, b []byte) bool {
		var m map[string]any
		return json.Unmarshal(b, &m) == nil && m[key] != nil
	}
}

func TestFaultResetClosesBeforeAnswering(t *testing.T) {
	e := startTest(t, Options{Faults: "reset"})
	putObject(e, ResultsBucket, "f.bin", testContent(10))
	for _, u := range []string{e.URL() + "/health", e.signURL(ResultsBucket, "f.bin", time.Hour)} {
		resp, err := rawClient().Get(u)
		if err == nil {
			resp.Body.Close()
			t.Errorf("reset: got %d, want a connection error", resp.StatusCode)
		}
	}
	if e.Count("fault:reset") != 2 {
		t.Errorf("resets %d", e.Count("fault:reset"))
	}
}

func TestFaultTruncateClosesMidBody(t *testing.T) {
	e := startTest(t, Options{Faults: "truncate"})
	putObject(e, ResultsBucket, "f.bin", testContent(1000))
	for _, tc := range []struct {
		url    string
		length int64 // 0: the API's JSON
	}{{e.signURL(ResultsBucket, "f.bin", time.Hour), 1000}, {e.URL() + "/.well-known/jwks.json", 0}} {
		resp, err := rawClient().Get(tc.url)
		if err != nil {
			t.Fatalf("truncate: %v", err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("read: %v, want unexpected EOF", err)
		}
		if resp.StatusCode != 200 || resp.ContentLength <= 0 || int64(len(body)) != resp.ContentLength/2 {
			t.Errorf("status %d, %d of %d bytes", resp.StatusCode, len(body), resp.ContentLength)
		}
		if tc.length != 0 && resp.ContentLength != tc.length {
			t.Errorf("Content-Length %d, want %d", resp.ContentLength, tc.length)
		}
	}
}

func TestFaultCorruptKeepsLengthAndHeaders(t *testing.T) {
	e := startTest(t, Options{Faults: "corrupt"})
	content := testContent(1000)
	putObject(e, ResultsBucket, "f.bin", content)
	signed := e.signURL(ResultsBucket, "f.bin", time.Hour)
	_ = e.SetFaults("")
	_, clean, _ := get(t, signed)
	_ = e.SetFaults("storage:corrupt")
	resp, err := rawClient().Get(signed)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || len(body) != len(content) || bytes.Equal(body, content) {
		t.Fatalf("corrupt body: err %v, %d bytes, changed=%v", err, len(body), !bytes.Equal(body, content))
	}
	diff := 0
	for i := range body {
		if body[i] != content[i] {
			diff++
		}
	}
	if diff != 1 || resp.Header.Get("X-Goog-Hash") != clean.Get("X-Goog-Hash") || resp.Header.Get("Etag") != clean.Get("Etag") {
		t.Errorf("%d bytes differ; hash %s vs %s", diff, resp.Header.Get("X-Goog-Hash"), clean.Get("X-Goog-Hash"))
	}
	// A range response is corrupted within the range.
	status, _, part := get(t, signed, "Range", "bytes=100-199")
	if status != 206 || len(part) != 100 || bytes.Equal(part, content[100:200]) {
		t.Errorf("range: %d, %d bytes, changed=%v", status, len(part), !bytes.Equal(part, content[100:200]))
	}
	_ = e.SetFaults("api:corrupt")
	_, _, good := func() (int, http.Header, []byte) {
		_ = e.SetFaults("")
		return get(t, e.URL()+"/.well-known/jwks.json")
	}()
	_ = e.SetFaults("api:corrupt")
	_, _, bad := get(t, e.URL()+"/health")
	var m map[string]any
	if len(good) == 0 || json.Unmarshal(bad, &m) == nil && m["status"] == "UP" {
		t.Errorf("corrupted health still reads UP: %s", bad)
	}
}

func TestFaultDelayUsesTheSleeper(t *testing.T) {
	clk := clock.NewAutoFake(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	e := startTest(t, Options{Clock: clk.Clock()})
	if err := e.SetFaults("api:delay=250ms,api:delay=1s@1,storage:delay=5s"); err != nil {
		t.Fatal(err)
	}
	if status, _, _ := get(t, e.URL()+"/health"); status != 200 {
		t.Fatalf("delayed health: %d", status)
	}
	if slept := clk.Slept(); len(slept) != 1 || slept[0] != 1250*time.Millisecond {
		t.Errorf("slept %v, want [1.25s]", slept)
	}
}

// statuses requests path n times and returns the answers as a string of 'o' (200) and 'x' (503).
func statuses(t *testing.T, e *Emulator, path string, n int, interleave bool) string {
	t.Helper()
	var b strings.Builder
	for range n {
		if interleave { // other paths do not shift the sequence of this one
			get(t, e.URL()+"/other")
		}
		status, _, _ := get(t, e.URL()+path)
		b.WriteByte(map[int]byte{200: 'o', 503: 'x'}[status])
	}
	return b.String()
}

func TestFaultsAreDeterministicPerSeed(t *testing.T) {
	a := startTest(t, Options{Faults: "api:503@0.5", Seed: 7})
	b := startTest(t, Options{Faults: "api:503@0.5", Seed: 7})
	c := startTest(t, Options{Faults: "api:503@0.5", Seed: 8})
	sa, sb, sc := statuses(t, a, "/health", 40, false), statuses(t, b, "/health", 40, true), statuses(t, c, "/health", 40, false)
	if sa != sb {
		t.Errorf("same seed differs:\n%s\n%s", sa, sb)
	}
	if sa == sc {
		t.Errorf("different seeds agree: %s", sa)
	}
	if !strings.Contains(sa, "o") || !strings.Contains(sa, "x") || strings.Count(sa, "x") < 10 || strings.Count(sa, "x") > 30 {
		t.Errorf("rate 0.5 gave %s", sa)
	}
}

func TestFiresRate(t *testing.T) {
	hits := 0
	for n := range uint64(10000) {
		if fires(1, 0, "GET", "/x", n, 0.1) {
			hits++
		}
	}
	if hits < 900 || hits > 1100 {
		t.Errorf("rate 0.1 fired %d of 10000", hits)
	}
}
