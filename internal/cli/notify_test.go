package cli

import (
	"bytes"
	"context"
	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/internal/iostreams"
	"io"
	"strings"
	"testing"

	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/emulator/emulatortest"
)

// TestRetriesAreToldOnATerminal: when stderr is a terminal, each retry of a
// failing request is announced in one line; in a pipe stderr stays quiet.
func TestRetriesAreToldOnATerminal(t *testing.T) {
	t.Parallel()
	emu := emulatortest.StartTest(t, emulator.Options{})
	token, _, err := emu.IssueToken("")
	if err != nil {
		t.Fatal(err)
	}
	if err := emu.SetFaults("api:503@1"); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"AIGNOSTICS_API_ROOT": emu.URL(), "AIGNOSTICS_ENV_FILE": "/dev/null", "AIGNOSTICS_AUTHORIZATION_BACKOFF_SECONDS": "0.001"}
	for _, tty := range []bool{true, false} {
		var stderr bytes.Buffer
		ios := iostreams.New(nil, io.Discard, &stderr)
		ios.SetStderrTTY(tty)
		code := Main(context.Background(), []string{"applications", "list", "-o", "json"}, Env{
			IO:          ios,
			Getenv:      func(k string) (string, bool) { v, ok := env[k]; return v, ok },
			Environ:     []string{},
			TokenSource: httpx.TokenFunc(func(context.Context) (string, error) { return token, nil }),
		})
		if code != 1 {
			t.Fatalf("tty=%v: exit %d, want 1 after retries\n%s", tty, code, stderr.String())
		}
		notes := strings.Count(stderr.String(), "retrying in")
		if want := map[bool]int{true: 4, false: 0}[tty]; notes != want {
			t.Errorf("tty=%v: %d retry notes, want %d:\n%s", tty, notes, want, stderr.String())
		}
		if strings.Contains(stderr.String(), token) {
			t.Error("the token appeared on stderr")
		}
	}
}
