//go:build unix

package plugins

import (
	"bufio"
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aignostics/aignostics/internal/proctest"
)

// readPID reads one line holding a pid.
func readPID(t *testing.T, r *bufio.Reader) int {
	t.Helper()
	line, err := r.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
	return pid
}

func TestRunInterruptReachesTheWholeGroup(t *testing.T) {
	dir := t.TempDir()
	// The plugin leaves a background sleep and waits; the interrupt ends
	// the plugin and the sleep it started, not only the plugin.
	p := writeScript(t, dir, "aignostics-tree", `sleep 1000 >/dev/null 2>&1 &
echo $!
wait`)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	done := make(chan int)
	go func() {
		code, _ := run(ctx, p, nil, nil, nil, w, nil, time.Minute, time.Minute)
		w.Close()
		done <- code
	}()
	pid := readPID(t, bufio.NewReader(r))
	cancel()
	if code := <-done; code != 128+int(syscall.SIGINT) {
		t.Errorf("Run after cancel = %d, want %d (ended by the interrupt)", code, 128+int(syscall.SIGINT))
	}
	proctest.WaitGone(t, pid)
}

func TestProviderTimeoutEndsItsWholeGroup(t *testing.T) {
	dir := t.TempDir()
	pidFile := dir + "/pid"
	// The provider leaves a grandchild sleeping and never prints a token.
	script := writeScript(t, dir, "provider", `sleep 1000 >/dev/null 2>&1 &
echo $! > "$PID_FILE"
wait`)
	p, err := NewProvider(strconv.Quote(script), ProviderOptions{Timeout: 300 * time.Millisecond, Env: []string{"PID_FILE=" + pidFile}})
	if err != nil {
		t.Fatal(err)
	}
	p.waitDelay = 50 * time.Millisecond
	_, err = p.Token(context.Background())
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("Token = %v, want a timeout", err)
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid := readPID(t, bufio.NewReader(strings.NewReader(string(b))))
	proctest.WaitGone(t, pid)
}

func TestProviderCancelEndsItsWholeGroup(t *testing.T) {
	dir := t.TempDir()
	script := writeScript(t, dir, "provider", `sleep 1000 >/dev/null 2>&1 &
echo $! >&2
wait`)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	p, err := NewProvider(strconv.Quote(script), ProviderOptions{Stderr: w})
	if err != nil {
		t.Fatal(err)
	}
	p.waitDelay = 50 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := p.Token(ctx)
		w.Close()
		done <- err
	}()
	pid := readPID(t, bufio.NewReader(r))
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Token after cancel = %v, want context.Canceled", err)
	}
	proctest.WaitGone(t, pid)
}
