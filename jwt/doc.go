// Package jwt parses compact JWS tokens strictly, verifies RS256 signatures against
// a JSON Web Key Set (fetched and cached, or static), checks the registered claims
// and signs RS256 tokens for the emulator.
//
// Only RS256 is ever accepted: the algorithm is checked before any key is looked up
// and the key is chosen by its kid alone, so a token can never pick the key type.
// Error messages name what failed but never contain the token itself.
package jwt
