package oauth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/url"
	"sync"
	"syscall"
	"time"

	"github.com/aignostics/aignostics/internal/retry"
)

const portRetries = 10

// callback is what arrived on the redirect URI: a code or an error.
type callback struct {
	code, state, errCode, errDesc string
	// done receives the outcome of the exchange so the browser page can say
	// it; nil for a pasted URL.
	done chan error
}

func callbackFrom(q url.Values) callback {
	return callback{code: q.Get("code"), state: q.Get("state"), errCode: q.Get("error"), errDesc: q.Get("error_description")}
}

// loopbackAddrs returns the addresses to bind for a redirect URI: its host
// and port only (localhost means 127.0.0.1 and, where available, ::1).
func loopbackAddrs(redirect string) (required string, optional []string, path string, err error) {
	u, err := url.Parse(redirect)
	if err != nil {
		return "", nil, "", fmt.Errorf("%w: parse: %v", ErrBadRedirectURI, err)
	}
	if u.Scheme != "http" {
		return "", nil, "", fmt.Errorf("%w %s: only http loopback redirects are supported", ErrBadRedirectURI, redirect)
	}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		return "", nil, "", fmt.Errorf("%w %s has no port", ErrBadRedirectURI, redirect)
	}
	path = u.Path
	if path == "" {
		path = "/"
	}
	if host == "localhost" {
		return net.JoinHostPort("127.0.0.1", port), []string{net.JoinHostPort("::1", port)}, path, nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return "", nil, "", fmt.Errorf("%w %s: the host must be localhost or a loopback address", ErrBadRedirectURI, redirect)
	}
	return net.JoinHostPort(host, port), nil, path, nil
}

// listenLoopback binds the redirect URI's addresses, retrying a busy port
// portRetries times with the configured backoff.
func (m *Manager) listenLoopback(ctx context.Context, redirect string) ([]net.Listener, string, error) {
	required, optional, path, err := loopbackAddrs(redirect)
	if err != nil {
		return nil, "", err
	}
	var lc net.ListenConfig
	var ln net.Listener
	// A busy port is polled: the waits do not grow beyond the backoff.
	p := m.policy(portRetries)
	p.Cap = m.c.Backoff
	err = p.Do(ctx, func(ctx context.Context, _ int) error {
		var err error
		ln, err = lc.Listen(ctx, "tcp", required)
		if errors.Is(err, syscall.EADDRINUSE) {
			return retry.Retryable(err)
		}
		return err
	})
	switch {
	case errors.Is(err, syscall.EADDRINUSE) && ctx.Err() == nil:
		return nil, "", fmt.Errorf("listen on %s for the login callback: %w after %d retries; free it or use the device flow", required, ErrPortInUse, portRetries)
	case err != nil:
		return nil, "", fmt.Errorf("listen on %s for the login callback: %w", required, err)
	}
	lns := []net.Listener{ln}
	for _, a := range optional {
		if l, err := lc.Listen(ctx, "tcp", a); err == nil {
			lns = append(lns, l)
		}
	}
	return lns, path, nil
}

// callbackServer serves exactly one callback carrying its state on path
// and hands it to results. Callbacks without that state (a web page or
// another local process can reach the port) are answered 400 and ignored:
// the login keeps waiting for the real one.
type callbackServer struct {
	path    string
	state   string
	results chan callback
	once    sync.Once
	srv     *http.Server
}

func newCallbackServer(path, state string) *callbackServer {
	s := &callbackServer{path: path, state: state, results: make(chan callback, 1)}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	return s
}

func (s *callbackServer) serve(lns []net.Listener) {
	for _, ln := range lns {
		go func() { _ = s.srv.Serve(ln) }()
	}
}

func (s *callbackServer) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		s.srv.Close()
	}
}

// ServeHTTP answers the first GET on the callback path with the outcome of
// the login; everything else is 404, later callbacks 409.
func (s *callbackServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet || r.URL.Path != s.path {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	if q.Get("code") == "" && q.Get("error") == "" {
		page(w, http.StatusBadRequest, "Login failed", "The request carried neither a code nor an error.")
		return
	}
	if !sameState(q.Get("state"), s.state) {
		page(w, http.StatusBadRequest, "Not this login", "This request does not belong to the login in progress and was ignored.")
		return
	}
	first := false
	s.once.Do(func() { first = true })
	if !first {
		page(w, http.StatusConflict, "Login already handled", "This login has already been handled; you can close this window.")
		return
	}
	cb := callbackFrom(q)
	cb.done = make(chan error, 1)
	s.results <- cb
	var err error
	select {
	case err = <-cb.done:
	case <-r.Context().Done():
		return
	}
	if err != nil {
		page(w, http.StatusBadRequest, "Login failed", err.Error()+" You can close this window and return to the terminal.")
		return
	}
	page(w, http.StatusOK, "Login successful", "You are logged in to the Aignostics Platform. You can close this window.")
}

// sameState compares a callback's state with ours in constant time.
func sameState(got, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func page(w http.ResponseWriter, status int, title, text string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!doctype html><html><head><meta charset=\"utf-8\"><title>%s</title></head>"+
		"<body style=\"font-family:sans-serif;margin:3em\"><h1>%s</h1><p>%s</p></body></html>\n",
		html.EscapeString(title), html.EscapeString(title), html.EscapeString(text))
}
