package jwt

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
)

// Header is the JOSE header of a token.
type Header struct {
	Alg string // "alg", required
	Kid string // "kid", optional
	Typ string // "typ", optional
}

// Audience is the "aud" claim: a JSON string or an array of strings.
type Audience []string

// UnmarshalJSON accepts a single string or an array of strings.
func (a *Audience) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("decode aud: %w", err)
		}
		*a = Audience{s}
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil || list == nil {
		return fmt.Errorf("decode aud: not a string or an array of strings")
	}
	*a = Audience(list)
	return nil
}

// Contains reports whether s is one of the audiences.
func (a Audience) Contains(s string) bool {
	for _, x := range a {
		if x == s {
			return true
		}
	}
	return false
}

// Claims are the claims of a token. The typed fields are filled from the registered
// and Aignostics claims; Raw holds every claim as sent (e.g. "{aud}/role").
type Claims struct {
	Issuer          string   `json:"iss,omitempty"`
	Subject         string   `json:"sub,omitempty"`
	Audience        Audience `json:"aud,omitempty"`
	ExpiresAt       int64    `json:"exp,omitempty"`
	NotBefore       int64    `json:"nbf,omitempty"`
	IssuedAt        int64    `json:"iat,omitempty"`
	Scope           string   `json:"scope,omitempty"`
	AuthorizedParty string   `json:"azp,omitempty"`
	OrgID           string   `json:"org_id,omitempty"`

	Raw map[string]json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes a JSON object of claims. The registered claims iss, sub,
// aud, exp, nbf and iat must have their RFC 7519 types; scope, azp and org_id are
// taken when they are strings and otherwise left only in Raw.
func (c *Claims) UnmarshalJSON(b []byte) error {
	raw, err := decodeObject(b)
	if err != nil {
		return err
	}
	out := Claims{Raw: raw}
	strict := []struct {
		name string
		dst  *string
	}{{"iss", &out.Issuer}, {"sub", &out.Subject}}
	for _, f := range strict {
		if v, ok := raw[f.name]; ok {
			if err := json.Unmarshal(v, f.dst); err != nil {
				return fmt.Errorf("claim %s: not a string", f.name)
			}
		}
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"scope", &out.Scope}, {"azp", &out.AuthorizedParty}, {"org_id", &out.OrgID}} {
		if v, ok := raw[f.name]; ok {
			_ = json.Unmarshal(v, f.dst) // lenient: a non-string stays in Raw only
		}
	}
	if v, ok := raw["aud"]; ok {
		if err := out.Audience.UnmarshalJSON(v); err != nil {
			return fmt.Errorf("claim aud: %w", err)
		}
	}
	for _, f := range []struct {
		name string
		dst  *int64
	}{{"exp", &out.ExpiresAt}, {"nbf", &out.NotBefore}, {"iat", &out.IssuedAt}} {
		if v, ok := raw[f.name]; ok {
			n, err := numericDate(v)
			if err != nil {
				return fmt.Errorf("claim %s: %w", f.name, err)
			}
			*f.dst = n
		}
	}
	*c = out
	return nil
}

// MarshalJSON writes Raw overlaid with the non-empty typed fields, so extra claims
// (like the role claim) can be signed by putting them into Raw.
func (c Claims) MarshalJSON() ([]byte, error) {
	m := make(map[string]any, len(c.Raw)+9)
	for k, v := range c.Raw {
		m[k] = v
	}
	set := func(k string, v any, empty bool) {
		if !empty {
			m[k] = v
		}
	}
	set("iss", c.Issuer, c.Issuer == "")
	set("sub", c.Subject, c.Subject == "")
	set("aud", []string(c.Audience), len(c.Audience) == 0)
	set("exp", c.ExpiresAt, c.ExpiresAt == 0)
	set("nbf", c.NotBefore, c.NotBefore == 0)
	set("iat", c.IssuedAt, c.IssuedAt == 0)
	set("scope", c.Scope, c.Scope == "")
	set("azp", c.AuthorizedParty, c.AuthorizedParty == "")
	set("org_id", c.OrgID, c.OrgID == "")
	return json.Marshal(m)
}

// numericDate decodes a JSON number of seconds (fractions truncated).
func numericDate(v json.RawMessage) (int64, error) {
	var n json.Number
	if t := bytes.TrimSpace(v); len(t) == 0 || t[0] == '"' {
		return 0, fmt.Errorf("not a number")
	}
	if err := json.Unmarshal(v, &n); err != nil {
		return 0, fmt.Errorf("not a number")
	}
	if i, err := n.Int64(); err == nil {
		return i, nil
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || f > math.MaxInt64/2 || f < math.MinInt64/2 {
		return 0, fmt.Errorf("number out of range")
	}
	return int64(f), nil
}
