package emulator

import (
	"context"
	"net"
	"net/http"
	"sync"
	"time"
)

// closeGrace is how long Close lets requests in flight finish.
const closeGrace = 2 * time.Second

// conns tracks a server's connections by state, so that Close ends the ones
// no request uses at once, as httptest's Close does. (Shutdown alone counts
// a connection that never carried a request as idle only after 5 s, and
// clients open such connections in passing.)
type conns struct {
	mu sync.Mutex
	m  map[net.Conn]http.ConnState
}

// track is the server's ConnState hook.
func (c *conns) track(conn net.Conn, st http.ConnState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch st {
	case http.StateHijacked, http.StateClosed:
		delete(c.m, conn)
	default:
		if c.m == nil {
			c.m = map[net.Conn]http.ConnState{}
		}
		c.m[conn] = st
	}
}

// closeUnused closes the connections that carry no request.
func (c *conns) closeUnused() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for conn, st := range c.m {
		if st == http.StateNew || st == http.StateIdle {
			conn.Close()
			delete(c.m, conn)
		}
	}
}

// shutdown stops s: no new connections, unused ones closed at once,
// requests in flight given up to closeGrace, then every connection closed.
func shutdown(s *http.Server, c *conns) {
	ctx, cancel := context.WithTimeout(context.Background(), closeGrace)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.Shutdown(ctx) }()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		c.closeUnused() // again until Shutdown closed the listener: a connection may just have come
		select {
		case err := <-done:
			if err != nil {
				_ = s.Close()
			}
			return
		case <-tick.C:
		}
	}
}
