package emulator

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
)

// errTruncated stops a handler's writes once a truncate fault has sent half the body.
var errTruncated = errors.New("emulated fault: body truncated")

// withFaults applies the active faults of scope to each request.
func (e *Emulator) withFaults(scope func(*http.Request) string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sc := scope(r)
		p := e.faults.decide(sc, r.Method, r.URL.Path)
		if p.none() {
			next.ServeHTTP(w, r)
			return
		}
		for _, k := range p.kinds {
			e.count("fault:" + k)
		}
		if p.delay > 0 {
			if err := e.clock.Sleep(r.Context(), p.delay); err != nil {
				return
			}
		}
		if p.reset {
			abortConn(w, true)
			return
		}
		if p.status != 0 {
			writeFaultStatus(w, sc, p.status)
			return
		}
		if sc == "storage" && (p.truncate || p.corrupt) && hasUploadBody(r) {
			// An upload: cut the request body (nothing is stored, the
			// connection closes), or flip a byte of what a PUT stores.
			r.Body = &faultBody{r: r.Body, length: r.ContentLength, truncate: p.truncate, corrupt: p.corrupt && r.Method == http.MethodPut}
			next.ServeHTTP(w, r)
			return
		}
		if sc == "storage" && isMultipartControl(r) {
			p.corrupt = false // corruption models object data, not the XML control documents
		}
		if p.truncate || p.corrupt {
			fw := &faultWriter{ResponseWriter: w, truncate: p.truncate, corrupt: p.corrupt, head: r.Method == http.MethodHead}
			next.ServeHTTP(fw, r)
			fw.finish()
			return
		}
		next.ServeHTTP(w, r)
	})
}

// abortConn hijacks the connection and closes it; with reset the close sends
// a TCP RST instead of a FIN.
func abortConn(w http.ResponseWriter, reset bool) {
	rc := http.NewResponseController(w)
	if !reset {
		_ = rc.Flush() // push the partial body out first
	}
	conn, _, err := rc.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // net/http closes the connection
	}
	if tc, ok := conn.(*net.TCPConn); ok && reset {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// writeFaultStatus answers an emulated error status in the origin's style.
func writeFaultStatus(w http.ResponseWriter, scope string, status int) {
	if status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "1")
	}
	msg := fmt.Sprintf("emulated fault: %d %s", status, http.StatusText(status))
	switch scope {
	case "storage":
		code := "InternalError"
		switch status {
		case http.StatusTooManyRequests:
			code = "SlowDown"
		case http.StatusServiceUnavailable:
			code = "ServiceUnavailable"
		case http.StatusBadGateway:
			code = "BadGateway"
		}
		writeXMLError(w, status, code, msg)
	case "auth":
		sendJSON(w, status, map[string]string{"error": "temporarily_unavailable", "error_description": msg})
	default:
		sendJSON(w, status, map[string]string{"detail": msg})
	}
}

// faultWriter truncates or corrupts a response body. With a Content-Length it
// streams; without one it buffers the (small) body to know its length.
type faultWriter struct {
	http.ResponseWriter
	truncate, corrupt, head bool

	status   int
	wrote    bool // the real header was written
	buffered bool // no Content-Length: collecting the body in buf
	buf      bytes.Buffer
	length   int64 // body length when known
	off      int64 // body bytes passed on so far
	stopped  bool
}

func (f *faultWriter) Unwrap() http.ResponseWriter { return f.ResponseWriter }

func (f *faultWriter) WriteHeader(code int) {
	if f.status != 0 {
		return
	}
	f.status = code
	cl, err := strconv.ParseInt(f.Header().Get("Content-Length"), 10, 64)
	if err != nil || cl < 0 {
		f.buffered = !f.head
		return
	}
	f.length = cl
	f.ResponseWriter.WriteHeader(code)
	f.wrote = true
}

func (f *faultWriter) Write(b []byte) (int, error) {
	if f.status == 0 {
		f.WriteHeader(http.StatusOK)
	}
	if f.buffered {
		return f.buf.Write(b)
	}
	return f.pass(b)
}

// pass sends body bytes, flipping the middle byte and stopping at half.
func (f *faultWriter) pass(b []byte) (int, error) {
	if f.stopped {
		return 0, errTruncated
	}
	n := len(b)
	if f.truncate {
		if left := f.length/2 - f.off; int64(len(b)) > left {
			b = b[:max(left, 0)]
			f.stopped = true
		}
	}
	if f.corrupt {
		if mid := f.length / 2; mid >= f.off && mid < f.off+int64(len(b)) {
			c := append([]byte(nil), b...)
			c[mid-f.off] ^= 0xff
			b = c
		}
	}
	w, err := f.ResponseWriter.Write(b)
	f.off += int64(w)
	if err != nil {
		return w, err
	}
	if f.stopped {
		return w, errTruncated
	}
	return n, nil
}

// finish sends a buffered body and closes the connection after a truncation.
func (f *faultWriter) finish() {
	if f.status == 0 {
		f.WriteHeader(http.StatusOK)
	}
	if f.buffered {
		f.length = int64(f.buf.Len())
		f.Header().Set("Content-Length", strconv.FormatInt(f.length, 10))
		f.ResponseWriter.WriteHeader(f.status)
		f.buffered = false
		_, _ = f.pass(f.buf.Bytes())
	}
	if f.truncate {
		abortConn(f.ResponseWriter, false)
	}
}

// hasUploadBody reports a PUT or POST that carries a body.
func hasUploadBody(r *http.Request) bool {
	return (r.Method == http.MethodPut || r.Method == http.MethodPost) && r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0
}

// isMultipartControl reports the multipart calls whose answers are XML
// control documents (initiate, complete, list parts).
func isMultipartControl(r *http.Request) bool {
	q := r.URL.Query()
	return q.Has("uploads") || (q.Has("uploadId") && r.Method != http.MethodPut)
}

// faultBody cuts a request body at half (truncate) or flips its middle byte
// (corrupt). Without a known length it cuts after 32 KiB and flips byte 0.
type faultBody struct {
	r                 io.ReadCloser
	length            int64
	truncate, corrupt bool
	off               int64
}

func (f *faultBody) Read(p []byte) (int, error) {
	cut, mid := f.length/2, f.length/2
	if f.length < 0 {
		cut, mid = 32<<10, 0
	}
	if f.truncate {
		if f.off >= cut {
			return 0, errTruncated
		}
		p = p[:min(int64(len(p)), cut-f.off)]
	}
	n, err := f.r.Read(p)
	if f.corrupt && mid >= f.off && mid < f.off+int64(n) {
		p[mid-f.off] ^= 0xff
	}
	f.off += int64(n)
	return n, err
}

func (f *faultBody) Close() error { return f.r.Close() }
