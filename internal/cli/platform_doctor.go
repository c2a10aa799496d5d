package cli

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/settings"
)

// PlatformDoctorCmd is `platform doctor`: what stands between this machine
// and the platform, one line per check, exit 1 when anything is wrong.
type PlatformDoctorCmd struct{}

// Examples of platform doctor.
func (*PlatformDoctorCmd) Examples() []string {
	return []string{"platform doctor", "-o json platform doctor", "--api-root https://platform-staging.aignostics.com platform doctor"}
}

// Check outcomes.
const (
	checkOK   = "ok"
	checkWarn = "warn" // worth knowing; not wrong
	checkFail = "fail" // wrong: exit 1
)

// doctorCheck is one line of the report.
type doctorCheck struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	Detail string `json:"detail"`
}

// doctorReport is the JSON form of `platform doctor`.
type doctorReport struct {
	OK     bool          `json:"ok"`
	Checks []doctorCheck `json:"checks"`
}

// maxClockSkew is the skew against the server beyond which tokens fail
// their time checks (the 30 s leeway of exp and nbf).
const maxClockSkew = 30 * time.Second

// doctorTimeout bounds each network check.
const doctorTimeout = 10 * time.Second

// Run runs every check, prints them, and fails when one failed.
func (c *PlatformDoctorCmd) Run(ctx context.Context, f *Factory) error {
	var r doctorReport
	add := func(name, status, format string, args ...any) {
		r.Checks = append(r.Checks, doctorCheck{Name: name, Status: status, Detail: httpx.Redact(fmt.Sprintf(format, args...))})
	}
	s, err := f.Settings()
	if err != nil {
		add("settings", checkFail, "%v", err)
	} else {
		doctorSettings(s, add)
		doctorProxy(s, add)
		doctorCABundle(s, add)
		doctorEndpoints(ctx, f, s, add)
		doctorPort(s, add)
		doctorToken(ctx, f, s, add)
		doctorCacheDir(s, add)
	}
	if err := ctx.Err(); err != nil {
		// Interrupted: what the cancelled checks found is no finding.
		return err
	}
	r.OK = true
	for _, ch := range r.Checks {
		if ch.Status == checkFail {
			r.OK = false
		}
	}
	o := f.Output()
	if o.Format() == FormatText {
		color := f.IO.ColorEnabled()
		var b strings.Builder
		for _, ch := range r.Checks {
			mark := map[string]string{checkOK: paint(color, "green", "✓"), checkWarn: paint(color, "yellow", "!"), checkFail: paint(color, "red", "✗")}[ch.Status]
			fmt.Fprintf(&b, "%s %s: %s\n", mark, ch.Name, oneLine(ch.Detail))
		}
		if _, err := io.WriteString(o.Writer(), b.String()); err != nil {
			return err
		}
	} else if err := o.Object(r, nil); err != nil {
		return err
	}
	if !r.OK {
		n := 0
		for _, ch := range r.Checks {
			if ch.Status == checkFail {
				n++
			}
		}
		return cliErrorf(KindFailed, "%d check(s) failed", n)
	}
	return nil
}

type addCheck func(name, status, format string, args ...any)

func doctorSettings(s *settings.Settings, add addCheck) {
	files := "no env file"
	if len(s.EnvFiles) > 0 {
		files = "env files " + strings.Join(s.EnvFiles, ", ")
	}
	add("settings", checkOK, "environment %s, api root %s [%s], request timeout %s, %s", s.Environment, s.APIRoot, s.Sources[settings.EnvAPIRoot], s.RequestTimeout, files)
	if s.TokenProvider != "" {
		add("token provider", checkOK, "%s [%s] replaces login", s.TokenProvider, s.Sources[settings.EnvTokenProvider])
	}
}

