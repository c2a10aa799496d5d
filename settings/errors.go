package settings

import (
	"fmt"
	"net/url"
	"strings"
)

// Error reports a bad setting. Commands map it to exit code 2.
type Error struct {
	Setting string // variable name, e.g. AIGNOSTICS_API_ROOT; "" when the problem is not one setting
	Value   string // the bad value as given (masked in Error() for secrets)
	Reason  string
	Err     error // the underlying error, if any
}

// Error returns `SETTING="value": reason`, with a secret value masked.
func (e *Error) Error() string {
	if e.Setting == "" {
		return e.Reason
	}
	return fmt.Sprintf("%s=%q: %s", e.Setting, displayValue(e.Setting, e.Value, true), e.Reason)
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// isSecretVar reports whether a variable holds a secret.
func isSecretVar(name string) bool { return name == EnvRefreshToken || name == EnvShareToken }

// isProxyVar reports whether a variable holds a proxy URL that may carry a
// password.
func isProxyVar(name string) bool { return name == EnvHTTPSProxy || name == EnvHTTPProxy }

// displayValue returns value as it may be shown: with mask, secrets become
// "**********" and a URL's password is replaced.
func displayValue(name, value string, mask bool) string {
	if !mask || value == "" {
		return value
	}
	if isSecretVar(name) {
		return Secret(value).String()
	}
	if isProxyVar(name) || strings.Contains(value, "@") {
		return maskURLPassword(value)
	}
	return value
}

// maskURLPassword replaces the password of a URL's user info; a value that
// does not parse but contains '@' is masked whole.
func maskURLPassword(v string) string {
	if !strings.Contains(v, "://") && strings.Contains(v, "@") {
		// host:port proxies may come without a scheme: user:pass@host:3128
		// parses as scheme "user" with the password in its opaque part.
		if m := maskURLPassword("http://" + v); m != "http://"+v {
			return strings.TrimPrefix(m, "http://")
		}
		return v
	}
	u, err := url.Parse(v)
	if err != nil {
		if strings.Contains(v, "@") {
			return masked
		}
		return v
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
		return u.String()
	}
	return v
}
