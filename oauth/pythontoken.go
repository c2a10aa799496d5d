package oauth

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aignostics/aignostics/httpx"
)

// The Python SDK keeps one access token in {cache dir}/.token as
// "JWT:EXP" (EXP the integer exp claim), without a refresh token, for
// whatever environment was active when it was written. A Manager reads it
// only when its own cache has no token, uses it only after the same
// verification as its own tokens (signature by the JWKS of this
// configuration, audience, issuer, expiry), and never writes it.

// maxPythonToken bounds the .token file read (a JWT is a few KiB).
const maxPythonToken = 64 << 10

// Token origins, as Manager.Origin reports them.
const (
	OriginCache     = "cache"      // this tool's token cache file
	OriginRefresh   = "refresh"    // refreshed now, stored in the token cache
	OriginLogin     = "login"      // a login of this process, stored in the token cache
	OriginPythonSDK = "python-sdk" // the Python SDK's .token, verified, not written
)

// PythonTokenFile is the Python SDK's token file of this configuration.
func (m *Manager) PythonTokenFile() string {
	if m.c.PythonTokenFile != "" {
		return m.c.PythonTokenFile
	}
	if m.c.CacheDir == "" {
		return ""
	}
	return filepath.Join(m.c.CacheDir, ".token")
}

// Origin reports where the token last returned by Token or Current came
// from (one of the Origin constants) and the file that holds it; "" before
// any token was returned.
func (m *Manager) Origin() (origin, file string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.origin, m.originFile
}

// ParsePythonToken splits the content of a Python SDK .token file,
// "JWT:EXP", into the token and its expiry. Surrounding white space is
// ignored; anything else is an error.
func ParsePythonToken(data []byte) (string, time.Time, error) {
	if len(data) > maxPythonToken {
		return "", time.Time{}, fmt.Errorf("larger than %d KiB", maxPythonToken>>10)
	}
	tok, exp, ok := strings.Cut(strings.TrimSpace(string(data)), ":")
	if !ok || tok == "" || strings.Contains(exp, ":") {
		return "", time.Time{}, errors.New(`not "JWT:EXP"`)
	}
	if strings.Count(tok, ".") != 2 || strings.ContainsAny(tok, " \t\r\n") {
		return "", time.Time{}, errors.New("the token is not a JWT")
	}
	n, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || n <= 0 || n > 1<<40 {
		return "", time.Time{}, fmt.Errorf("EXP %q is not a positive Unix time", exp)
	}
	return tok, time.Unix(n, 0).UTC(), nil
}

// readPythonToken reads the .token file: a regular file, at most
// maxPythonToken bytes. absent is true when there is none.
func readPythonToken(path string) (data []byte, absent bool, err error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, true, nil
	}
	if err != nil {
		return nil, false, err
	}
	if !fi.Mode().IsRegular() {
		return nil, false, errors.New("not a regular file") // a FIFO would block the read
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	data, err = io.ReadAll(io.LimitReader(f, maxPythonToken+1))
	return data, false, err
}

// pythonToken returns the Python SDK's token when it is valid for this
// configuration and for more than five minutes (the SDK's own rule);
// otherwise ok is false and why says why it was not used ("" when there is
// no file). The caller holds m.mu.
func (m *Manager) pythonToken(ctx context.Context) (e *cacheEntry, why string) {
	path := m.PythonTokenFile()
	if path == "" {
		return nil, ""
	}
	if m.py != nil && m.usable(m.py) {
		return m.py, ""
	}
	data, absent, err := readPythonToken(path)
	if absent {
		return nil, ""
	}
	refuse := func(reason string) (*cacheEntry, string) {
		return nil, fmt.Sprintf("the Python SDK's token in %s was not used: %s", path, reason)
	}
	if err != nil {
		return refuse(err.Error())
	}
	tok, exp, err := ParsePythonToken(data)
	if err != nil {
		return refuse(err.Error())
	}
	if m.invalid[sha256.Sum256([]byte(tok))] {
		return refuse("the API refused it")
	}
	vt, err := m.Verify(ctx, tok)
	if err != nil {
		// The error names the failed check (audience, issuer, signature,
		// expiry); it never quotes the token.
		return refuse(err.Error() + " (it was written for another environment, or has expired)")
	}
	if vt.Claims.ExpiresAt != exp.Unix() {
		return refuse("the expiry in the file does not match the token's")
	}
	py := &cacheEntry{AccessToken: tok, TokenType: "Bearer", ExpiresAt: exp, Audience: m.c.Audience,
		UpdatedAt: m.c.Clock.Now().UTC()}
	if !m.usable(py) {
		return refuse("it expires in less than 5 minutes")
	}
	m.py = py
	return py, ""
}

// fromPython is Current's last resort when this tool's cache holds no
// token: the Python SDK's, or the login-required error (with the reason the
// Python token was refused). The caller holds m.mu.
func (m *Manager) fromPython(ctx context.Context, reason string) (httpx.Token, error) {
	e, why := m.pythonToken(ctx)
	if e == nil {
		if why != "" {
			reason += "; " + why
		}
		return httpx.Token{}, &LoginRequiredError{Hint: m.c.LoginHint, Reason: reason}
	}
	m.origin, m.originFile = OriginPythonSDK, m.PythonTokenFile()
	return e.token(), nil
}
