package plugins

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestProviderChainPassedToTheProvider(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "chain")
	script := writeScript(t, dir, "provider", `printf '%s' "$`+ChainEnv+`" > "$OUT"; echo tok`)
	p, err := NewProvider(strconv.Quote(script), ProviderOptions{Env: []string{"OUT=" + out, ChainEnv + "=aaaa"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), "aaaa,"+p.id(); got != want {
		t.Errorf("the provider saw %s=%q, want %q", ChainEnv, got, want)
	}
}

func TestProviderRefusedInsideItsOwnChain(t *testing.T) {
	dir := t.TempDir()
	count := filepath.Join(dir, "count")
	script := writeScript(t, dir, "provider", countingPrelude+`echo tok`)
	mk := func(chain string) *Provider {
		p, err := NewProvider(strconv.Quote(script)+" --secret-arg s3cr3t", ProviderOptions{Env: []string{"COUNT_FILE=" + count, ChainEnv + "=" + chain}})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	self := mk("").id()
	for _, chain := range []string{self, "aaaa," + self, "a,b,c,d", strings.Repeat("x,", 1000) + "x"} {
		_, err := mk(chain).Token(context.Background())
		var pe *ProviderError
		if !errors.As(err, &pe) || !errors.Is(err, ErrRecursive) || pe.ExitCode() != 4 {
			t.Errorf("chain %.40q: Token = %v, want a ProviderError wrapping ErrRecursive (exit 4)", chain, err)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, "s3cr3t") || !strings.Contains(msg, "again") {
			t.Errorf("chain %.40q: message %q names an argument or does not say why", chain, msg)
		}
	}
	if n := runs(t, count); n != 0 {
		t.Errorf("the provider ran %d times inside its own chain, want 0", n)
	}
	// Another provider further up, within the depth limit: allowed.
	if _, err := mk("aaaa,bbbb").Token(context.Background()); err != nil {
		t.Errorf("a provider under two others: %v", err)
	}
}

func TestChainRefusesDeepAncestry(t *testing.T) {
	var c providerChain
	if err := c.allows("x", MaxChain-1); err != nil {
		t.Errorf("allows with %d ancestors: %v", MaxChain-1, err)
	}
	if err := c.allows("x", MaxChain); !errors.Is(err, ErrRecursive) {
		t.Errorf("allows with %d ancestors = %v, want ErrRecursive", MaxChain, err)
	}
}
