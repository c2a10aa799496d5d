package oauth

import (
	"encoding/json"
	"testing"
)

// FuzzParseCache: a cache file is untrusted input; parsing never panics and
// whatever it accepts survives a round trip.
func FuzzParseCache(f *testing.F) {
	f.Add([]byte(`{"access_token":"a","refresh_token":"r","expires_at":"2026-01-01T00:00:00Z"}`))
	f.Add([]byte(`{`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		e := parseCache(data)
		if e == nil {
			return
		}
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		if parseCache(b) == nil {
			t.Fatal("a parsed entry does not parse again")
		}
	})
}

// FuzzParsePasted: a pasted line is untrusted input.
func FuzzParsePasted(f *testing.F) {
	f.Add("http://127.0.0.1:8989/?code=c&state=s")
	f.Add("%zz")
	f.Fuzz(func(t *testing.T, s string) {
		cb, ok := parsePasted(s)
		if ok && cb.code == "" && cb.errCode == "" {
			t.Fatal("accepted a line without code or error")
		}
	})
}
