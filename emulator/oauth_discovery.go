package emulator

import "net/http"

// handleJWKS serves GET /.well-known/jwks.json: every key that tokens may be signed with.
func (a *authServer) handleJWKS(w http.ResponseWriter, r *http.Request) {
	if !getOrHead(w, r) {
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	sendJSON(w, http.StatusOK, a.e.keys.jwks())
}

// handleDiscovery serves GET /.well-known/openid-configuration.
func (a *authServer) handleDiscovery(w http.ResponseWriter, r *http.Request) {
	if !getOrHead(w, r) {
		return
	}
	pub := a.e.URL()
	sendJSON(w, http.StatusOK, map[string]any{
		"issuer":                                pub + "/",
		"authorization_endpoint":                pub + "/authorize",
		"token_endpoint":                        pub + "/oauth/token",
		"device_authorization_endpoint":         pub + "/oauth/device/code",
		"revocation_endpoint":                   pub + "/oauth/revoke",
		"jwks_uri":                              pub + "/.well-known/jwks.json",
		"response_types_supported":              []string{"code"},
		"grant_types_supported":                 []string{"authorization_code", "refresh_token", deviceGrantType},
		"code_challenge_methods_supported":      []string{"S256"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"token_endpoint_auth_methods_supported": []string{"none"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
	})
}

// getOrHead answers 405 for other methods and reports whether to go on.
func getOrHead(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	sendJSON(w, http.StatusMethodNotAllowed, map[string]string{"detail": "Method Not Allowed"})
	return false
}
