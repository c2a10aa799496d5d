package plugins

import (
	"strings"
	"testing"
	"time"

	"github.com/aignostics/aignostics/httpx"
)

var testNow = time.Date(2026, 11, 27, 20, 0, 0, 0, time.UTC)

func TestParseOutput(t *testing.T) {
	tests := []struct {
		name string
		out  string
		want httpx.Token
	}{
		{"bare", "tok.en-1_~+/=\n", httpx.Token{AccessToken: "tok.en-1_~+/="}},
		{"bare CRLF and blanks", "  abc\r\n", httpx.Token{AccessToken: "abc"}},
		{"json expires_at", `{"access_token":"abc","expires_at":"2026-11-27T21:00:00Z"}`,
			httpx.Token{AccessToken: "abc", ExpiresAt: testNow.Add(time.Hour)}},
		{"json expires_at offset", `{"access_token":"abc","expires_at":"2026-11-27T22:00:00+01:00"}`,
			httpx.Token{AccessToken: "abc", ExpiresAt: testNow.Add(time.Hour)}},
		{"json expires_in", `{"access_token":"abc","expires_in":3600,"token_type":"Bearer"}` + "\n",
			httpx.Token{AccessToken: "abc", ExpiresAt: testNow.Add(time.Hour)}},
		{"json expires_in fraction", `{"access_token":"abc","expires_in":1.5}`,
			httpx.Token{AccessToken: "abc", ExpiresAt: testNow.Add(1500 * time.Millisecond)}},
		{"json no expiry", `{"access_token":"abc"}`, httpx.Token{AccessToken: "abc"}},
		{"exec credential v1", `{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"abc","expirationTimestamp":"2026-11-27T21:00:00Z"}}`,
			httpx.Token{AccessToken: "abc", ExpiresAt: testNow.Add(time.Hour)}},
		{"exec credential without kind or expiry", `{"status":{"token":"abc"}}`, httpx.Token{AccessToken: "abc"}},
		{"json with blanks around", "\n {\"access_token\": \"abc\"} \n", httpx.Token{AccessToken: "abc"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseOutput([]byte(tc.out), testNow)
			if err != nil {
				t.Fatalf("ParseOutput: %v", err)
			}
			if got.AccessToken != tc.want.AccessToken || !got.ExpiresAt.Equal(tc.want.ExpiresAt) {
				t.Errorf("ParseOutput = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestParseOutputErrors(t *testing.T) {
	const secret = "SECRETxyz"
	tests := []struct {
		name, out, wantMsg string
	}{
		{"empty", "", "printed nothing"},
		{"blank", " \n\n", "printed nothing"},
		{"two words", secret + " more\n", "blank"},
		{"two lines", secret + "\n" + secret + "\n", "more than one line"},
		{"control char", secret + "\x1b[0m", "byte 0x1b"},
		{"non-ASCII", secret + "é", "non-ASCII"},
		{"malformed json", `{"access_token": "` + secret, "malformed JSON"},
		{"json garbage", `{` + secret + `}`, "malformed JSON"},
		{"json trailing", `{"access_token":"` + secret + `"} {}`, "malformed JSON"},
		{"json wrong type", `{"access_token": 12345}`, "malformed JSON"},
		{"json no token", `{"token":"` + secret + `"}`, "without \"access_token\""},
		{"json empty token", `{"access_token":""}`, "without \"access_token\""},
		{"json token with blank", `{"access_token":"` + secret + ` x"}`, "blank"},
		{"json token with newline", `{"access_token":"` + secret + `\n"}`, "more than one line"},
		{"json bad expires_at", `{"access_token":"` + secret + `","expires_at":"tomorrow"}`, "RFC 3339"},
		{"json zero expires_in", `{"access_token":"` + secret + `","expires_in":0}`, "positive"},
		{"json negative expires_in", `{"access_token":"` + secret + `","expires_in":-5}`, "positive"},
		{"json huge expires_in", `{"access_token":"` + secret + `","expires_in":1e300}`, "positive"},
		{"exec credential without token", `{"kind":"ExecCredential","status":{}}`, "status.token"},
		{"exec credential no status", `{"kind":"ExecCredential"}`, "status.token"},
		{"exec credential other kind", `{"kind":"Secret","status":{"token":"` + secret + `"}}`, "want an ExecCredential"},
		{"exec credential bad timestamp", `{"status":{"token":"` + secret + `","expirationTimestamp":"soon"}}`, "RFC 3339"},
		{"exec credential token with blank", `{"status":{"token":"a ` + secret + `"}}`, "blank"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseOutput([]byte(tc.out), testNow)
			if err == nil {
				t.Fatalf("ParseOutput(%q) = %+v, want an error", tc.out, got)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.wantMsg) {
				t.Errorf("error %q does not say %q", msg, tc.wantMsg)
			}
			if strings.Contains(msg, secret) {
				t.Errorf("error %q quotes the token", msg)
			}
		})
	}
}

func FuzzParseOutput(f *testing.F) {
	for _, s := range []string{
		"abc\n", `{"access_token":"abc","expires_in":10}`, `{"access_token":"abc","expires_at":"2026-11-27T21:00:00Z"}`,
		`{"kind":"ExecCredential","status":{"token":"abc","expirationTimestamp":"2026-11-27T21:00:00Z"}}`,
		`{"access_token":"a b"}`, `{`, "a\x00b", "",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, out []byte) {
		tok, err := ParseOutput(out, testNow)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("error message spans lines: %q", err)
			}
			return
		}
		if cerr := httpx.CheckToken(tok.AccessToken); cerr != nil {
			t.Fatalf("ParseOutput accepted a token that checkToken refuses: %v", cerr)
		}
	})
}
