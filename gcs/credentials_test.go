package gcs

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"strings"
	"testing"
)

func TestParseServiceAccount(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := MarshalServiceAccount(&ServiceAccount{ClientEmail: "sa@p.iam.gserviceaccount.com", PrivateKey: key})
	if err != nil {
		t.Fatal(err)
	}
	pkcs1PEM := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	js := func(m map[string]string) []byte { b, _ := json.Marshal(m); return b }
	tests := []struct {
		name string
		in   []byte
		want string // error part; "" = ok
	}{
		{"pkcs8", pkcs8, ""},
		{"pkcs1 without type", js(map[string]string{"client_email": "sa@x", "private_key": pkcs1PEM}), ""},
		{"not json", []byte("-----BEGIN"), "not valid JSON"},
		{"user credentials", js(map[string]string{"type": "authorized_user", "client_email": "a", "private_key": pkcs1PEM}), "authorized_user"},
		{"no email", js(map[string]string{"private_key": pkcs1PEM}), "client_email"},
		{"no key", js(map[string]string{"client_email": "sa@x"}), "private_key is missing"},
		{"not pem", js(map[string]string{"client_email": "sa@x", "private_key": "MIIEvQIBADANBg"}), "not PEM"},
		{"garbage pem", js(map[string]string{"client_email": "sa@x", "private_key": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"}), "neither"},
	}
	for _, tt := range tests {
		sa, err := ParseServiceAccount(tt.in)
		if tt.want == "" {
			if err != nil || sa.PrivateKey == nil || !sa.PrivateKey.Equal(key) {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want mention of %q", tt.name, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "MII") {
			t.Errorf("%s: error contains key material: %v", tt.name, err)
		}
	}
}

func FuzzParseServiceAccount(f *testing.F) {
	f.Add([]byte(`{"client_email":"a","private_key":"x"}`))
	f.Add([]byte(`{"type":"service_account"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		sa, err := ParseServiceAccount(b)
		if err == nil && (sa.ClientEmail == "" || sa.PrivateKey == nil) {
			t.Fatalf("accepted incomplete key: %+v", sa)
		}
	})
}
