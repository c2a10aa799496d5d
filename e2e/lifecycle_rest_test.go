package e2e

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/emulator/emulatortest"
	"github.com/aignostics/aignostics/jwt"
)

// TestDocumentsEndToEnd: list a version's documents in every format and
// download one to stdout and, atomically, to a file.
func TestDocumentsEndToEnd(t *testing.T) {
	t.Parallel()
	emu := emulatortest.StartTest(t, emulator.Options{})
	c := ownerCLI(t, emu, emulator.DefaultSubject)
	r := c.ok("", "-o", "text", "versions", "documents", "test-app", "1.0.0")
	if !strings.HasPrefix(r.stdout, "NAME") || !strings.Contains(r.stdout, "README.md") || strings.Contains(r.stdout, "validation-report") {
		t.Fatalf("documents text:\n%s", r.stdout)
	}
	docs := decodeArray(t, c.ok("", "-o", "json", "versions", "documents", "test-app", "1.0.0").stdout)
	if len(docs) != 2 || docs[0]["mime_type"] == nil || docs[0]["visibility"] != "public" {
		t.Fatalf("documents json: %v", docs)
	}
	if l := jsonLines(t, c.ok("", "-o", "jsonl", "versions", "documents", "he-tme", "1.2.0").stdout); len(l) != 2 {
		t.Fatalf("documents jsonl: %v", l)
	}
	c.want(2, []string{"404"}, "versions", "documents", "test-app", "9.9.9")

	readme := c.ok("", "versions", "document", "test-app", "1.0.0", "README.md").stdout
	if !strings.HasPrefix(readme, "# Test Application 1.0.0\n") {
		t.Fatalf("README to stdout: %q", readme)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "ifu.pdf")
	for _, format := range []string{"text", "json", "jsonl"} {
		r = c.ok("", "-o", format, "versions", "document", "test-app", "1.0.0", "instructions-for-use.pdf", "--output-file", out)
		if format != "text" && decodeObject(t, r.stdout)["path"] != out {
			t.Fatalf("document %s: %s", format, r.stdout)
		}
		b, err := os.ReadFile(out)
		if err != nil || !bytes.HasPrefix(b, []byte("%PDF-1.4")) {
			t.Fatalf("saved document: %v %q", err, b)
		}
	}
	c.want(2, []string{"Document not found"}, "versions", "document", "test-app", "1.0.0", "validation-report.pdf", "--output-file", filepath.Join(dir, "x"))
	// A file where a directory is expected: exit 2, nothing left behind.
	blocker := filepath.Join(dir, "blocker")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	c.want(2, []string{"not a directory"}, "versions", "document", "test-app", "1.0.0", "README.md", "--output-file", filepath.Join(blocker, "r.md"))
	if _, err := os.Stat(filepath.Join(dir, "x")); !os.IsNotExist(err) {
		t.Fatalf("a failed download left a file: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".part") {
			t.Fatalf("temporary file left: %s", e.Name())
		}
	}
}

