package emulator

import (
	"encoding/json"
	"fmt"
)

// WriteCredentials writes a service-account JSON file (mode 0600, temp file
// + rename) whose key signs URLs the storage origin accepts, e.g. for
// `aignostics storage sign --credentials FILE`.
func (e *Emulator) WriteCredentials(path string) error {
	k := e.keys
	k.mu.Lock()
	pemKey, err := encodeKey(k.saKey)
	email := k.saEmail
	k.mu.Unlock()
	if err != nil {
		return err
	}
	doc := map[string]string{
		"type":                        "service_account",
		"project_id":                  "aignostics-emulator",
		"private_key_id":              "emulator",
		"private_key":                 pemKey,
		"client_email":                email,
		"client_id":                   "100000000000000000000",
		"auth_uri":                    "https://accounts.google.com/o/oauth2/auth",
		"token_uri":                   "https://oauth2.googleapis.com/token",
		"auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
		"universe_domain":             "googleapis.com",
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("encode credentials: %w", err)
	}
	return writeFileAtomic(path, append(b, '\n'))
}
