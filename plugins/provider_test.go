package plugins

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aignostics/aignostics/httpx"
)

func TestProviderShapes(t *testing.T) {
	tests := []struct {
		name, body string
		want       httpx.Token
	}{
		{"bare", `echo "tok-$n"`, httpx.Token{AccessToken: "tok-1"}},
		{"bare without newline", `printf 'tok-%s' "$n"`, httpx.Token{AccessToken: "tok-1"}},
		{"json expires_at", `echo '{"access_token": "tok-'$n'", "expires_at": "2026-11-27T21:00:00Z"}'`,
			httpx.Token{AccessToken: "tok-1", ExpiresAt: testNow.Add(time.Hour)}},
		{"json expires_in", `echo '{"access_token": "tok-'$n'", "expires_in": 600}'`,
			httpx.Token{AccessToken: "tok-1", ExpiresAt: testNow.Add(10 * time.Minute)}},
		{"exec credential", `cat <<EOF
{
  "apiVersion": "client.authentication.k8s.io/v1",
  "kind": "ExecCredential",
  "status": {"token": "tok-$n", "expirationTimestamp": "2026-11-27T20:30:00Z"}
}
EOF`, httpx.Token{AccessToken: "tok-1", ExpiresAt: testNow.Add(30 * time.Minute)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, count, _ := countingProvider(t, tc.body)
			got, err := p.Token(context.Background())
			if err != nil {
				t.Fatalf("Token: %v", err)
			}
			if got.AccessToken != tc.want.AccessToken || !got.ExpiresAt.Equal(tc.want.ExpiresAt) {
				t.Errorf("Token = %+v, want %+v", got, tc.want)
			}
			again, err := p.Token(context.Background())
			if err != nil || again != got {
				t.Errorf("second Token = %+v, %v; want the cached %+v", again, err, got)
			}
			if n := runs(t, count); n != 1 {
				t.Errorf("provider ran %d times, want 1", n)
			}
		})
	}
}

func TestProviderReuseUntilExpiry(t *testing.T) {
	p, count, clock := countingProvider(t, `echo '{"access_token": "tok-'$n'", "expires_in": 3600}'`)
	ctx := context.Background()
	steps := []struct {
		advance  time.Duration
		want     string
		wantRuns int
	}{
		{0, "tok-1", 1},
		{30 * time.Minute, "tok-1", 1},
		{28*time.Minute + 59*time.Second, "tok-1", 1}, // 61s before expiry
		{time.Second, "tok-2", 2},                     // 60s before expiry: run again
		{time.Minute, "tok-2", 2},
		{59 * time.Minute, "tok-3", 3},
	}
	for i, s := range steps {
		clock.Advance(s.advance)
		got, err := accessToken(p, ctx)
		if err != nil {
			t.Fatalf("step %d: Token: %v", i, err)
		}
		if got != s.want || runs(t, count) != s.wantRuns {
			t.Errorf("step %d: Token = %q after %d runs, want %q after %d", i, got, runs(t, count), s.want, s.wantRuns)
		}
	}
}

func TestProviderNoExpiryReusedForever(t *testing.T) {
	p, count, clock := countingProvider(t, `echo "tok-$n"`)
	for range 3 {
		if got, err := accessToken(p, context.Background()); err != nil || got != "tok-1" {
			t.Fatalf("Token = %q, %v; want tok-1", got, err)
		}
		clock.Advance(1000 * time.Hour)
	}
	if n := runs(t, count); n != 1 {
		t.Errorf("provider ran %d times, want 1", n)
	}
}

func TestProviderAlreadyExpiredTokenRunsEachTime(t *testing.T) {
	p, count, _ := countingProvider(t, `echo '{"access_token": "tok-'$n'", "expires_in": 30}'`)
	for i := 1; i <= 2; i++ {
		if got, err := accessToken(p, context.Background()); err != nil || got != fmt.Sprintf("tok-%d", i) {
			t.Fatalf("Token = %q, %v; want tok-%d", got, err, i)
		}
	}
	if n := runs(t, count); n != 2 {
		t.Errorf("provider ran %d times, want 2 (a token living less than the skew is not reused)", n)
	}
}

