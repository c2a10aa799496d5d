package gcs

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
)

// ServiceAccount is the part of a service-account JSON key that V4 signing needs.
type ServiceAccount struct {
	ClientEmail string
	PrivateKey  *rsa.PrivateKey
}

// HMACKey is a GCS HMAC key pair. Secret is never printed by this package.
type HMACKey struct {
	AccessID string
	Secret   string
}

// String shows the access id only.
func (k HMACKey) String() string { return "HMACKey{" + k.AccessID + "}" }

// GoString shows the access id only, so %#v cannot leak the secret.
func (k HMACKey) GoString() string { return k.String() }

// ParseServiceAccount reads a service-account JSON key (the file
// GOOGLE_APPLICATION_CREDENTIALS names): client_email and private_key, a PEM RSA key
// in PKCS#8 or PKCS#1 form. Errors never contain key material.
func ParseServiceAccount(data []byte) (*ServiceAccount, error) {
	var f struct {
		Type        string `json:"type"`
		ClientEmail string `json:"client_email"`
		PrivateKey  string `json:"private_key"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		// The syntax error's offset is safe; its text never quotes the input.
		return nil, fmt.Errorf("parse service-account key: not valid JSON: %w", err)
	}
	if f.Type != "" && f.Type != "service_account" {
		return nil, fmt.Errorf("parse service-account key: type is %q, want \"service_account\" (V4 signing needs a service-account key)", f.Type)
	}
	if f.ClientEmail == "" {
		return nil, errors.New("parse service-account key: client_email is missing")
	}
	if f.PrivateKey == "" {
		return nil, errors.New("parse service-account key: private_key is missing")
	}
	key, err := parseRSAPrivateKey([]byte(f.PrivateKey))
	if err != nil {
		return nil, fmt.Errorf("parse service-account key %s: %w", f.ClientEmail, err)
	}
	return &ServiceAccount{ClientEmail: f.ClientEmail, PrivateKey: key}, nil
}

// parseRSAPrivateKey decodes the first PEM block as PKCS#8 or PKCS#1 RSA.
func parseRSAPrivateKey(data []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("private_key is not PEM")
	}
	if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("private_key is a %T, want RSA", k)
		}
		return rk, nil
	}
	k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		return nil, errors.New("private_key is neither a PKCS#8 nor a PKCS#1 RSA key")
	}
	return k, nil
}

// MarshalServiceAccount returns a service-account JSON key for sa (PKCS#8 PEM), in
// the form ParseServiceAccount reads; the emulator writes its key with it.
func MarshalServiceAccount(sa *ServiceAccount) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(sa.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("marshal service-account key %s: %w", sa.ClientEmail, err)
	}
	out, err := json.MarshalIndent(map[string]string{
		"type":         "service_account",
		"client_email": sa.ClientEmail,
		"private_key":  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
	}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("marshal service-account key %s: %w", sa.ClientEmail, err)
	}
	return append(out, '\n'), nil
}
