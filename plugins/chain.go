package plugins

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ChainEnv is set in the environment of every token provider we run: the
// providers we (and the processes of this program that ran us) are running,
// outermost first, each as a short hash of its command line, separated by
// commas. A provider that runs this program's token command again (directly
// or through a chain of scripts) inherits it, so the inner run sees its own
// provider in the chain and refuses instead of starting it again, which
// would multiply processes without end.
const ChainEnv = "AIGNOSTICS_TOKEN_PROVIDER_CHAIN"

// MaxChain is how many token providers may be nested (a provider that runs
// this program with another provider, and so on) before the next is refused.
const MaxChain = 4

// ErrRecursive is wrapped by a ProviderError when running the provider would
// run a provider that is already running further up the chain, or nest more
// than MaxChain providers.
var ErrRecursive = errors.New("calls this program's token command again (a provider loop)")

// providerChain is the parsed value of ChainEnv.
type providerChain []string

// parseChain reads a ChainEnv value; it never fails: unknown shapes are
// kept as opaque entries, so they still count toward MaxChain.
func parseChain(v string) providerChain {
	if v == "" {
		return nil
	}
	parts := strings.Split(v, ",")
	if len(parts) > 64 {
		parts = parts[:64]
	}
	return providerChain(parts)
}

// allows reports, as an error wrapping ErrRecursive, whether a provider
// with identity id may run inside this chain, where ancestors processes
// above this one run this same program.
func (c providerChain) allows(id string, ancestors int) error {
	if ancestors >= MaxChain {
		return fmt.Errorf("%w: %d processes of this program are already running above this one (a provider chain that cleared %s?)", ErrRecursive, ancestors, ChainEnv)
	}
	if slices.Contains(c, id) {
		return fmt.Errorf("%w: it is already running further up (%s=%d providers deep); do not give a provider that runs 'aignostics platform token' the same AIGNOSTICS_TOKEN_PROVIDER (unset it in the provider's environment)", ErrRecursive, ChainEnv, len(c))
	}
	if len(c) >= MaxChain {
		return fmt.Errorf("%w: %d token providers are already nested (%s), at most %d may be", ErrRecursive, len(c), ChainEnv, MaxChain)
	}
	return nil
}

// with is the ChainEnv value for a provider id run inside c.
func (c providerChain) with(id string) string {
	return strings.Join(append(slices.Clone(c), id), ",")
}

// id is the provider's identity in a chain: a short hash of its command
// line (the arguments may hold secrets, so not the text itself).
func (p *Provider) id() string {
	sum := sha256.Sum256([]byte(strings.Join(p.argv, "\x00")))
	return hex.EncodeToString(sum[:6])
}
