package emulator

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"strings"
	"sync"
	"time"
)

// apiHandler routes the API origin: OAuth, health and /api/v1 behind the
// bearer check, wrapped in faults and the request log.
func (e *Emulator) apiHandler() http.Handler {
	a := e.oauth
	mux := http.NewServeMux()
	mux.HandleFunc("/health", e.handleHealth)
	mux.HandleFunc("/authorize", a.handleAuthorize)
	mux.HandleFunc("/authorize/decision", a.handleDecision)
	mux.HandleFunc("/oauth/token", a.handleToken)
	mux.HandleFunc("/oauth/device/code", a.handleDeviceCode)
	mux.HandleFunc("/oauth/revoke", a.handleRevoke)
	mux.HandleFunc("/activate", a.handleActivate)
	mux.HandleFunc("/.well-known/jwks.json", a.handleJWKS)
	mux.HandleFunc("/.well-known/openid-configuration", a.handleDiscovery)
	mux.HandleFunc(EmulatorInfoPath, e.handleInfo)
	api := e.requireToken(e.persisting(e.platform))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		sendJSON(w, http.StatusNotFound, map[string]string{"detail": "Not Found"})
	})
	// /api/ bypasses the mux: ServeMux redirects paths it would clean, and an
	// external id "." or ".." (which url.PathEscape keeps) must reach its item.
	root := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			api.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
	return e.logged("api", e.withFaults(apiScope, root))
}

// storageHandler is the storage origin: /{bucket}/{object}, served exactly as
// signed (no ServeMux: object names may hold "//", "." and "..").
func (e *Emulator) storageHandler() http.Handler {
	return e.logged("storage", e.withFaults(func(*http.Request) string { return "storage" }, http.HandlerFunc(e.serveObject)))
}

// apiScope names the fault scope of an API-origin request.
func apiScope(r *http.Request) string {
	p := r.URL.Path
	if p == "/authorize" || p == "/activate" || strings.HasPrefix(p, "/authorize/") ||
		strings.HasPrefix(p, "/oauth/") || strings.HasPrefix(p, "/.well-known/") {
		return "auth"
	}
	return "api"
}

// persisting schedules a state write after every request that may change state.
func (e *Emulator) persisting(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			e.markDirty()
		}
	})
}

// requestLog writes one line per request: never a query string or a header,
// so no token, code or signature reaches it.
type requestLog struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *requestLog) printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = fmt.Fprintf(l.w, format, args...)
}

// logged counts and logs each request of origin.
func (e *Emulator) logged(origin string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.count("request")
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			status := "reset"
			if sw.status != 0 {
				status = fmt.Sprint(sw.status)
			}
			e.log.printf("%s %s %s %s %s %s\n", e.now().UTC().Format(time.RFC3339), origin, r.Method,
				logPath(r.URL.Path), status, time.Since(start).Round(time.Microsecond))
		}()
		next.ServeHTTP(sw, r)
	})
}

// logPath shortens a path for the log (it never holds secrets: codes and
// signatures travel in query strings and bodies).
func logPath(p string) string {
	if len(p) > 200 {
		return p[:200] + "..."
	}
	return p
}

// statusWriter records the status a handler answered.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// ReadFrom keeps net/http's copy path for bodies.
func (s *statusWriter) ReadFrom(r io.Reader) (int64, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return io.Copy(s.ResponseWriter, r)
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Flush passes flushes on (runs watchers may stream).
func (s *statusWriter) Flush() {
	_ = http.NewResponseController(s.ResponseWriter).Flush()
}

// discardLogger silences net/http's own error log (client disconnects are normal here).
func discardLogger() *log.Logger { return log.New(io.Discard, "", 0) }
