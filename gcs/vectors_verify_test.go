package gcs

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Every conformance case, signed with RSA and with HMAC, verifies with
// VerifyRequest when the request arrives as signed (host, path, query and the
// signed headers), and fails once one signed header changes: the signer's and
// the verifier's canonical forms agree on every oddity the vectors cover
// (trimmed and collapsed header values, slashes, query encoding, ports).
func TestVectorsVerifyRoundTrip(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	sa := &ServiceAccount{ClientEmail: vectorEmail, PrivateKey: key}
	hk := HMACKey{AccessID: "GOOG1HMACID", Secret: "hmac-secret"}
	keys := VerifyKeys{
		RSA:  func(e string) (*rsa.PublicKey, bool) { return &key.PublicKey, e == vectorEmail },
		HMAC: func(id string) (string, bool) { return hk.Secret, id == hk.AccessID },
	}
	for _, v := range loadVectors(t) {
		t.Run(v.Description, func(t *testing.T) {
			o := v.options(t)
			now := o.Time.Add(time.Second)
			for _, alg := range []string{AlgorithmRSA, AlgorithmHMAC} {
				var signed string
				if alg == AlgorithmRSA {
					signed, err = SignRSA(sa, o)
				} else {
					signed, err = SignHMAC(hk, o)
				}
				if err != nil {
					t.Fatal(err)
				}
				method := o.Method
				if method == "" {
					method = "GET"
				}
				r, err := http.NewRequest(method, signed, nil)
				if err != nil {
					t.Fatal(err)
				}
				r.Host = r.URL.Host
				for k, val := range v.Headers {
					r.Header.Set(k, val) // canonicalised as a server sees it; "header/name/with/slash" stays as is
				}
				if err := VerifyRequest(r, keys, now); err != nil {
					t.Fatalf("%s: VerifyRequest = %v", alg, err)
				}
				if err := VerifyRequest(r, keys, o.Time.Add(o.Expires)); !errors.Is(err, ErrExpired) {
					t.Fatalf("%s: at expiry: %v", alg, err)
				}
				for k := range v.Headers {
					if strings.EqualFold(k, "host") {
						continue
					}
					r.Header.Set(k, "changed")
					if err := VerifyRequest(r, keys, now); !errors.Is(err, ErrSignatureMismatch) {
						t.Fatalf("%s: header %s changed: %v", alg, k, err)
					}
					r.Header.Set(k, v.Headers[k])
				}
			}
		})
	}
}
