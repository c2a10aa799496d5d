package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/emulator/emulatortest"
)

// TestTokenProviderStdinOnlyWhenInteractive checks that the provider reads
// our stdin only when stdin and stderr are terminals.
func TestTokenProviderStdinOnlyWhenInteractive(t *testing.T) {
	t.Parallel()
	w := newPluginWorld(t)
	emu := emulatortest.StartTest(t, emulator.Options{})
	access, _, err := emu.IssueToken(emulator.DefaultSubject)
	if err != nil {
		t.Fatal(err)
	}
	// The provider asks for a code on stderr and answers with the token only
	// when it reads the right one.
	provider := filepath.Join(t.TempDir(), "prompting-provider")
	script := "#!/bin/sh\nprintf 'code: ' >&2\nread code || { echo 'no input' >&2; exit 5; }\n[ \"$code\" = 4242 ] || exit 6\necho '" + access + "'\n"
	if err := os.WriteFile(provider, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	w.vars["AIGNOSTICS_API_ROOT"] = emu.URL()
	w.vars["AIGNOSTICS_TOKEN_PROVIDER"] = provider
	for _, tc := range []struct {
		name       string
		terminal   bool
		wantCode   int
		wantStderr string
	}{
		{"interactive", true, 0, "code: "},
		{"not interactive", false, 4, "no input"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			env := w.env("4242\n", &stdout, &stderr)
			env.IO.SetStdinTTY(tc.terminal)
			env.IO.SetStdoutTTY(tc.terminal)
			env.IO.SetStderrTTY(tc.terminal)
			code := Main(context.Background(), []string{"-o", "json", "runs", "list"}, env)
			if code != tc.wantCode || !strings.Contains(stderr.String(), tc.wantStderr) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr.String(), tc.wantCode, tc.wantStderr)
			}
			if strings.Contains(stderr.String(), access) || strings.Contains(stdout.String(), access) {
				t.Error("the token was printed")
			}
		})
	}
}