func TestProviderInvalidate(t *testing.T) {
	p, count, _ := countingProvider(t, `echo "tok-$n"`)
	ctx := context.Background()
	first, _ := accessToken(p, ctx)
	p.Invalidate("some-other-token") // a token we no longer hold: no effect
	if got, _ := accessToken(p, ctx); got != first || runs(t, count) != 1 {
		t.Fatalf("after invalidating another token: Token = %q after %d runs, want %q after 1", got, runs(t, count), first)
	}
	p.Invalidate(first)
	if got, _ := accessToken(p, ctx); got != "tok-2" || runs(t, count) != 2 {
		t.Fatalf("after Invalidate: Token = %q after %d runs, want tok-2 after 2", got, runs(t, count))
	}
	p.Invalidate(first) // stale: tok-2 stays
	if got, _ := accessToken(p, ctx); got != "tok-2" || runs(t, count) != 2 {
		t.Fatalf("after a stale Invalidate: Token = %q after %d runs, want tok-2 after 2", got, runs(t, count))
	}
}

func TestProviderConcurrentCallsRunOnce(t *testing.T) {
	p, count, _ := countingProvider(t, `echo "tok-$n"`)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Go(func() {
			tok, err := accessToken(p, context.Background())
			if err == nil && tok != "tok-1" {
				err = fmt.Errorf("got %q, want tok-1", tok)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := runs(t, count); n != 1 {
		t.Errorf("provider ran %d times for 16 concurrent calls, want 1", n)
	}
}

func TestProviderFailures(t *testing.T) {
	const secret = "SECRETtok"
	tests := []struct {
		name, body string
		wantStatus int
		wantErr    error
		wantMsg    []string
	}{
		{"non-zero exit", `echo ` + secret + `; echo "first" >&2; printf 'login required: run sso-login\n\n' >&2; exit 3`, 3, nil,
			[]string{`token provider "`, "exit status 3", "login required: run sso-login"}},
		{"non-zero exit, unterminated stderr line", `printf 'no newline here' >&2; exit 1`, 1, nil,
			[]string{"exit status 1", "no newline here"}},
		{"empty output", `exit 0`, 0, nil, []string{"exited 0 but printed nothing on stdout"}},
		{"garbage output", `echo '{"access_token": "` + secret + `" oops'`, 0, nil, []string{"malformed JSON"}},
		{"two words", `echo "` + secret + ` ` + secret + `"`, 0, nil, []string{"blank"}},
		{"killed by a signal", `kill -9 $$`, -1, nil, []string{"signal: killed"}},
		{"too much output", `head -c 2000000 /dev/zero | tr '\0' 'a'`, 0, nil, []string{"more than 1048576 bytes"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, count, _ := countingProvider(t, tc.body)
			_, err := accessToken(p, context.Background())
			var pe *ProviderError
			if !errors.As(err, &pe) {
				t.Fatalf("Token error = %v, want a *ProviderError", err)
			}
			if pe.ExitStatus != tc.wantStatus {
				t.Errorf("ExitStatus = %d, want %d", pe.ExitStatus, tc.wantStatus)
			}
			if filepath.Base(pe.Command) != "provider" {
				t.Errorf("Command = %q, want the provider's path", pe.Command)
			}
			msg := err.Error()
			for _, w := range tc.wantMsg {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q does not contain %q", msg, w)
				}
			}
			if strings.Contains(msg, secret) || strings.Contains(msg, "\n") {
				t.Errorf("message %q quotes the token or spans lines", msg)
			}
			if pe.ExitCode() != 4 {
				t.Errorf("ExitCode = %d, want 4", pe.ExitCode())
			}
			// A failure is not cached: the next call runs the provider again.
			_, _ = accessToken(p, context.Background())
			if n := runs(t, count); n != 2 {
				t.Errorf("provider ran %d times after two failing calls, want 2", n)
			}
		})
	}
}

func TestProviderTimeout(t *testing.T) {
	for _, tc := range []struct{ name, body string }{
		{"provider hangs", `exec sleep 30`},
		// The shell is killed but its child keeps stdout open: WaitDelay ends the wait.
		{"grandchild holds the pipe", `sleep 5; echo late`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			script := writeScript(t, dir, "slow", tc.body)
			p, err := NewProvider(script, ProviderOptions{Timeout: 50 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			p.waitDelay = 50 * time.Millisecond
			_, err = accessToken(p, context.Background())
			var pe *ProviderError
			if !errors.As(err, &pe) || !errors.Is(err, ErrTimeout) {
				t.Fatalf("Token error = %v, want a *ProviderError wrapping ErrTimeout", err)
			}
			if !strings.Contains(err.Error(), "timed out after 50ms") {
				t.Errorf("message %q does not give the timeout", err)
			}
		})
	}
}

func TestProviderContextCancelled(t *testing.T) {
	dir := t.TempDir()
	script := writeScript(t, dir, "slow", `exec sleep 30`)
	p, err := NewProvider(script, ProviderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = accessToken(p, ctx)
	var pe *ProviderError
	if !errors.Is(err, context.Canceled) || errors.As(err, &pe) {
		t.Fatalf("Token error = %v, want context.Canceled and no ProviderError", err)
	}
}

func TestProviderNotFound(t *testing.T) {
	dir := t.TempDir()
	for _, cmdline := range []string{filepath.Join(dir, "missing"), "aignostics-no-such-provider-xyz"} {
		p, err := NewProvider(cmdline, ProviderOptions{Env: []string{"PATH=" + dir}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = accessToken(p, context.Background())
		var pe *ProviderError
		if !errors.As(err, &pe) || !errors.Is(err, ErrNotFound) || pe.ExitStatus != -1 {
			t.Errorf("%s: Token error = %#v, want a *ProviderError wrapping ErrNotFound", cmdline, err)
		}
	}
}

func TestProviderFoundOnEnvPATH(t *testing.T) {
	dir := t.TempDir()
	writeScript(t, dir, "my-provider", `echo tok-from-path`)
	p, err := NewProvider("my-provider", ProviderOptions{Env: []string{"PATH=" + dir}})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := accessToken(p, context.Background()); err != nil || got != "tok-from-path" {
		t.Fatalf("Token = %q, %v; want tok-from-path", got, err)
	}
}

func TestProviderArgumentsEnvironmentAndStreams(t *testing.T) {
	dir := t.TempDir()
	script := writeScript(t, dir, "prov ider", `printf 'Enter code: ' >&2
read code || { echo "no stdin" >&2; exit 7; }
printf '%s|' "$@" "$AIGNOSTICS_API_ROOT" "$AIGNOSTICS_AUDIENCE" "$code" | tr ' ' '_'`)
	cmdline := strconv.Quote(script) + ` 'a b' "c\"d" e\ f`
	env := []string{"AIGNOSTICS_API_ROOT=http://127.0.0.1:1", "AIGNOSTICS_AUDIENCE=http://127.0.0.1:1/api"}

	var stderr bytes.Buffer
	p, err := NewProvider(cmdline, ProviderOptions{Env: env, Stdin: strings.NewReader("4242\n"), Stderr: &stderr})
	if err != nil {
		t.Fatal(err)
	}
	got, err := accessToken(p, context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := `a_b|c"d|e_f|http://127.0.0.1:1|http://127.0.0.1:1/api|4242|`; got != want {
		t.Errorf("Token = %q, want %q", got, want)
	}
	if stderr.String() != "Enter code: " {
		t.Errorf("stderr passed through = %q, want the prompt", stderr.String())
	}

	// Without stdin (not interactive) the prompt gets end of file at once.
	stderr.Reset()
	p, err = NewProvider(cmdline, ProviderOptions{Env: env, Stderr: &stderr})
	if err != nil {
		t.Fatal(err)
	}
	_, err = accessToken(p, context.Background())
	var pe *ProviderError
	if !errors.As(err, &pe) || pe.ExitStatus != 7 || pe.LastStderrLine != "Enter code: no stdin" {
		t.Errorf("Token without stdin: %v, want exit status 7 with the last stderr line", err)
	}
	if stderr.String() != "Enter code: no stdin\n" {
		t.Errorf("stderr passed through = %q", stderr.String())
	}
}

func TestNewProviderErrors(t *testing.T) {
	for _, cmdline := range []string{"", "   ", `'unterminated`, `""`} {
		if _, err := NewProvider(cmdline, ProviderOptions{}); err == nil {
			t.Errorf("NewProvider(%q): no error", cmdline)
		}
	}
}

func TestProviderConcurrentInvalidate(t *testing.T) {
	p, count, _ := countingProvider(t, `echo "tok-$n"`)
	var wg sync.WaitGroup
	const workers, rounds = 4, 3
	errs := make(chan error, workers*rounds)
	for range workers {
		wg.Go(func() {
			for range rounds {
				tok, err := accessToken(p, context.Background())
				if err != nil || !strings.HasPrefix(tok, "tok-") {
					errs <- fmt.Errorf("Token = %q, %v", tok, err)
					return
				}
				p.Invalidate(tok)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// Every Invalidate of the token in use forces one more run; stale ones do not.
	if n := runs(t, count); n < 1 || n > workers*rounds {
		t.Errorf("provider ran %d times, want between 1 and %d", n, workers*rounds)
	}
}

// accessToken is p.Token's access token.
func accessToken(p *Provider, ctx context.Context) (string, error) {
	t, err := p.Token(ctx)
	return t.AccessToken, err
}
