package jwt_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/aignostics/aignostics/jwt"
)

func Example() {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	// The issuer publishes its JWKS...
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(jwt.JWKS{Keys: []jwt.JWK{jwt.PublicJWK("key-1", &key.PublicKey)}})
	}))
	defer srv.Close()
	// ...and signs tokens.
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tok, err := jwt.Sign(key, "key-1", jwt.Claims{
		Issuer: "http://localhost:8780/", Audience: jwt.Audience{"http://localhost:8780/api"},
		Subject: "user-1", ExpiresAt: now.Add(time.Hour).Unix(),
	})
	if err != nil {
		panic(err)
	}
	// The client verifies them against the cached JWKS.
	keys := jwt.NewCache(srv.URL, jwt.CacheOptions{Client: srv.Client()})
	opts := jwt.VerifyOptions{
		Issuer: "http://127.0.0.1:8780/", Audience: "http://127.0.0.1:8780/api",
		Now: now, LoopbackSameHost: true,
	}
	t, err := jwt.Verify(context.Background(), tok, keys, opts)
	fmt.Println(t.Claims.Subject, err)

	opts.Now = now.Add(2 * time.Hour)
	_, err = jwt.Verify(context.Background(), tok, keys, opts)
	fmt.Println(errors.Is(err, jwt.ErrExpired))
	// Output:
	// user-1 <nil>
	// true
}
