package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/emulator/emulatortest"
)

// TestBadInput runs bad input through the binary: each case must end with its
// documented exit code and a one-line message, never a stack trace.
func TestBadInput(t *testing.T) {
	t.Parallel()
	emu := emulatortest.StartTest(t, emulator.Options{Speed: 1000, ArtifactSize: 4 << 10})
	c := newCLI(t, emu)
	c.login()
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := writeItems(t, dir, 2, "good")
	runID := strings.TrimSpace(c.must("runs", "create", "test-app", "--items", good))
	c.must("runs", "watch", runID, "--interval", "50ms", "--max-wait", "1m")
	aFile := write("a-file", "x")
	garbagePEM := write("bundle.pem", "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n")
	badEnv := write("bad.env", "AIGNOSTICS_API_ROOT='unterminated\n")
	corruptCacheHome := t.TempDir()
	os.MkdirAll(filepath.Join(corruptCacheHome, "cache"), 0o700)

	item := func(extID, name, meta string) string {
		return `{"external_id":"` + extID + `","input_artifacts":[{"name":"` + name + `","download_url":"https://example.org/x.tiff","metadata":` + meta + `}]}`
	}
	okMeta := `{"checksum_base64_crc32c":"AAAAAA==","width_px":10,"height_px":10,"resolution_mpp":0.25,"media_type":"image/tiff"}`

	cases := []struct {
		name string
		env  map[string]string
		args []string
		code int
	}{
		{"unknown flag", nil, []string{"applications", "list", "--bogus"}, 2},
		{"unknown command", nil, []string{"frobnicate"}, 2},
		{"missing argument", nil, []string{"runs", "describe"}, 2},
		{"output format", nil, []string{"-o", "yaml", "applications", "list"}, 2},
		{"negative timeout", nil, []string{"--timeout", "-5s", "applications", "list"}, 2},
		{"items file missing", nil, []string{"runs", "create", "test-app", "--items", filepath.Join(dir, "nope.jsonl")}, 2},
		{"items file is a directory", nil, []string{"runs", "create", "test-app", "--items", dir}, 2},
		{"items malformed JSON", nil, []string{"runs", "create", "test-app", "--items", write("bad.jsonl", "{\"external_id\": \n")}, 2},
		{"items empty", nil, []string{"runs", "create", "test-app", "--items", write("empty.json", "[]")}, 2},
		{"items duplicate external ids", nil, []string{"runs", "create", "test-app", "--items", write("dup.jsonl", item("a", "whole_slide_image", okMeta)+"\n"+item("a", "whole_slide_image", okMeta)+"\n")}, 2},
		{"items unknown artifact", nil, []string{"runs", "create", "test-app", "--items", write("unk.jsonl", item("a", "no_such_input", okMeta)+"\n")}, 2},
		{"items metadata against schema", nil, []string{"runs", "create", "test-app", "--items", write("meta.jsonl", item("a", "whole_slide_image", `{"width_px":"wide"}`)+"\n")}, 2},
		{"empty version", nil, []string{"runs", "create", "test-app:", "--items", good}, 2},
		{"unknown application", nil, []string{"runs", "create", "no-such-app", "--items", good}, 2},
		{"unknown version", nil, []string{"versions", "describe", "test-app", "9.9.9"}, 2},
		{"custom metadata not JSON", nil, []string{"runs", "create", "test-app", "--items", good, "--custom-metadata", "{bad"}, 2},
		{"custom metadata not an object", nil, []string{"runs", "create", "test-app", "--items", good, "--custom-metadata", "[1]"}, 2},
		{"unknown run", nil, []string{"runs", "describe", "00000000-0000-0000-0000-000000000000"}, 2},
		{"malformed run id", nil, []string{"runs", "describe", "not-a-run"}, 2},
		{"page size out of range", nil, []string{"runs", "list", "--page-size", "1000"}, 2},
		{"update metadata not JSON", nil, []string{"runs", "update-metadata", runID, "{nope"}, 2},
		{"cancel a finished run", nil, []string{"runs", "cancel", runID}, 2},
		{"api root not http", map[string]string{"AIGNOSTICS_API_ROOT": "ftp://example.org"}, []string{"applications", "list"}, 2},
		{"unknown api root", map[string]string{"AIGNOSTICS_API_ROOT": "https://unknown.example.org"}, []string{"applications", "list"}, 2},
		{"timeout setting not a number", map[string]string{"AIGNOSTICS_REQUEST_TIMEOUT_SECONDS": "soon"}, []string{"applications", "list"}, 2},
		{"CA bundle missing", map[string]string{"REQUESTS_CA_BUNDLE": filepath.Join(dir, "none.pem")}, []string{"applications", "list"}, 2},
		{"CA bundle unreadable", map[string]string{"REQUESTS_CA_BUNDLE": garbagePEM}, []string{"applications", "list"}, 2},
		{"env file malformed", map[string]string{"AIGNOSTICS_ENV_FILE": badEnv}, []string{"applications", "list"}, 2},
		{"download folder is a file", nil, []string{"runs", "download", runID, filepath.Join(aFile, "sub")}, 2},
		{"bad gs url", nil, []string{"storage", "sign", "gs://Bad_Bucket!/x"}, 2},
		{"signed url too long", nil, []string{"storage", "sign", "gs://bucket/x", "--expires", "200h", "--credentials", aFile}, 2},
		{"no login, non-interactive", map[string]string{"AIGNOSTICS_CACHE_DIR": filepath.Join(dir, "empty-cache")}, []string{"applications", "list"}, 4},
		{"corrupt token cache", map[string]string{"AIGNOSTICS_CACHE_DIR": filepath.Join(corruptCacheHome, "cache")}, []string{"runs", "list"}, 4},
		{"token provider fails", map[string]string{"AIGNOSTICS_TOKEN_PROVIDER": "false"}, []string{"applications", "list"}, 4},
		{"login refused with a token provider", map[string]string{"AIGNOSTICS_TOKEN_PROVIDER": "echo abc"}, []string{"platform", "login"}, 2},
	}
	// The corrupt cache: every file the real login wrote, garbled.
	entries, _ := os.ReadDir(filepath.Join(c.home, "cache"))
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") {
			os.WriteFile(filepath.Join(corruptCacheHome, "cache", e.Name()), []byte("{not json"), 0o600)
		}
	}
	if len(cases) < 25 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, format := range []string{"text", "json"} {
				env := map[string]string{"AIGNOSTICS_OUTPUT": format}
				for k, v := range tc.env {
					env[k] = v
				}
				r := c.run(env, "", tc.args...)
				if r.code != tc.code {
					t.Fatalf("%s: exit %d, want %d\nstdout: %s\nstderr: %s", format, r.code, tc.code, r.stdout, r.stderr)
				}
				lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
				if msg := lines[len(lines)-1]; msg == "" {
					t.Fatalf("%s: no error message", format)
				} else if format == "json" && !strings.HasPrefix(msg, `{"error":`) {
					t.Fatalf("json: last stderr line is not a JSON error: %q", msg)
				}
				// Item validation lists every problem on its own line before the error.
				if len(lines) > 1 && tc.env["AIGNOSTICS_TOKEN_PROVIDER"] == "" && !strings.HasPrefix(tc.name, "items ") {
					t.Fatalf("%s: error is not one line:\n%s", format, r.stderr)
				}
			}
		})
	}
}
