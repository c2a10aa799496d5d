// Package plugins runs external programs on behalf of the CLI: exec token
// providers (a command that prints an access token, FR-14) and command
// plugins (executables named aignostics-<name> on PATH).
//
// Nothing here runs a shell: command lines are split into words the way a
// POSIX shell would split them (SplitCommandLine), without any expansion.
//
// # Token providers
//
// A token provider is run with the environment of the CLI plus
// AIGNOSTICS_API_ROOT and AIGNOSTICS_AUDIENCE. Its stdout must carry only
// the token, in one of these forms (surrounding blanks are trimmed):
//
//	eyJhbGciOi...                                   a bare token on one line
//	{"access_token": "...", "expires_at": "2026-01-02T15:04:05Z"}
//	{"access_token": "...", "expires_in": 3600}     an OAuth token response
//	{"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",
//	 "status": {"token": "...", "expirationTimestamp": "2026-01-02T15:04:05Z"}}
//
// Its stderr passes through to the CLI's stderr, so it may prompt there (or
// on /dev/tty); its stdin is the CLI's only when the CLI runs interactively.
// It is killed after its timeout (30 s by default). The token is reused
// until 60 s before its expiry, for the life of the process when no expiry
// is given, and the provider is run again once after the API answers 401.
// Caching across processes is the provider's own business. A non-zero
// exit, empty output, malformed JSON, or a token holding blanks or control
// characters is a ProviderError, and nothing is sent.
//
// # Command plugins
//
// `aignostics NAME ARGS...` runs the first aignostics-NAME on PATH when NAME
// is not a built-in command, with the CLI's streams and environment plus
// AIGNOSTICS_API_ROOT, AIGNOSTICS_OUTPUT and AIGNOSTICS_TOKEN_COMMAND (a
// JSON array: the argv that prints an access token). Its exit code becomes
// the CLI's.
package plugins