func doctorProxy(s *settings.Settings, add addCheck) {
	if s.HTTPSProxy == "" && s.HTTPProxy == "" {
		add("proxy", checkOK, "none (HTTPS_PROXY, HTTP_PROXY unset)")
		return
	}
	for _, p := range []struct{ name, v string }{{"HTTPS_PROXY", s.HTTPSProxy}, {"HTTP_PROXY", s.HTTPProxy}} {
		if p.v == "" {
			continue
		}
		u, err := url.Parse(p.v)
		if err != nil || u.Host == "" {
			add("proxy", checkFail, "%s is not a URL such as http://proxy:3128", p.name)
			continue
		}
		add("proxy", checkOK, "%s %s://%s [%s]; NO_PROXY %q", p.name, u.Scheme, u.Host, s.Sources[p.name], s.NoProxy)
	}
}

func doctorCABundle(s *settings.Settings, add addCheck) {
	if s.RequestsCABundle == "" && s.SSLCertFile == "" {
		add("CA bundle", checkOK, "the system's roots")
		return
	}
	for _, b := range []struct{ name, path, role string }{
		{"REQUESTS_CA_BUNDLE", s.RequestsCABundle, "added to the system's roots"},
		{"SSL_CERT_FILE", s.SSLCertFile, "replaces the system's roots"},
	} {
		if b.path == "" {
			continue
		}
		n, err := countPEMCerts(b.path)
		switch {
		case err != nil:
			add("CA bundle", checkFail, "%s %s: %v", b.name, b.path, err)
		case n == 0:
			add("CA bundle", checkFail, "%s %s: no PEM certificate in it", b.name, b.path)
		default:
			add("CA bundle", checkOK, "%s %s: %d certificate(s), %s", b.name, b.path, n, b.role)
		}
	}
}

// countPEMCerts counts the certificates of a PEM bundle (at most 16 MiB).
func countPEMCerts(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 16<<20))
	if err != nil {
		return 0, err
	}
	n := 0
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return n, nil
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		if _, err := x509.ParseCertificate(b.Bytes); err == nil {
			n++
		}
	}
}

