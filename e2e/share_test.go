package e2e

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/emulator/emulatortest"
)

// ownerCLI is a cli whose token provider prints a token emu issued for sub.
func ownerCLI(t *testing.T, emu *emulator.Emulator, sub string) *cli {
	t.Helper()
	c := newCLI(t, emu)
	access, _, err := emu.IssueToken(sub)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(c.home, "token")
	if err := os.WriteFile(p, []byte(access), 0o600); err != nil {
		t.Fatal(err)
	}
	c.env["AIGNOSTICS_TOKEN_PROVIDER"] = "cat " + p
	return c
}

// ok runs c and fails the test unless it exits 0.
func (c *cli) ok(stdin string, args ...string) result {
	c.t.Helper()
	r := c.run(nil, stdin, args...)
	if r.code != 0 {
		c.t.Fatalf("aignostics %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

// want runs c and fails the test unless it exits code with stderr holding every part.
func (c *cli) want(code int, parts []string, args ...string) result {
	c.t.Helper()
	r := c.run(nil, "", args...)
	if r.code != code {
		c.t.Fatalf("aignostics %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, code, r.stdout, r.stderr)
	}
	for _, p := range parts {
		if !strings.Contains(r.stderr, p) {
			c.t.Fatalf("aignostics %s: stderr lacks %q:\n%s", strings.Join(args, " "), p, r.stderr)
		}
	}
	return r
}

func decodeObject(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, s)
	}
	return m
}

func decodeArray(t *testing.T, s string) []map[string]any {
	t.Helper()
	var l []map[string]any
	if err := json.Unmarshal([]byte(s), &l); err != nil {
		t.Fatalf("not a JSON array: %v\n%s", err, s)
	}
	return l
}

// TestSharingEndToEnd: share a run with an organization and by token, read
// it with the token alone (no login) through describe, items, results and
// download, in every format; the token never reaches stderr or the -v log.
func TestSharingEndToEnd(t *testing.T) {
	t.Parallel()
	emu := emulatortest.StartTest(t, emulator.Options{Speed: 1000, ArtifactSize: 1024})
	owner := ownerCLI(t, emu, emulator.DefaultSubject)
	items := writeItems(t, owner.home, 2, "shared")
	run := strings.TrimSpace(owner.ok("", "runs", "create", "test-app", "--items", items).stdout)
	other := strings.TrimSpace(owner.ok("", "runs", "create", "test-app", "--items", items).stdout)

	// Organization grants: text, json, jsonl.
	r := owner.ok("", "-o", "text", "runs", "share", run, "--organization", "org_partner")
	if !strings.Contains(r.stdout, "subject_type:  organization_user") || !strings.Contains(r.stdout, "relation:      viewer") {
		t.Fatalf("share text:\n%s", r.stdout)
	}
	g := decodeObject(t, owner.ok("", "-o", "json", "runs", "share", run, "--organization", "org_b").stdout)
	grantB, _ := g["grant_id"].(string)
	if g["resource_id"] != run || g["subject_id"] != "org_b" || !uuidRE.MatchString(grantB) {
		t.Fatalf("share json: %v", g)
	}
	g = decodeObject(t, owner.ok("", "-o", "jsonl", "runs", "share", other, "--organization", "org_c").stdout)
	grantOther := g["grant_id"].(string)
	owner.want(2, []string{"--organization"}, "runs", "share", run)

	r = owner.ok("", "-o", "text", "runs", "grants", run)
	if !strings.HasPrefix(r.stdout, "GRANT_ID") || !strings.Contains(r.stdout, "org_partner") || !strings.Contains(r.stdout, grantB) {
		t.Fatalf("grants text:\n%s", r.stdout)
	}
	if l := decodeArray(t, owner.ok("", "-o", "json", "runs", "grants", run).stdout); len(l) != 2 {
		t.Fatalf("grants json: %v", l)
	}
	if l := jsonLines(t, owner.ok("", "-o", "jsonl", "runs", "grants", other).stdout); len(l) != 1 || l[0]["grant_id"] != grantOther {
		t.Fatalf("grants jsonl: %v", l)
	}
	// Unshare: only a grant of this run; twice is a conflict.
	owner.want(2, []string{"not shared on this run", "nothing revoked"}, "runs", "unshare", run, grantOther)
	r = owner.ok("", "-o", "json", "runs", "unshare", run, grantB)
	if decodeObject(t, r.stdout)["revoked"] != true {
		t.Fatalf("unshare json: %s", r.stdout)
	}
	r = owner.ok("", "-o", "text", "runs", "unshare", other, grantOther)
	if !strings.Contains(r.stdout, "Grant "+grantOther+" on run "+other+" revoked.") {
		t.Fatalf("unshare text: %s", r.stdout)
	}
	if l := jsonLines(t, owner.ok("", "-o", "jsonl", "runs", "grants", other).stdout); len(l) != 1 || l[0]["revoked"] != true {
		t.Fatalf("grants after unshare: %v", l)
	}
	owner.want(2, []string{"409", "already revoked"}, "runs", "unshare", run, grantB)

	// A share token: on stdout once, bare; its id on stderr.
	r = owner.ok("", "runs", "share-token", "create", run, "--expires", "2h")
	token := strings.TrimSpace(r.stdout)
	if token == "" || strings.Contains(token, "\n") || strings.Contains(r.stderr, token) || !strings.Contains(r.stderr, "shown only this once") {
		t.Fatalf("share-token create: stdout %q stderr %q", r.stdout, r.stderr)
	}
	created := decodeObject(t, owner.ok("", "-o", "json", "runs", "share-token", "create", run).stdout)
	token2, _ := created["share_token"].(string)
	tokenID2, _ := created["share_token_id"].(string)
	if token2 == "" || created["run_id"] != run || created["grant_id"] == nil || created["expires_at"] != nil {
		t.Fatalf("share-token create json: %v", created)
	}
	r = owner.ok("", "-o", "jsonl", "runs", "share-token", "create", run, "--expires", "1h")
	if l := jsonLines(t, r.stdout); len(l) != 1 || l[0]["share_token"] == "" || l[0]["expires_at"] == nil {
		t.Fatalf("share-token create jsonl: %s", r.stdout)
	}
	token3 := l0(jsonLines(t, r.stdout))["share_token"].(string)
	owner.want(2, []string{"--expires"}, "runs", "share-token", "create", run, "--expires", "-1h")
	secrets := []string{token, token2, token3}
	noSecret := func(what string, r result) {
		t.Helper()
		for _, s := range secrets {
			if strings.Contains(r.stderr, s) {
				t.Fatalf("%s: a share token is on stderr:\n%s", what, r.stderr)
			}
		}
	}
	for _, format := range []string{"text", "json", "jsonl"} {
		r = owner.ok("", "-o", format, "runs", "share-token", "list", run)
		noSecret("list", r)
		if strings.Contains(r.stdout, token) || strings.Contains(r.stdout, token2) || !strings.Contains(r.stdout, tokenID2) {
			t.Fatalf("share-token list %s:\n%s", format, r.stdout)
		}
	}
	if l := decodeArray(t, owner.ok("", "-o", "json", "runs", "share-token", "list", run).stdout); len(l) != 3 || l[0]["expires_at"] == nil && l[1]["expires_at"] == nil {
		t.Fatalf("share-token list json: %v", l)
	}
	if l := decodeArray(t, owner.ok("", "-o", "json", "runs", "share-token", "list", other).stdout); len(l) != 0 {
		t.Fatalf("tokens of another run: %v", l)
	}

	// The reader: no login, no provider, an empty cache; -v everywhere.
	reader := newCLI(t, emu)
	read := func(extra map[string]string, args ...string) result {
		t.Helper()
		r := reader.run(extra, "", args...)
		noSecret(strings.Join(args, " "), r)
		if r.code != 0 {
			t.Fatalf("reader %s: exit %d\n%s", strings.Join(args, " "), r.code, r.stderr)
		}
		if !strings.Contains(r.stderr, "share_token=REDACTED") {
			t.Fatalf("reader %s: the -v log does not show the redacted query:\n%s", strings.Join(args, " "), r.stderr)
		}
		return r
	}
	for _, format := range []string{"text", "json", "jsonl"} {
		r = read(nil, "-v", "-o", format, "--share-token", token, "runs", "describe", run, "--with-items")
		if !strings.Contains(r.stdout, run) || !strings.Contains(r.stdout, "shared-1") {
			t.Fatalf("describe %s:\n%s", format, r.stdout)
		}
		r = read(map[string]string{"AIGNOSTICS_SHARE_TOKEN": token}, "-v", "-o", format, "runs", "items", run)
		if !strings.Contains(r.stdout, "shared-0") {
			t.Fatalf("items %s:\n%s", format, r.stdout)
		}
		r = read(nil, "-v", "-o", format, "--share-token="+token, "runs", "results", run)
		if !strings.Contains(r.stdout, "tissue_qc:tiff_heatmap") {
			t.Fatalf("results %s:\n%s", format, r.stdout)
		}
	}
	dir := t.TempDir()
	r = read(map[string]string{"AIGNOSTICS_SHARE_TOKEN": token2}, "-v", "-o", "jsonl", "runs", "download", run, dir)
	if n := countFiles(t, filepath.Join(dir, run)); n < 6 {
		t.Fatalf("download with a share token: %d files\n%s", n, r.stdout)
	}
	// Masked in platform info, refused where it opens nothing.
	r = reader.run(map[string]string{"AIGNOSTICS_SHARE_TOKEN": token}, "", "-o", "json", "platform", "info")
	noSecret("platform info", r)
	if strings.Contains(r.stdout, token) || !strings.Contains(r.stdout, "AIGNOSTICS_SHARE_TOKEN") {
		t.Fatalf("platform info shows the share token or not the setting:\n%s", r.stdout)
	}
	r = reader.run(nil, "", "-v", "--share-token", token, "runs", "describe", other)
	noSecret("describe another run", r)
	if r.code != 2 || !strings.Contains(r.stderr, "403") {
		t.Fatalf("another run: exit %d\n%s", r.code, r.stderr)
	}
	r = reader.run(nil, "", "-v", "--share-token", token, "runs", "list")
	noSecret("runs list", r)
	if r.code != 4 {
		t.Fatalf("runs list with only a share token: exit %d\n%s", r.code, r.stderr)
	}
	r = reader.run(nil, "", "--share-token", token, "runs", "describe", run, token)
	noSecret("a usage error naming the token", r)
	if r.code != 2 {
		t.Fatalf("usage error: exit %d", r.code)
	}

	// Revoke: an id, not the token; only a token of this run; then it opens nothing.
	r = owner.run(nil, "", "runs", "share-token", "revoke", run, token)
	noSecret("revoke by value", r)
	if r.code != 2 {
		t.Fatalf("revoke by value: exit %d", r.code)
	}
	owner.want(2, []string{"not shared on this run"}, "runs", "share-token", "revoke", other, tokenID2)
	r = owner.ok("", "-o", "json", "runs", "share-token", "revoke", run, tokenID2)
	if decodeObject(t, r.stdout)["revoked"] != true {
		t.Fatalf("revoke: %s", r.stdout)
	}
	tokenID3 := ""
	for _, row := range jsonLines(t, owner.ok("", "-o", "jsonl", "runs", "share-token", "list", run).stdout) {
		if row["revoked"] == false && row["expires_at"] != nil && row["share_token_id"] != tokenID2 {
			tokenID3 = row["share_token_id"].(string) // token or token3: both expire
		}
	}
	r = owner.ok("", "-o", "text", "runs", "share-token", "revoke", run, tokenID3)
	if !strings.Contains(r.stdout, "Share token "+tokenID3+" of run "+run+" revoked.") {
		t.Fatalf("revoke text: %s", r.stdout)
	}
	r = reader.run(map[string]string{"AIGNOSTICS_SHARE_TOKEN": token2}, "", "-v", "-o", "json", "runs", "describe", run)
	noSecret("revoked token", r)
	if r.code != 2 || !strings.Contains(r.stderr, `"error":"forbidden"`) {
		t.Fatalf("revoked token: exit %d\n%s", r.code, r.stderr)
	}
}

func l0(l []map[string]any) map[string]any {
	if len(l) == 0 {
		return map[string]any{}
	}
	return l[0]
}

// TestShareTokenNotSentToStorage: a download with a share token follows the
// artifact /file 307 to storage; the storage origin (here a proxy in front
// of the emulator's, named in its signed URLs) never sees the token, not
// even in a Referer naming the URL redirected from.
func TestShareTokenNotSentToStorage(t *testing.T) {
	t.Parallel()
	api, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	st, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	forward := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: st.Addr().String()})
	var mu sync.Mutex
	var seen []string // the URL and headers of each storage request
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.URL.String()+" "+strings.Join(flatHeaders(r.Header), " "))
		mu.Unlock()
		forward.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	emu, err := emulator.New(emulator.Options{Speed: 1000, ArtifactSize: 1024, StoragePublicURL: proxy.URL})
	if err != nil {
		t.Fatal(err)
	}
	emu.Serve(api, st)
	t.Cleanup(func() { emu.Close() })

	owner := ownerCLI(t, emu, emulator.DefaultSubject)
	run := strings.TrimSpace(owner.ok("", "runs", "create", "test-app", "--items", writeItems(t, owner.home, 1, "ref")).stdout)
	owner.ok("", "runs", "watch", run)
	token := strings.TrimSpace(owner.ok("", "runs", "share-token", "create", run).stdout)
	reader := newCLI(t, emu)
	dir := t.TempDir()
	if r := reader.run(nil, "", "--share-token", token, "-o", "jsonl", "runs", "download", run, dir); r.code != 0 {
		t.Fatalf("download: exit %d\n%s", r.code, r.stderr)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) == 0 {
		t.Fatal("no request reached storage through the proxy")
	}
	for _, s := range seen {
		if strings.Contains(s, token) || strings.Contains(s, url.QueryEscape(token)) {
			t.Fatalf("storage saw the share token: %s", s)
		}
	}
}

// flatHeaders lists h as "Name: value" strings.
func flatHeaders(h http.Header) []string {
	var out []string
	for k, vs := range h {
		for _, v := range vs {
			out = append(out, k+": "+v)
		}
	}
	return out
}
