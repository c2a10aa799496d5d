package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/internal/clock"
	"github.com/aignostics/aignostics/internal/iostreams"
)

// TestRunsExecuteLiveLineFits: on a terminal of 80 columns every line
// execute draws in place (the run's state, then the download) fits in it.
// The run's state was written whole ("\r\x1b[K" and the long form), so at
// 80 columns it wrapped and each rewrite left a row behind.
func TestRunsExecuteLiveLineFits(t *testing.T) {
	e := newStEnv(t, 1000)
	e.terminal, e.width = true, 80
	out := filepath.Join(e.dir, "results")
	r := e.want(0, "-o", "text", "runs", "execute", "test-app", "../../testdata/slides/aperio.svs", "--output-dir", out, "--interval", "1s")
	n := 0
	for _, seg := range strings.Split(r.stderr, "\r")[1:] {
		text := strings.ReplaceAll(strings.SplitN(seg, "\n", 2)[0], "\x1b[K", "")
		if text == "" {
			continue
		}
		if strings.HasPrefix(text, "run ") || strings.Contains(text, "ok") {
			n++
		}
		if c := utf8.RuneCountInString(text); c > 79 {
			t.Errorf("a line of %d columns drawn in place on a terminal of 80: %q", c, text)
		}
	}
	if n == 0 || !strings.Contains(r.stderr, "TERMINATED") {
		t.Errorf("no status line of the run in %q", r.stderr)
	}
}

// TestRunsExecuteInterruptedOnATerminal: Ctrl-C while the run is followed
// ends the live line, then says that the run goes on (exit 130). The note
// was written onto the live line, after its last text.
func TestRunsExecuteInterruptedOnATerminal(t *testing.T) {
	e := newStEnv(t, 1000)
	cliClock := clock.NewFake(e.clk.Now()) // the watch waits until cancelled
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out bytes.Buffer
	errb := &syncBuffer{drawn: make(chan struct{})}
	ios := iostreams.New(nil, &out, errb)
	ios.SetStderrTTY(true)
	ios.SetTerminalWidth(80)
	done := make(chan int, 1)
	go func() {
		done <- stMain(ctx, []string{"-o", "text", "runs", "execute", "test-app", "../../testdata/slides/aperio.svs", "--output-dir", filepath.Join(e.dir, "results")}, Env{
			IO:          ios,
			Getenv:      func(k string) (string, bool) { v, ok := e.env[k]; return v, ok },
			Environ:     []string{},
			TokenSource: httpx.StaticToken(e.token),
			Clock:       cliClock.Clock(),
		})
	}()
	<-errb.drawn // the run's live line is on the screen
	cancel()
	code := <-done
	s := errb.String()
	i := strings.Index(s, "interrupted: run ")
	if code != 130 || i < 1 || s[i-1] != '\n' || !strings.Contains(s[:i], "\rrun ") {
		t.Errorf("exit %d, stderr %q: want the live line ended, then the note", code, s)
	}
}

// syncBuffer is stderr written by the command while the test reads it;
// drawn is closed once the run's live line is drawn.
type syncBuffer struct {
	mu    sync.Mutex
	b     bytes.Buffer
	drawn chan struct{}
	once  sync.Once
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := s.b.Write(p)
	if strings.Contains(s.b.String(), "\rrun ") {
		s.once.Do(func() { close(s.drawn) })
	}
	return n, err
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