// TestItemMetadataEndToEnd: update an item's and a run's custom metadata
// from an argument, a file and stdin, with the checksum precondition.
func TestItemMetadataEndToEnd(t *testing.T) {
	t.Parallel()
	emu := emulatortest.StartTest(t, emulator.Options{Speed: 1000, ArtifactSize: 64})
	c := ownerCLI(t, emu, emulator.DefaultSubject)
	run := strings.TrimSpace(c.ok("", "runs", "create", "test-app", "--items", writeItems(t, c.home, 2, "md")).stdout)
	file := filepath.Join(c.home, "md.json")
	if err := os.WriteFile(file, []byte(`{"from":"file","n":[1,2]}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := c.ok("", "-o", "text", "runs", "update-item-metadata", run, "md-0", `{"from":"arg"}`)
	if !strings.Contains(r.stdout, `item "md-0"`) {
		t.Fatalf("text: %s", r.stdout)
	}
	r = c.ok("", "-o", "json", "runs", "update-item-metadata", run, "md-0", "@"+file)
	sum, _ := decodeObject(t, r.stdout)["custom_metadata_checksum"].(string)
	if sum == "" {
		t.Fatalf("json: %s", r.stdout)
	}
	r = c.ok(`{"from":"stdin"}`, "-o", "jsonl", "runs", "update-item-metadata", run, "md-1", "-")
	if l := jsonLines(t, r.stdout); len(l) != 1 || l[0]["external_id"] != "md-1" {
		t.Fatalf("jsonl: %s", r.stdout)
	}
	// The precondition: the right checksum passes, a stale one is exit 2
	// naming the current checksum.
	r = c.ok("", "-o", "json", "runs", "update-item-metadata", run, "md-0", `{"v":2}`, "--if-checksum", sum)
	current, _ := decodeObject(t, r.stdout)["custom_metadata_checksum"].(string)
	r = c.want(2, []string{"current checksum " + current, "412"}, "-o", "json", "runs", "update-item-metadata", run, "md-0", `{"v":3}`, "--if-checksum", sum)
	if !strings.Contains(r.stderr, `"error":"conflict"`) {
		t.Fatalf("412 in json: %s", r.stderr)
	}
	c.want(2, []string{"JSON object"}, "runs", "update-item-metadata", run, "md-0", `[1]`)
	c.want(2, []string{"no such file"}, "runs", "update-item-metadata", run, "md-0", "@"+filepath.Join(c.home, "none.json"))
	c.want(2, []string{"404"}, "runs", "update-item-metadata", run, "nope", `{}`)
	big := filepath.Join(c.home, "big.json")
	if err := os.WriteFile(big, []byte(`{"x":"`+strings.Repeat("a", 17<<20)+`"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	c.want(2, []string{"larger than 16 MiB"}, "runs", "update-item-metadata", run, "md-0", "@"+big)

	// The run's metadata from a file and from stdin; a stale checksum names the current one.
	c.ok("", "runs", "update-metadata", run, "@"+file)
	r = c.ok(`{"run":"stdin"}`, "-o", "json", "runs", "update-metadata", run, "-")
	runSum, _ := decodeObject(t, r.stdout)["custom_metadata_checksum"].(string)
	c.want(2, []string{"current checksum " + runSum}, "runs", "update-metadata", run, `{}`, "--if-checksum", "stale")

	// describe shows the items' metadata in every format.
	r = c.ok("", "-o", "text", "runs", "describe", run, "--with-items")
	if !strings.Contains(r.stdout, "CUSTOM_METADATA") || !strings.Contains(r.stdout, `{"v":2}`) || !strings.Contains(r.stdout, current) ||
		!strings.Contains(r.stdout, `{"from":"stdin"}`) {
		t.Fatalf("describe text:\n%s", r.stdout)
	}
	d := decodeObject(t, c.ok("", "-o", "json", "runs", "describe", run, "--with-items").stdout)
	its, _ := d["items"].([]any)
	if len(its) != 2 || fmt.Sprint(its[0].(map[string]any)["custom_metadata"]) != "map[v:2]" {
		t.Fatalf("describe json items: %v", d["items"])
	}
	if l := jsonLines(t, c.ok("", "-o", "jsonl", "runs", "describe", run, "--with-items").stdout); len(l) != 1 ||
		fmt.Sprint(l[0]["custom_metadata"]) != "map[run:stdin]" {
		t.Fatalf("describe jsonl: %v", l)
	}
}

// TestPythonSDKTokenEndToEnd: a Python SDK .token for this environment is
// used (and whoami says so) and never rewritten; one for another
// environment (its audience, issuer and key id) is refused with exit 4,
// naming the file. (A forged signature: oauth's TestPythonSDKToken.)
func TestPythonSDKTokenEndToEnd(t *testing.T) {
	t.Parallel()
	emu := emulatortest.StartTest(t, emulator.Options{})
	other := emulatortest.StartTest(t, emulator.Options{})
	write := func(c *cli, tok string, exp int64) string {
		t.Helper()
		dir := c.env["AIGNOSTICS_CACHE_DIR"]
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, ".token")
		if err := os.WriteFile(p, []byte(fmt.Sprintf("%s:%d", tok, exp)), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	expOf := func(tok string) int64 {
		pt, err := jwt.Parse(tok)
		if err != nil {
			t.Fatal(err)
		}
		return pt.Claims.ExpiresAt
	}

	good, _, err := emu.IssueToken(emulator.DefaultSubject)
	if err != nil {
		t.Fatal(err)
	}
	c := newCLI(t, emu)
	path := write(c, good, expOf(good))
	info := decodeObject(t, c.ok("", "-o", "json", "platform", "whoami").stdout)
	src, _ := info["token_source"].(map[string]any)
	if src["kind"] != "python-sdk" || src["file"] != path {
		t.Fatalf("whoami token_source: %v", info["token_source"])
	}
	if r := c.ok("", "-o", "text", "platform", "whoami"); !strings.Contains(r.stdout, "token source:") || !strings.Contains(r.stdout, "python-sdk ("+path+")") {
		t.Fatalf("whoami text:\n%s", r.stdout)
	}
	c.ok("", "-o", "jsonl", "runs", "list")
	if b, _ := os.ReadFile(path); string(b) != fmt.Sprintf("%s:%d", good, expOf(good)) {
		t.Fatal("the .token file was rewritten")
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) > 2 { // .token and our lock file at most
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		if strings.Contains(strings.Join(names, " "), ".json") {
			t.Fatalf("a cache file was written from the Python token: %v", names)
		}
	}

	// Other sources: a token provider, our own cache after a login.
	prov := decodeObject(t, ownerCLI(t, emu, emulator.DefaultSubject).ok("", "-o", "json", "platform", "whoami").stdout)
	if src, _ := prov["token_source"].(map[string]any); src["kind"] != "provider" {
		t.Fatalf("whoami with a provider: %v", prov["token_source"])
	}
	c.ok("", "platform", "login", "--device")
	own := decodeObject(t, c.ok("", "-o", "json", "platform", "whoami").stdout)
	if src, _ := own["token_source"].(map[string]any); src["kind"] != "cache" || !strings.HasSuffix(src["file"].(string), ".json") {
		t.Fatalf("whoami after a login: %v", own["token_source"])
	}

	foreign, _, err := other.IssueToken(emulator.DefaultSubject)
	if err != nil {
		t.Fatal(err)
	}
	c2 := newCLI(t, emu)
	p2 := write(c2, foreign, expOf(foreign))
	r := c2.run(nil, "", "runs", "list")
	if r.code != 4 || !strings.Contains(r.stderr, p2) || !strings.Contains(r.stderr, "was not used") || strings.Contains(r.stderr, foreign) {
		t.Fatalf("another environment's token: exit %d\n%s", r.code, r.stderr)
	}
}
