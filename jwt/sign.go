package jwt

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
)

// Sign returns an RS256 compact JWS of claims (anything that marshals to a JSON
// object, e.g. Claims or a map) with the given kid in the header.
func Sign(key *rsa.PrivateKey, kid string, claims any) (string, error) {
	if key == nil {
		return "", fmt.Errorf("sign token: no key")
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("sign token: encode claims: %w", err)
	}
	if p := bytes.TrimSpace(payload); len(p) == 0 || p[0] != '{' {
		return "", fmt.Errorf("sign token: claims must encode to a JSON object")
	}
	header, err := json.Marshal(struct {
		Alg string `json:"alg"`
		Kid string `json:"kid,omitempty"`
		Typ string `json:"typ"`
	}{"RS256", kid, "JWT"})
	if err != nil {
		return "", fmt.Errorf("sign token: encode header: %w", err)
	}
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", fmt.Errorf("sign token with key %q: %w", kid, err)
	}
	return input + "." + enc.EncodeToString(sig), nil
}
