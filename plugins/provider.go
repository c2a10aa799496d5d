package plugins

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/aignostics/aignostics/internal/clock"
	"github.com/aignostics/aignostics/internal/procgroup"

	"github.com/aignostics/aignostics/httpx"
)

// DefaultProviderTimeout bounds one run of a token provider when
// ProviderOptions.Timeout is zero.
const DefaultProviderTimeout = 30 * time.Second

// ExpirySkew is how long before its expiry a provider's token stops being
// reused.
const ExpirySkew = 60 * time.Second

// maxOutput bounds what is read from a provider's stdout.
const maxOutput = 1 << 20

// defaultWaitDelay bounds how long Wait waits for the provider's pipes after
// it exited or was killed (a grandchild may hold them open).
const defaultWaitDelay = 2 * time.Second

// ProviderOptions configures a Provider.
type ProviderOptions struct {
	// Timeout bounds one run; the process is killed after it. Zero means
	// DefaultProviderTimeout.
	Timeout time.Duration
	// Env is added to the process environment of the provider ("K=V"
	// entries, later ones win), e.g. AIGNOSTICS_API_ROOT and
	// AIGNOSTICS_AUDIENCE. A PATH here is also used to find the executable.
	Env []string
	// Stdin is the provider's stdin: ours only when interactive, else nil
	// (the null device).
	Stdin io.Reader
	// Stderr receives the provider's stderr as it is written (it may prompt
	// there); nil discards it. Its last line is kept for error messages.
	Stderr io.Writer
	// Clock dates the provider's tokens; zero means the system clock.
	Clock clock.Clock
}

// Provider is an exec token provider: a command that prints an access token
// on stdout (see ParseOutput). It implements httpx.TokenSource. The token is
// reused until ExpirySkew before its expiry (for the life of the Provider
// when no expiry was given); after Invalidate the next call runs the command
// again. A Provider is safe for concurrent use and runs the command at most
// once at a time.
type Provider struct {
	argv      []string
	o         ProviderOptions
	waitDelay time.Duration

	// sem holds one element while the command runs or the cache is read
	// or written; it serialises runs and, unlike a mutex, lets a waiter
	// give up when its context ends.
	sem    chan struct{}
	cached httpx.Token // zero AccessToken: nothing cached
}

// NewProvider returns a Provider that runs cmdline, split by
// SplitCommandLine (no shell is involved).
func NewProvider(cmdline string, o ProviderOptions) (*Provider, error) {
	argv, err := SplitCommandLine(cmdline)
	if err != nil {
		return nil, fmt.Errorf("token provider: %w", err)
	}
	if len(argv) == 0 || argv[0] == "" {
		return nil, errors.New("token provider: empty command line")
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultProviderTimeout
	}
	return &Provider{argv: argv, o: o, waitDelay: defaultWaitDelay, sem: make(chan struct{}, 1)}, nil
}

// Command returns the provider's executable as configured (argv[0]).
func (p *Provider) Command() string { return p.argv[0] }

// Token returns a valid access token with the expiry the provider
// reported, running the provider when none is cached or the cached one
// expires within ExpirySkew.
func (p *Provider) Token(ctx context.Context) (httpx.Token, error) {
	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return httpx.Token{}, fmt.Errorf("wait for token provider %q: %w", p.argv[0], ctx.Err())
	}
	defer func() { <-p.sem }()
	if p.fresh() {
		return p.cached, nil
	}
	t, err := p.run(ctx)
	if err != nil {
		p.cached = httpx.Token{}
		return httpx.Token{}, err
	}
	p.cached = t
	return t, nil
}

// fresh reports whether the cached token may be used; the caller holds sem.
func (p *Provider) fresh() bool {
	if p.cached.AccessToken == "" {
		return false
	}
	return p.cached.ExpiresAt.IsZero() || p.o.Clock.Now().Before(p.cached.ExpiresAt.Add(-ExpirySkew))
}

