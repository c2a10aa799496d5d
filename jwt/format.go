package jwt

import (
	"fmt"
	"strings"
	"time"
)

// Format prints a token for logs and test failures without its compact form or
// signature: header fields and the registered claims only, for every verb.
func (t Token) Format(f fmt.State, _ rune) {
	var b strings.Builder
	fmt.Fprintf(&b, "jwt.Token{alg=%q kid=%q", clip(t.Header.Alg), clip(t.Header.Kid))
	c := t.Claims
	if c.Issuer != "" {
		fmt.Fprintf(&b, " iss=%q", clip(c.Issuer))
	}
	if c.Subject != "" {
		fmt.Fprintf(&b, " sub=%q", clip(c.Subject))
	}
	if len(c.Audience) > 0 {
		fmt.Fprintf(&b, " aud=%q", clipList(c.Audience))
	}
	if c.ExpiresAt != 0 {
		fmt.Fprintf(&b, " exp=%s", time.Unix(c.ExpiresAt, 0).UTC().Format(time.RFC3339))
	}
	b.WriteString(" raw=[redacted]}")
	_, _ = f.Write([]byte(b.String()))
}
