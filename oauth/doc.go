// Package oauth obtains, caches and refreshes access tokens for the Aignostics
// Platform: the Authorization Code flow with PKCE on a loopback redirect, the
// Device Authorization Grant (RFC 8628) and the refresh-token grant, behind a
// Manager that keeps one locked token-cache file per configuration and
// implements httpx.TokenSource.
package oauth