// doctorEndpoints resolves and reaches each endpoint (API, authorization
// server, JWKS), through the same HTTP client (proxy, CA pool) commands
// use, and measures the clock against the API's Date header.
func doctorEndpoints(ctx context.Context, f *Factory, s *settings.Settings, add addCheck) {
	plain, err := f.PlainHTTP()
	if err != nil {
		add("http client", checkFail, "%v", err)
		return
	}
	type endpoint struct{ name, url string }
	eps := []endpoint{{"api", s.APIRoot + "/health"}, {"login", s.TokenURL}, {"jwks", s.JWSJSONURL}}
	seenHost := map[string]bool{}
	for _, ep := range eps {
		u, err := url.Parse(ep.url)
		if err != nil || u.Host == "" {
			add(ep.name, checkFail, "%q is not a URL", ep.url)
			continue
		}
		host := u.Hostname()
		if !seenHost[host] {
			seenHost[host] = true
			doctorDNS(ctx, s, host, add)
		}
		cctx, cancel := context.WithTimeout(ctx, doctorTimeout)
		req, _ := http.NewRequestWithContext(cctx, http.MethodGet, ep.url, nil)
		start := f.Clock.Now()
		resp, err := plain.HTTP().Do(req)
		if err != nil {
			cancel()
			add(ep.name, checkFail, "%s unreachable: %v", ep.url, err)
			continue
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		cancel()
		tls := "no TLS (http)"
		if resp.TLS != nil {
			tls = "TLS " + tlsVersion(resp.TLS.Version)
		}
		add(ep.name, checkOK, "%s answers %d, %s, in %s", ep.url, resp.StatusCode, tls, f.Clock.Now().Sub(start).Round(time.Millisecond))
		if ep.name == "api" {
			doctorClock(f, resp.Header.Get("Date"), add)
		}
	}
}

func tlsVersion(v uint16) string {
	switch v {
	case 0x0304:
		return "1.3"
	case 0x0303:
		return "1.2"
	}
	return fmt.Sprintf("0x%04x", v)
}

func doctorDNS(ctx context.Context, s *settings.Settings, host string, add addCheck) {
	if net.ParseIP(host) != nil {
		add("dns "+host, checkOK, "an IP address, nothing to resolve")
		return
	}
	cctx, cancel := context.WithTimeout(ctx, doctorTimeout)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupHost(cctx, host)
	if err != nil {
		status := checkFail
		if s.HTTPSProxy != "" || s.HTTPProxy != "" {
			status = checkWarn // the proxy resolves it
		}
		add("dns "+host, status, "%v", err)
		return
	}
	add("dns "+host, checkOK, "%s", strings.Join(clip(addrs, 4), ", "))
}

func doctorClock(f *Factory, date string, add addCheck) {
	t, err := http.ParseTime(date)
	if err != nil {
		add("clock", checkWarn, "the API sent no Date header to compare with")
		return
	}
	skew := f.Clock.Now().Sub(t)
	abs := skew
	if abs < 0 {
		abs = -abs
	}
	// Date has whole seconds: a second of skew is noise.
	if abs > maxClockSkew {
		add("clock", checkFail, "this machine's clock is %s %s the server's (Date %s): tokens will be refused; set the clock right (NTP)", abs.Round(time.Second), map[bool]string{true: "ahead of", false: "behind"}[skew > 0], date)
		return
	}
	add("clock", checkOK, "within %s of the server's", max(abs.Round(time.Second), time.Second))
}

// doctorPort checks the login redirect's port: the browser login listens
// there.
func doctorPort(s *settings.Settings, add addCheck) {
	if s.TokenProvider != "" {
		return
	}
	u, err := url.Parse(s.RedirectURI)
	if err != nil || u.Port() == "" {
		add("login port", checkWarn, "redirect URI %q has no port", s.RedirectURI)
		return
	}
	host := u.Hostname()
	if host == "localhost" {
		host = "127.0.0.1"
	}
	addr := net.JoinHostPort(host, u.Port())
	l, err := net.Listen("tcp", addr)
	if err != nil {
		add("login port", checkFail, "%s is in use: a browser login cannot receive its redirect (use 'aignostics platform login --device', or end the program holding it)", addr)
		return
	}
	l.Close()
	add("login port", checkOK, "%s is free for the browser login's redirect", addr)
}

func doctorToken(ctx context.Context, f *Factory, s *settings.Settings, add addCheck) {
	src, err := f.TokenSource()
	if err != nil {
		add("token", checkFail, "%v", err)
		return
	}
	tok, err := httpx.CurrentToken(ctx, src)
	switch {
	case isLoginRequired(err):
		add("token", checkFail, "not logged in: run '%s'", f.loginCommand(s))
	case err != nil:
		add("token", checkFail, "%v", err)
	case tok.ExpiresAt.IsZero():
		add("token", checkOK, "a token is available")
	default:
		add("token", checkOK, "valid until %s (%s)", ts(tok.ExpiresAt), timeAgo(f.Clock.Now(), tok.ExpiresAt))
	}
}

// doctorCacheDir checks the token cache: a directory only its owner may
// read, files 0600.
func doctorCacheDir(s *settings.Settings, add addCheck) {
	dir := s.CacheDir
	if dir == "" {
		add("cache dir", checkFail, "no cache directory (HOME unset?): set AIGNOSTICS_CACHE_DIR")
		return
	}
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		add("cache dir", checkOK, "%s does not exist yet; the first login creates it (0700)", dir)
		return
	case err != nil:
		add("cache dir", checkFail, "%s: %v", dir, err)
		return
	case !fi.IsDir():
		add("cache dir", checkFail, "%s is not a directory", dir)
		return
	case fi.Mode().Perm()&0o077 != 0:
		add("cache dir", checkFail, "%s is %04o: others may read the tokens in it (chmod 700 %s)", dir, fi.Mode().Perm(), dir)
		return
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	for _, p := range files {
		if fi, err := os.Stat(p); err == nil && fi.Mode().Perm()&0o077 != 0 {
			add("cache dir", checkFail, "%s is %04o: others may read the token (chmod 600 %s)", p, fi.Mode().Perm(), p)
			return
		}
	}
	add("cache dir", checkOK, "%s (0700), %d cached login(s)", dir, len(files))
}
