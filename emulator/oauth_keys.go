package emulator

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"strings"
	"sync"

	"github.com/aignostics/aignostics/jwt"
)

// keyring holds the emulator's secrets: token signing keys (the last one is
// current), the storage service account, the HMAC pair and the organization.
type keyring struct {
	mu         sync.Mutex
	generate   func() (*rsa.PrivateKey, error) // makes every new key
	signing    []signingKey
	saKey      *rsa.PrivateKey
	saEmail    string
	hmacID     string
	hmacSecret string
	orgID      string
}

type signingKey struct {
	kid string
	key *rsa.PrivateKey
}

// keyringState is the persisted form of a keyring (state file, mode 0600).
type keyringState struct {
	Signing    []keyState `json:"signing_keys"`
	SAKey      string     `json:"service_account_key"`
	SAEmail    string     `json:"service_account_email"`
	HMACID     string     `json:"hmac_access_id"`
	HMACSecret string     `json:"hmac_secret"`
	OrgID      string     `json:"org_id"`
}

type keyState struct {
	Kid string `json:"kid"`
	Key string `json:"key"` // PKCS#8 PEM
}

// newKeyring makes a keyring whose keys come from generate (nil: a new
// 2048-bit RSA key each).
func newKeyring(generate func() (*rsa.PrivateKey, error)) (*keyring, error) {
	k := &keyring{generate: orNewKey(generate)}
	if err := k.rotate(); err != nil {
		return nil, err
	}
	sa, err := k.generate()
	if err != nil {
		return nil, fmt.Errorf("generate service account key: %w", err)
	}
	k.saKey = sa
	k.saEmail = "emulator@aignostics-emulator.iam.gserviceaccount.com"
	k.hmacID = "GOOG1E" + strings.ToUpper(randomHex(27))
	k.hmacSecret = randomToken(30)
	k.orgID = "org_" + randomHex(8)
	return k, nil
}

// rotate adds a new current signing key with a random kid.
func (k *keyring) rotate() error {
	key, err := k.generate()
	if err != nil {
		return fmt.Errorf("generate signing key: %w", err)
	}
	k.mu.Lock()
	k.signing = append(k.signing, signingKey{kid: randomHex(8), key: key})
	k.mu.Unlock()
	return nil
}

func (k *keyring) dropOld() {
	k.mu.Lock()
	k.signing = k.signing[len(k.signing)-1:]
	k.mu.Unlock()
}

func (k *keyring) current() (string, *rsa.PrivateKey) {
	k.mu.Lock()
	defer k.mu.Unlock()
	c := k.signing[len(k.signing)-1]
	return c.kid, c.key
}

// static is the key set the API verifies tokens against.
func (k *keyring) static() jwt.StaticKeys {
	k.mu.Lock()
	defer k.mu.Unlock()
	s := jwt.StaticKeys{}
	for _, sk := range k.signing {
		s[sk.kid] = &sk.key.PublicKey
	}
	return s
}

func (k *keyring) jwks() jwt.JWKS {
	k.mu.Lock()
	defer k.mu.Unlock()
	set := jwt.JWKS{Keys: []jwt.JWK{}}
	for i := len(k.signing) - 1; i >= 0; i-- {
		set.Keys = append(set.Keys, jwt.PublicJWK(k.signing[i].kid, &k.signing[i].key.PublicKey))
	}
	return set
}

func (k *keyring) snapshot() (keyringState, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	s := keyringState{SAEmail: k.saEmail, HMACID: k.hmacID, HMACSecret: k.hmacSecret, OrgID: k.orgID}
	for _, sk := range k.signing {
		p, err := encodeKey(sk.key)
		if err != nil {
			return s, err
		}
		s.Signing = append(s.Signing, keyState{Kid: sk.kid, Key: p})
	}
	p, err := encodeKey(k.saKey)
	if err != nil {
		return s, err
	}
	s.SAKey = p
	return s, nil
}

// orNewKey is generate, or when nil a maker of new 2048-bit RSA keys.
func orNewKey(generate func() (*rsa.PrivateKey, error)) func() (*rsa.PrivateKey, error) {
	if generate != nil {
		return generate
	}
	return func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) }
}

// keyringFrom restores a keyring; generate makes the keys of later rotations.
func keyringFrom(s keyringState, generate func() (*rsa.PrivateKey, error)) (*keyring, error) {
	if len(s.Signing) == 0 || s.SAEmail == "" || s.HMACID == "" || s.HMACSecret == "" || s.OrgID == "" {
		return nil, fmt.Errorf("restore keys: incomplete key state")
	}
	k := &keyring{generate: orNewKey(generate), saEmail: s.SAEmail, hmacID: s.HMACID, hmacSecret: s.HMACSecret, orgID: s.OrgID}
	for _, ks := range s.Signing {
		key, err := decodeKey(ks.Key)
		if err != nil {
			return nil, fmt.Errorf("restore signing key %s: %w", ks.Kid, err)
		}
		k.signing = append(k.signing, signingKey{kid: ks.Kid, key: key})
	}
	sa, err := decodeKey(s.SAKey)
	if err != nil {
		return nil, fmt.Errorf("restore service account key: %w", err)
	}
	k.saKey = sa
	return k, nil
}

func encodeKey(k *rsa.PrivateKey) (string, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return "", fmt.Errorf("encode private key: %w", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), nil
}

func decodeKey(s string) (*rsa.PrivateKey, error) {
	b, _ := pem.Decode([]byte(s))
	if b == nil {
		return nil, fmt.Errorf("decode private key: no PEM block")
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("decode private key: %w", err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("decode private key: not RSA")
	}
	return rk, nil
}

// randomToken returns n random bytes, base64url without padding.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
