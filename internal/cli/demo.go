package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aignostics/aignostics/checksum"
	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/internal/iostreams"
)

// selfCommand is how the user can run this program again: "go run ." when
// it was built by go run (a go-build temporary directory), "aignostics"
// when that name on PATH is this binary, else its path.
func selfCommand(f *Factory) string {
	exe := f.Executable
	if exe == "" {
		exe, _ = os.Executable()
	}
	if exe == "" {
		return "aignostics"
	}
	if strings.Contains(filepath.ToSlash(exe), "/go-build") {
		return "go run ."
	}
	pathEnv, _ := f.Getenv("PATH")
	for _, dir := range filepath.SplitList(pathEnv) {
		if dir != "" && filepath.Join(dir, "aignostics") == exe {
			return "aignostics"
		}
	}
	return exe
}

// DemoCmd runs the whole job against an emulator started in this process:
// login, applications, a run of three slides, watch, verified download.
type DemoCmd struct {
	Dir   string  `help:"Folder for the downloaded results (default: a new temporary folder)." placeholder:"DIR"`
	Speed float64 `help:"How much faster than real time the emulated platform processes slides." default:"4"`
}

// demoStep is one command of the demo and its real-platform counterpart.
type demoStep struct {
	title string
	args  []string
	real  string
}

// Run starts the emulator, runs each step through the real commands and
// says where everything is.
func (c *DemoCmd) Run(ctx context.Context, f *Factory) error {
	stderr := f.IO.ErrOut
	work, err := os.MkdirTemp("", "aignostics-demo-")
	if err != nil {
		return fmt.Errorf("demo: create work folder: %w", err)
	}
	dir := c.Dir
	if dir == "" {
		dir = filepath.Join(work, "results")
	}
	emu, err := emulator.Start(emulator.Options{Speed: c.Speed, ArtifactSize: 256 << 10, Seed: f.Clock.Now().UnixNano()}, "127.0.0.1:0", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("demo: start the emulator: %w", err)
	}
	defer emu.Close()

	items := filepath.Join(work, "items.jsonl")
	if err := writeDemoItems(items); err != nil {
		return err
	}
	vars := map[string]string{
		"AIGNOSTICS_API_ROOT":                emu.URL(),
		"AIGNOSTICS_CACHE_DIR":               filepath.Join(work, "cache"),
		"AIGNOSTICS_ENV_FILE":                os.DevNull,
		"AIGNOSTICS_OUTPUT":                  "text",
		"AIGNOSTICS_REQUEST_TIMEOUT_SECONDS": "30",
		// The user's event hooks are not told about the demo's runs.
		"XDG_CONFIG_HOME": filepath.Join(work, "config"),
	}
	env := f.env
	env.Getenv = func(k string) (string, bool) {
		if v, ok := vars[k]; ok {
			return v, true
		}
		if strings.HasPrefix(k, "AIGNOSTICS_") {
			return "", false // the user's own settings must not leak into the demo
		}
		return f.Getenv(k)
	}
	env.IO = narrative(f.IO, stderr, f.IO.IsStderrTTY()) // the demo's own output is the narrative on stderr
	env.TokenSource = nil

	fmt.Fprintf(stderr, "Started an emulated Aignostics Platform at %s (storage %s).\n", emu.URL(), emu.StorageURL())
	fmt.Fprintf(stderr, "Its token cache is %s; yours is untouched.\n\n", vars["AIGNOSTICS_CACHE_DIR"])

	var runID string
	steps := []demoStep{
		{"Log in with the device flow (approved automatically by the emulator)", []string{"platform", "login", "--device"}, "aignostics platform login"},
		{"Who am I?", []string{"platform", "whoami"}, "aignostics platform whoami"},
		{"List the applications", []string{"applications", "list"}, "aignostics applications list"},
		{"Create a run of three slides with the latest test-app version", []string{"runs", "create", "test-app", "--items", items}, "aignostics runs create APP --items items.jsonl"},
		{"Watch it to the end", []string{"runs", "watch", "RUN", "--interval", "500ms"}, "aignostics runs watch RUN"},
		{"Download and verify the results", []string{"runs", "download", "RUN", dir}, "aignostics runs download RUN ./results"},
	}
	start := f.Now()
	for i, st := range steps {
		for j, a := range st.args {
			if a == "RUN" {
				st.args[j] = runID
			}
		}
		fmt.Fprintf(stderr, "== %d. %s\n$ aignostics %s\n", i+1, st.title, strings.Join(st.args, " "))
		var out bytes.Buffer
		stepEnv := env
		if st.args[0] == "runs" && st.args[1] == "create" {
			stepEnv.IO = narrative(env.IO, &out, false)
		}
		if code, kind := run(ctx, &CLI{}, st.args, stepEnv); code != 0 {
			return cliErrorf(kind, "demo step %d (aignostics %s) failed with exit code %d", i+1, strings.Join(st.args, " "), code)
		}
		if out.Len() > 0 {
			runID = strings.TrimSpace(out.String())
			fmt.Fprintln(stderr, runID)
		}
		fmt.Fprintf(stderr, "   on the real platform: %s\n\n", st.real)
	}
	files, bytesTotal, err := verifyTree(filepath.Join(dir, runID))
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "Done in %s: run %s, %d result files (%d bytes) in %s, each CRC32C-verified.\n",
		f.Now().Sub(start).Round(100*time.Millisecond), runID, files, bytesTotal, filepath.Join(dir, runID))
	self := selfCommand(f)
	fmt.Fprintf(stderr, "Items file: %s\nTo try the emulator yourself: %s emulator, then in another terminal: AIGNOSTICS_API_ROOT=http://127.0.0.1:8780 %s platform login\n", items, self, self)
	if self == "go run ." {
		fmt.Fprintf(stderr, "(or build the binary once: go build -o aignostics . && ./aignostics emulator)\n")
	}
	return f.Output().Value(filepath.Join(dir, runID), map[string]any{"run_id": runID, "results": filepath.Join(dir, runID), "files": files, "bytes": bytesTotal})
}

// narrative is ios with results going to w instead (a terminal or not).
func narrative(ios *iostreams.IOStreams, w io.Writer, tty bool) *iostreams.IOStreams {
	c := *ios
	c.Out = w
	c.SetStdoutTTY(tty)
	return &c
}

// writeDemoItems writes three slides as JSON Lines items.
func writeDemoItems(path string) error {
	var b bytes.Buffer
	for i := 1; i <= 3; i++ {
		item := map[string]any{
			"external_id": fmt.Sprintf("slide-%d", i),
			"input_artifacts": []map[string]any{{
				"name":         "whole_slide_image",
				"download_url": fmt.Sprintf("https://example.org/slides/slide-%d.tiff", i),
				"metadata": map[string]any{
					"checksum_base64_crc32c": checksum.Encode(uint32(0x1234567 * i)),
					"width_px":               40000 + i,
					"height_px":              30000 + i,
					"resolution_mpp":         0.25,
					"media_type":             "image/tiff",
				},
			}},
		}
		line, err := json.Marshal(item)
		if err != nil {
			return err
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		return fmt.Errorf("demo: write items: %w", err)
	}
	return nil
}

// verifyTree counts the downloaded files under dir and checks that no
// partial download is left.
func verifyTree(dir string) (files int, total int64, err error) {
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if strings.HasSuffix(p, ".part") {
			return fmt.Errorf("demo: partial download left behind: %s", p)
		}
		if strings.HasSuffix(p, ".etag") {
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		n, err := io.Copy(io.Discard, f)
		files++
		total += n
		return err
	})
	return files, total, err
}
