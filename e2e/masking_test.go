package e2e

import (
	"net/http"
	"strings"
	"testing"
)

// Secrets are masked in every spelling wherever they can appear: a proxy
// URL without a scheme, a refresh token or an opaque access token that a
// failing server echoes back, a share token in a URL.
func TestSecretsMaskedInEverySpelling(t *testing.T) {
	t.Parallel()
	const proxyPass = "pr0xy-pa55word"
	t.Run("proxy without scheme", func(t *testing.T) {
		h := newHostileServer(t)
		c := newHostileCLI(t, h)
		for _, v := range []string{"user:" + proxyPass + "@proxy.invalid:3128", "http://user:" + proxyPass + "@proxy.invalid:3128"} {
			for _, args := range [][]string{{"-o", "json", "platform", "info"}, {"-o", "text", "platform", "info"}, {"-v", "-o", "json", "applications", "list"}} {
				r := c.run(map[string]string{"HTTPS_PROXY": v, "HTTP_PROXY": v, "AIGNOSTICS_REQUEST_TIMEOUT_SECONDS": "2"}, "", args...)
				if strings.Contains(r.stdout+r.stderr, proxyPass) {
					t.Errorf("%v with proxy %q showed its password:\n%s%s", args, v, r.stdout, r.stderr)
				}
			}
		}
	})
	t.Run("refresh token echoed by the token endpoint", func(t *testing.T) {
		h := newHostileServer(t)
		a := newAuthServer(t, h)
		c := newAuthCLI(t, h)
		seed := a.newRefresh()
		c.env["AIGNOSTICS_REFRESH_TOKEN"] = seed
		for _, status := range []int{400, 500} {
			a.set(func(a *authServer) {
				a.tokenFault = func(w http.ResponseWriter, r *http.Request) {
					rt := r.PostForm.Get("refresh_token")
					writeJSON(w, status, map[string]string{"error": "invalid_grant " + rt, "error_description": "refresh token " + rt + " is unknown; you sent refresh_token=" + rt})
				}
			})
			for _, out := range []string{"json", "text"} {
				r := c.run(nil, "", "-v", "-o", out, "platform", "token")
				if r.code == 0 {
					t.Errorf("%d: exit 0", status)
				}
				if strings.Contains(r.stdout+r.stderr, seed) {
					t.Errorf("%d -o %s: the refresh token was echoed:\n%s", status, out, r.stderr)
				}
			}
			c.env["AIGNOSTICS_REFRESH_TOKEN"] = a.newRefresh() // a 500 may have spent it
			seed = c.env["AIGNOSTICS_REFRESH_TOKEN"]
		}
	})
	t.Run("opaque token and share token echoed by the API", func(t *testing.T) {
		h := newHostileServer(t)
		c := newHostileCLI(t, h) // its provider prints hostile-access-token
		for _, status := range []int{401, 403, 400, 500} {
			h.handle("GET /api/v1/applications", func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, status, map[string]string{"detail": "token " + strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ") +
					" may not read https://platform.example/runs/1?shareToken=sh4re-secret-1 or ?share_token%3Dsh4re-secret-2"})
			})
			r := c.run(map[string]string{"AIGNOSTICS_AUTHORIZATION_BACKOFF_SECONDS": "0.001"}, "", "-v", "-o", "json", "applications", "list")
			if r.code == 0 {
				t.Errorf("%d: exit 0", status)
			}
			for _, secret := range []string{"hostile-access-token", "sh4re-secret"} {
				if strings.Contains(r.stdout+r.stderr, secret) {
					t.Errorf("%d: %s was shown:\n%s", status, secret, r.stderr)
				}
			}
		}
	})
}