// Invalidate drops token from the cache (the API answered 401 to it), so
// the next Token runs the provider again. A token other than the cached one
// (another goroutine already got a new one) changes nothing.
func (p *Provider) Invalidate(token string) {
	p.sem <- struct{}{}
	defer func() { <-p.sem }()
	if token != "" && p.cached.AccessToken == token {
		p.cached = httpx.Token{}
	}
}

// run runs the command once and parses its output.
func (p *Provider) run(ctx context.Context) (httpx.Token, error) {
	env := append(os.Environ(), p.o.Env...)
	chain := parseChain(envValue(env, ChainEnv))
	if err := chain.allows(p.id(), selfAncestors()); err != nil {
		return httpx.Token{}, &ProviderError{Command: p.argv[0], ExitStatus: -1, Err: err}
	}
	path, err := lookPath(p.argv[0], envValue(env, "PATH"))
	if err != nil {
		return httpx.Token{}, &ProviderError{Command: p.argv[0], ExitStatus: -1, Err: fmt.Errorf("%w: %v", ErrNotFound, err)}
	}
	runCtx, cancel := context.WithTimeout(ctx, p.o.Timeout)
	defer cancel()
	cmd := procgroup.CommandContext(runCtx, path, p.argv[1:]...)
	cmd.Args[0] = p.argv[0]
	cmd.Env = append(env, ChainEnv+"="+chain.with(p.id()))
	cmd.Stdin = p.o.Stdin
	procgroup.Prepare(cmd)
	var stdout limitedBuffer
	stdout.limit = maxOutput
	cmd.Stdout = &stdout
	stderr := &lastLineWriter{w: p.o.Stderr}
	cmd.Stderr = stderr
	cmd.WaitDelay = p.waitDelay
	runErr := cmd.Run()
	if runCtx.Err() != nil || errors.Is(runErr, exec.ErrWaitDelay) {
		// Timed out or interrupted (exec killed the group already, this
		// is the same again), or something it started still holds its
		// pipes: end everything left in its process group.
		_ = procgroup.Kill(cmd)
	}
	perr := &ProviderError{Command: p.argv[0], LastStderrLine: stderr.Last()}
	if runErr != nil && !errors.Is(runErr, exec.ErrWaitDelay) {
		// (ErrWaitDelay: it exited 0 but something it started kept stdout or
		// stderr open past the wait delay; what it printed itself is complete.)
		return httpx.Token{}, p.failure(ctx, runCtx, runErr, perr)
	}
	if stdout.over {
		perr.Err = fmt.Errorf("printed more than %d bytes on stdout", maxOutput)
		return httpx.Token{}, perr
	}
	t, err := ParseOutput(stdout.b, p.o.Clock.Now())
	if err != nil {
		perr.Err = err
		return httpx.Token{}, perr
	}
	return t, nil
}

// failure explains a run that did not exit 0: cancelled by the caller (not
// a ProviderError, so Ctrl-C is reported as an interruption), timed out, or
// failed with an exit status or a signal.
func (p *Provider) failure(ctx, runCtx context.Context, runErr error, perr *ProviderError) error {
	perr.ExitStatus = -1
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("run token provider %q: %w", p.argv[0], ctx.Err())
	case runCtx.Err() != nil:
		perr.Err = fmt.Errorf("%w after %s (killed)", ErrTimeout, p.o.Timeout)
		return perr
	}
	var ee *exec.ExitError
	if errors.As(runErr, &ee) && ee.ExitCode() >= 0 {
		perr.ExitStatus = ee.ExitCode()
	}
	perr.Err = runErr
	return perr
}

// limitedBuffer keeps at most limit bytes and notes whether more came.
type limitedBuffer struct {
	b     []byte
	limit int
	over  bool
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	n := len(p)
	if room := l.limit - len(l.b); room < len(p) {
		l.over = true
		p = p[:max(room, 0)]
	}
	l.b = append(l.b, p...)
	return n, nil
}

// envValue returns the value of the last key=... entry in env.
func envValue(env []string, key string) string {
	v := ""
	for _, kv := range env {
		if k, val, ok := strings.Cut(kv, "="); ok && k == key {
			v = val
		}
	}
	return v
}
