package emulator

import (
	"crypto/rsa"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aignostics/aignostics/emulator/internal/testkeys"
)

// TestCloseEndsUnusedConnectionsAndLetsRequestsFinish: a connection that
// never carried a request is closed by Close at once, and a request in
// flight still gets its whole answer.
func TestCloseEndsUnusedConnectionsAndLetsRequestsFinish(t *testing.T) {
	clk := newFakeClock()
	e := startTest(t, Options{Clock: clk.Clock()})
	if err := e.SetFaults("api:delay=1s"); err != nil {
		t.Fatal(err)
	}
	unused, err := net.Dial("tcp", strings.TrimPrefix(e.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer unused.Close()
	got := make(chan error, 1)
	go func() {
		resp, err := http.Get(e.URL() + "/health")
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
			if err == nil && resp.StatusCode != http.StatusOK {
				err = &statusError{resp.StatusCode}
			}
		}
		got <- err
	}()
	clk.BlockUntil(1) // the request waits in its injected delay
	closed := make(chan error, 1)
	go func() { closed <- e.Close() }()
	// The unused connection is closed while the request is still in flight.
	if err := unused.SetReadDeadline(time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	var ne net.Error
	if _, err := unused.Read(make([]byte, 1)); err == nil || errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("read on the unused connection during Close: %v; want it closed", err)
	}
	clk.Advance(time.Second)
	if err := <-got; err != nil {
		t.Errorf("the request in flight during Close: %v", err)
	}
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
}

type statusError struct{ code int }

func (e *statusError) Error() string { return http.StatusText(e.code) }

// BenchmarkStartClose starts an emulator, makes one request and leaves a
// connection unused, and closes it: with fresh 2048-bit keys (production)
// and with the keys a test process shares.
func BenchmarkStartClose(b *testing.B) {
	for _, bc := range []struct {
		name string
		keys func() func() (*rsa.PrivateKey, error)
	}{
		{"fresh keys", func() func() (*rsa.PrivateKey, error) { return nil }},
		{"shared keys", testkeys.Generator},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				e, err := Start(Options{GenerateKey: bc.keys()}, "127.0.0.1:0", "127.0.0.1:0")
				if err != nil {
					b.Fatal(err)
				}
				resp, err := http.Get(e.URL() + "/health")
				if err != nil {
					b.Fatal(err)
				}
				resp.Body.Close()
				c, err := net.Dial("tcp", e.URL()[len("http://"):])
				if err != nil {
					b.Fatal(err)
				}
				if err := e.Close(); err != nil {
					b.Fatal(err)
				}
				c.Close()
			}
		})
	}
}
