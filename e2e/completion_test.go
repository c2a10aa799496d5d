package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/emulator/emulatortest"
)

// TestBashCompletion loads the script `aignostics completion bash` prints
// into bash, presses TAB (calls the completion function with COMP_LINE,
// COMP_POINT, COMP_WORDS and COMP_CWORD set as bash's readline sets them)
// and reads COMPREPLY: commands, flags, flag values, application ids and
// versions, and the run ids of the logged-in user, from the real binary
// against the emulator.
func TestBashCompletion(t *testing.T) {
	t.Parallel()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not installed")
	}
	emu := emulatortest.StartTest(t, emulator.Options{})
	c := newCLI(t, emu)
	c.login()
	dir := t.TempDir()
	runID := strings.TrimSpace(c.must("runs", "create", "test-app", "--items", writeItems(t, dir, 1, "cmp")))

	script := filepath.Join(dir, "aignostics.bash")
	if err := os.WriteFile(script, []byte(c.must("completion", "bash")), 0o600); err != nil {
		t.Fatal(err)
	}
	binDir := filepath.Dir(binary)
	// tab completes line as bash would and returns COMPREPLY.
	tab := func(line string) []string {
		t.Helper()
		// COMP_WORDS as bash splits them (COMP_WORDBREAKS: space, =, :):
		// = and : are words of their own, and a line that ends in one has it
		// as the current word ("--output=": "--output" "=", cur "="), while
		// readline replaces only what follows it (checked in tmux: the
		// script took the ":" as the text replaced, and "--output=" became
		// "--output==").
		prog := `source "$1"
line="$2"
COMP_LINE="$line"; COMP_POINT=${#line}
read -ra COMP_WORDS <<< "$(printf '%s' "$line" | sed -e 's/\([=:]\)/ \1 /g')"
if [[ "$line" == *" " ]]; then COMP_WORDS+=(""); fi
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
_aignostics
printf '%s\n' "${COMPREPLY[@]}"`
		cmd := exec.Command(bash, "--norc", "--noprofile", "-c", prog, "bash", script, line)
		cmd.Env = c.environ(map[string]string{"PATH": binDir + ":" + os.Getenv("PATH")})
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("bash completion of %q: %v", line, err)
		}
		return strings.Fields(string(out))
	}
	for _, tc := range []struct {
		line string
		has  []string
		not  []string
	}{
		{"aignostics ", []string{"runs", "run", "applications", "platform", "completion"}, []string{"__complete"}},
		{"aignostics ru", []string{"runs", "run"}, []string{"platform"}},
		{"aignostics runs ", []string{"list", "watch", "download", "delete-artifacts"}, nil},
		{"aignostics runs list --app", []string{"--application-id=", "--application-version="}, []string{"--limit="}},
		{"aignostics -o ", []string{"json", "jsonl", "wide"}, nil},
		{"aignostics runs list --application-id ", []string{"test-app", "he-tme"}, nil},
		{"aignostics versions describe he-tme ", []string{"1.0.0", "1.2.0"}, []string{"0.9.0"}},
		{"aignostics runs create test-app:1.", []string{"1.0.0", "1.1.0", "1.1.0-rc.1"}, nil},
		{"aignostics runs create test-app:", []string{"1.0.0", "1.1.0", "0.9.0"}, []string{":1.0.0"}},
		{"aignostics runs list --output=", []string{"json", "jsonl"}, []string{"=json"}},
		{"aignostics runs watch ", []string{"latest", runID}, nil},
		{"aignostics run describe " + runID[:4], []string{runID}, []string{"latest"}},
		{"aignostics platform token --format ", []string{"raw", "json", "exec-credential"}, nil},
	} {
		got := tab(tc.line)
		for _, w := range tc.has {
			if !slices.Contains(got, w) {
				t.Errorf("%q<TAB>: %q lacks %q", tc.line, got, w)
			}
		}
		for _, w := range tc.not {
			if slices.Contains(got, w) {
				t.Errorf("%q<TAB>: %q offers %q", tc.line, got, w)
			}
		}
	}
	// Logged out, a TAB never starts a login: commands still complete,
	// dynamic values are simply absent.
	c.must("platform", "logout")
	if got := tab("aignostics runs watch "); !slices.Contains(got, "latest") || len(got) != 1 {
		t.Errorf("logged out: %q", got)
	}
	if got := tab("aignostics pla"); !slices.Equal(got, []string{"platform"}) {
		t.Errorf("logged out, commands: %q", got)
	}
}

// TestFishCompletion: the fish script, through fish's own `complete -C`.
func TestFishCompletion(t *testing.T) {
	t.Parallel()
	fish, err := exec.LookPath("fish")
	if err != nil {
		t.Skip("fish not installed")
	}
	emu := emulatortest.StartTest(t, emulator.Options{})
	c := newCLI(t, emu)
	c.login()
	dir := t.TempDir()
	runID := strings.TrimSpace(c.must("runs", "create", "test-app", "--items", writeItems(t, dir, 1, "fish")))
	script := filepath.Join(dir, "aignostics.fish")
	if err := os.WriteFile(script, []byte(c.must("completion", "fish")), 0o600); err != nil {
		t.Fatal(err)
	}
	for line, want := range map[string]string{
		"aignostics runs wa":                   "watch\tFollow a run",
		"aignostics runs watch ":               runID + "\ttest-app:1.1.0",
		"aignostics versions describe he-tme ": "1.2.0\treleased",
	} {
		cmd := exec.Command(fish, "--no-config", "-c", `source $argv[1]; complete -C $argv[2]`, script, line)
		cmd.Env = c.environ(map[string]string{"PATH": filepath.Dir(binary) + ":" + os.Getenv("PATH")})
		out, err := cmd.Output()
		if err != nil || !strings.Contains(string(out), want) {
			t.Errorf("fish %q<TAB>: %q (%v), want %q", line, out, err, want)
		}
	}
}

// TestCompletionNeverCutsARefresh: a TAB whose token needs a refresh lets
// the refresh finish, however slow the token endpoint: cut at the TAB's
// deadline after it was sent, it was recorded as unanswered, and as a
// refresh token is never sent twice, the next command once the access
// token ran out asked for a login.
func TestCompletionNeverCutsARefresh(t *testing.T) {
	// Under the refresh margin: every new process refreshes.
	emu := emulatortest.StartTest(t, emulator.Options{TokenLifetime: 4 * time.Minute})
	c := newCLI(t, emu)
	c.login()
	c.must("runs", "create", "test-app", "--items", writeItems(t, t.TempDir(), 1, "tab"))
	cache := func() map[string]any {
		t.Helper()
		files, _ := filepath.Glob(filepath.Join(c.home, "cache", "*.json"))
		if len(files) != 1 {
			t.Fatalf("token cache files %v", files)
		}
		b, err := os.ReadFile(files[0])
		if err != nil {
			t.Fatal(err)
		}
		var v map[string]any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	before := cache()
	if err := emu.SetFaults("auth:delay=4s@1"); err != nil { // longer than a TAB may take
		t.Fatal(err)
	}
	c.must("__complete", "--line", "aignostics runs watch ")
	after := cache()
	if _, ok := after["refresh_unanswered_at"]; ok {
		t.Errorf("the TAB cut a refresh: the login is lost once the access token expires")
	}
	if after["access_token"] == before["access_token"] {
		t.Errorf("no refreshed token was saved")
	}
}
