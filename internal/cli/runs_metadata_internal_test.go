package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aignostics/aignostics/internal/iostreams"
)

func TestReadMetadataArg(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "md.json")
	if err := os.WriteFile(file, []byte("{\"a\": 1}\n\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		arg, stdin, want, err string
	}{
		{arg: `{"x":"y"}`, want: "map[x:y]"},
		{arg: "@" + file, want: "map[a:1]"},
		{arg: "-", stdin: `{"s":[1]}`, want: "map[s:[1]]"},
		{arg: "-", stdin: ``, err: "from stdin: expected a JSON object"},
		{arg: "-", stdin: `{} {}`, err: "found more"},
		{arg: "@" + filepath.Join(dir, "none"), err: "no such file"},
		{arg: "null", err: "expected a JSON object"},
		{arg: "[]", err: "expected a JSON object"},
	} {
		io := iostreams.New(strings.NewReader(tc.stdin), &bytes.Buffer{}, &bytes.Buffer{})
		f := &Factory{IO: io}
		m, err := readMetadataArg(f, tc.arg)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want %q", tc.arg, err, tc.err)
			}
			continue
		}
		if err != nil || fmt.Sprint(m) != tc.want {
			t.Errorf("%q: %v %v, want %s", tc.arg, m, err, tc.want)
		}
	}
}

// FuzzReadMetadataArg: metadata from stdin is untrusted bytes; any input
// gives an object or an error, never a panic.
func FuzzReadMetadataArg(f *testing.F) {
	f.Add([]byte(`{"a":1}`))
	f.Add([]byte(`{"a":{"b":[1,2,{"c":null}]}}`))
	f.Add([]byte(`{} trailing`))
	f.Add([]byte("\xff\xfe"))
	f.Fuzz(func(t *testing.T, data []byte) {
		io := iostreams.New(bytes.NewReader(data), &bytes.Buffer{}, &bytes.Buffer{})
		m, err := readMetadataArg(&Factory{IO: io}, "-")
		if err == nil && m == nil {
			t.Fatal("no error and no object")
		}
	})
}

// TestMetadataConflictHintWithoutChecksum: a 412 on metadata that has no
// checksum yet tells the user to drop --if-checksum; "--if-checksum none"
// (sent as the checksum "none") would only fail again.
func TestMetadataConflictHintWithoutChecksum(t *testing.T) {
	t.Parallel()
	e := newRunsEnv(t)
	run := e.create("hint", 1, "--no-sdk-metadata") // an item without custom metadata
	r := e.fails(2, []string{"current checksum none", "without --if-checksum"},
		"runs", "update-item-metadata", run, "hint-0", `{"a":1}`, "--if-checksum", "stale")
	if strings.Contains(r.stderr, "--if-checksum none") {
		t.Errorf("the hint suggests --if-checksum none: %s", r.stderr)
	}
	// And the advice holds: without --if-checksum the update goes through.
	e.ok("runs", "update-item-metadata", run, "hint-0", `{"a":1}`)
}
