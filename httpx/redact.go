package httpx

import (
	"errors"
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// redacted replaces every secret value.
const redacted = "REDACTED"

// secretParams are query, form and JSON keys whose values are secret.
const secretParams = `access[_-]?token|refresh[_-]?token|id[_-]?token|code|code[_-]?verifier|client[_-]?secret|device[_-]?code|` +
	`x-goog-signature|x-goog-credential|signature|x-amz-signature|password|token|share[_-]?token|assertion|subject[_-]?token`

// redactor replaces the matches of re with repl.
type redactor struct {
	re   *regexp.Regexp
	repl string
}

// redactors are applied in order by Redact. Compiled on first use (not at
// program start: most runs never redact anything), once; never modified.
var redactors = sync.OnceValue(func() []redactor {
	return []redactor{
		// Authorization headers in any notation: "Authorization: Bearer x", "authorization=Basic y".
		{regexp.MustCompile(`(?i)(\bauthorization["']?\s*[:=]\s*["']?)((?:bearer|basic|token)\s+)?[^\s"',;]+`), "${1}${2}" + redacted},
		// Bearer tokens anywhere.
		{regexp.MustCompile(`(?i)(\bbearer\s+)[A-Za-z0-9\-._~+/]+=*`), "${1}" + redacted},
		// key=value in query strings and forms.
		{regexp.MustCompile(`(?i)(^|[?&;\s"'{(,])((?:` + secretParams + `)=)[^&\s#"',;)]*`), "${1}${2}" + redacted},
		// "key": "value" in JSON.
		{regexp.MustCompile(`(?i)("(?:` + secretParams + `)"\s*:\s*")(?:[^"\\]|\\.)*"`), `${1}` + redacted + `"`},
		// Anything shaped like a JWT.
		{regexp.MustCompile(`\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`), redacted},
		// key%3Dvalue: the same, URL-encoded once.
		{regexp.MustCompile(`(?i)((?:` + secretParams + `)%3D)[^&%\s#"',;)]*`), "${1}" + redacted},
		// Passwords in URLs: scheme://user:password@host.
		{regexp.MustCompile(`(://[^/\s:@]*:)[^/\s@]*@`), "${1}" + redacted + "@"},
		// The same without a scheme, as proxies are often written:
		// user:password@host:3128.
		{regexp.MustCompile(`(^|[\s"'=(,<\[])([^/\s:@"'=(,<\[]+:)[^/\s@"']+@([A-Za-z0-9\[])`), "${1}${2}" + redacted + "@${3}"},
	}
})

// Redact masks secrets in s: bearer tokens and Authorization values, the
// values of access_token, refresh_token, id_token, code, code_verifier,
// client_secret, device_code, X-Goog-Signature, X-Goog-Credential, Signature
// (and similar) in query strings, forms and JSON, JWT-shaped strings, and
// passwords in URLs.
func Redact(s string) string {
	for _, r := range redactors() {
		s = r.re.ReplaceAllString(s, r.repl)
	}
	return s
}

// RedactValues masks every occurrence in s of each secret value (as is, and
// URL-encoded), for messages that may echo what was sent, such as a
// server's error body repeating the refresh token or a provider's opaque
// token, or a share token in a path. Values shorter than 6 bytes are left alone: masking them would
// mangle ordinary words.
func RedactValues(s string, secrets ...string) string {
	for _, v := range secrets {
		if len(v) < 6 {
			continue
		}
		s = strings.ReplaceAll(s, v, redacted)
		for _, e := range []string{url.QueryEscape(v), url.PathEscape(v)} {
			if e != v {
				s = strings.ReplaceAll(s, e, redacted)
			}
		}
	}
	return s
}

// redactUserinfo masks a proxy URL's password for messages.
func redactUserinfo(s string) string { return Redact(s) }

// redactURLError strips the URL (which may carry secrets) out of a
// *url.Error from url.Parse, keeping the cause.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return errors.New(ue.Op + " " + Redact(ue.URL) + ": " + ue.Err.Error())
	}
	return err
}
