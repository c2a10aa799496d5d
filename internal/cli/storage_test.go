package cli

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aignostics/aignostics/checksum"
	"github.com/aignostics/aignostics/resources"
)

// The emulator's storage accepts URLs this command signs with the key the
// emulator writes, and refuses them once tampered with or expired.
func TestStorageSignAgainstEmulator(t *testing.T) {
	t.Parallel()
	e := newStEnv(t, 10_000)
	run := e.submit(1)
	e.clk.Advance(time.Hour)
	var art resources.OutputArtifactResultReadResponse
	for it, err := range run.Items(context.Background(), resources.ItemListOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		art = it.OutputArtifacts[0]
	}
	// Where does /file point? Its path is the object to sign ourselves.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("GET", run.ArtifactFileURL(art.OutputArtifactID), nil)
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusTemporaryRedirect {
		t.Fatalf("/file: %s %v", resp.Status, err)
	}
	object := "gs://" + strings.TrimPrefix(loc.Path, "/")

	creds := filepath.Join(e.dir, "sa.json")
	if err := e.emu.WriteCredentials(creds); err != nil {
		t.Fatal(err)
	}
	e.env["GOOGLE_APPLICATION_CREDENTIALS"] = creds
	e.env["STORAGE_EMULATOR_HOST"] = e.emu.StorageURL()

	signed := strings.TrimSpace(e.want(0, "storage", "sign", object, "--expires", "10m").stdout)
	if !strings.HasPrefix(signed, e.emu.StorageURL()+"/") {
		t.Fatalf("signed URL %s is not for the emulator's storage %s", signed, e.emu.StorageURL())
	}
	get := func(u string) (int, []byte) {
		t.Helper()
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	code, body := get(signed)
	if code != 200 || checksum.Encode(checksum.Sum(body)) != art.Metadata["checksum_base64_crc32c"] {
		t.Fatalf("GET signed URL: %d, %d bytes", code, len(body))
	}
	if code, _ := get(strings.Replace(signed, "X-Goog-Expires=600", "X-Goog-Expires=601", 1)); code != 403 {
		t.Errorf("tampered URL answered %d, want 403", code)
	}
	e.clk.Advance(11 * time.Minute)
	if code, _ := get(signed); code != 400 {
		t.Errorf("expired URL answered %d, want 400", code)
	}

	// --credentials wins over the environment, and -o json gives url and expires_at.
	delete(e.env, "GOOGLE_APPLICATION_CREDENTIALS")
	r := e.want(0, "-o", "json", "storage", "sign", object, "--credentials", creds, "--timestamp", "2026-03-02T11:00:00Z", "--expires", "1h")
	var out struct {
		URL       string `json:"url"`
		ExpiresAt string `json:"expires_at"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("json output %q: %v", r.stdout, err)
	}
	if out.ExpiresAt != "2026-03-02T12:00:00Z" || !strings.Contains(out.URL, "X-Goog-Date=20260302T110000Z") {
		t.Fatalf("json output %+v", out)
	}
	// Days: 7d is the longest validity V4 allows.
	r = e.want(0, "-o", "json", "storage", "sign", object, "--credentials", creds, "--timestamp", "2026-03-02T11:00:00Z", "--expires", "7d")
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || out.ExpiresAt != "2026-03-09T11:00:00Z" || !strings.Contains(out.URL, "X-Goog-Expires=604800") {
		t.Fatalf("--expires 7d: %+v (%v)", out, err)
	}
}

func TestStorageSignProduction(t *testing.T) {
	t.Parallel()
	e := newStEnv(t, 1000)
	creds := filepath.Join(e.dir, "sa.json")
	if err := e.emu.WriteCredentials(creds); err != nil {
		t.Fatal(err)
	}
	r := e.want(0, "storage", "sign", "gs://my-bucket/dir/slide 1.tiff", "--credentials", creds, "--timestamp", "2026-03-02T11:00:00Z", "--method", "put")
	want := "https://storage.googleapis.com/my-bucket/dir/slide%201.tiff?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Credential="
	if !strings.HasPrefix(r.stdout, want) || !strings.Contains(r.stdout, "&X-Goog-Date=20260302T110000Z&X-Goog-Expires=21600&X-Goog-SignedHeaders=host&X-Goog-Signature=") {
		t.Fatalf("URL %s", r.stdout)
	}
}

func TestStorageSignErrors(t *testing.T) {
	t.Parallel()
	e := newStEnv(t, 1000)
	creds := filepath.Join(e.dir, "sa.json")
	if err := e.emu.WriteCredentials(creds); err != nil {
		t.Fatal(err)
	}
	garbage := filepath.Join(e.dir, "garbage.json")
	if err := os.WriteFile(garbage, []byte(`{"client_email":"a@b","private_key":"-----BEGIN PRIVATE KEY-----\nSECRETSTUFF\n-----END PRIVATE KEY-----\n"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"bad url", nil, []string{"s3://b/o", "--credentials", creds}, "gs://"},
		{"bad bucket", nil, []string{"gs://Bad/o", "--credentials", creds}, "lowercase"},
		{"too long", nil, []string{"gs://bucket/o", "--credentials", creds, "--expires", "169h"}, "168h"},
		{"zero expiry", nil, []string{"gs://bucket/o", "--credentials", creds, "--expires", "0s"}, "--expires"},
		{"eight days", nil, []string{"gs://bucket/o", "--credentials", creds, "--expires", "8d"}, "at most 7d"},
		{"not a duration", nil, []string{"gs://bucket/o", "--credentials", creds, "--expires", "7 days"}, "90m, 6h or 7d"},
		{"bad timestamp", nil, []string{"gs://bucket/o", "--credentials", creds, "--timestamp", "yesterday"}, "RFC 3339"},
		{"bad method", nil, []string{"gs://bucket/o", "--credentials", creds, "--method", "PATCH"}, "PATCH"},
		{"no credentials", nil, []string{"gs://bucket/o"}, "GOOGLE_APPLICATION_CREDENTIALS"},
		{"missing file", map[string]string{"GOOGLE_APPLICATION_CREDENTIALS": filepath.Join(e.dir, "nope.json")}, []string{"gs://bucket/o"}, "nope.json"},
		{"garbage key", nil, []string{"gs://bucket/o", "--credentials", garbage}, "private_key"},
		{"bad emulator host", map[string]string{"STORAGE_EMULATOR_HOST": "ftp://x"}, []string{"gs://bucket/o", "--credentials", creds}, "STORAGE_EMULATOR_HOST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				e.env[k] = v
				defer delete(e.env, k)
			}
			r := e.want(2, append([]string{"storage", "sign"}, tt.args...)...)
			if !strings.Contains(r.stderr, tt.want) || r.stdout != "" {
				t.Errorf("stderr %q does not mention %q (stdout %q)", r.stderr, tt.want, r.stdout)
			}
			if strings.Contains(r.stderr, "SECRETSTUFF") {
				t.Errorf("key material in the error: %s", r.stderr)
			}
		})
	}
}

func TestEmulatorHost(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, scheme, host string }{
		{"127.0.0.1:8781", "http", "127.0.0.1:8781"},
		{"http://127.0.0.1:8781", "http", "127.0.0.1:8781"},
		{"https://storage.local/", "https", "storage.local"},
		{"localhost:9023", "http", "localhost:9023"},
	}
	for _, tt := range tests {
		s, h, err := emulatorHost(tt.in)
		if err != nil || s != tt.scheme || h != tt.host {
			t.Errorf("emulatorHost(%q) = %q %q %v", tt.in, s, h, err)
		}
	}
	for _, bad := range []string{"ftp://x", "http://", "http://h/path"} {
		if _, _, err := emulatorHost(bad); err == nil {
			t.Errorf("emulatorHost(%q) accepted", bad)
		}
	}
}

// storage sign --hmac signs with the organization's bucket keys for the
// storage the local emulator names (only AIGNOSTICS_API_ROOT set): a PUT URL
// uploads, a GET URL reads the object back, and the secret shows nowhere.
func TestStorageSignHMAC(t *testing.T) {
	t.Parallel()
	e := newStEnv(t, 1000)
	object := "gs://" + e.emu.OrgBucket() + "/me/slides/hello.txt"
	put := strings.TrimSpace(e.want(0, "storage", "sign", object, "--hmac", "--method", "put", "--expires", "2h").stdout)
	if !strings.HasPrefix(put, e.emu.StorageURL()+"/"+e.emu.OrgBucket()+"/me/slides/hello.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256") ||
		!strings.Contains(put, "X-Amz-Expires=7200") {
		t.Fatalf("PUT URL %s", put)
	}
	req, _ := http.NewRequest("PUT", put, strings.NewReader("hello"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("PUT: %s", resp.Status)
	}
	r := e.want(0, "-o", "json", "storage", "sign", object, "--hmac")
	var js signedURL
	if err := json.Unmarshal([]byte(r.stdout), &js); err != nil || js.ExpiresAt != "2026-03-02T16:00:00Z" {
		t.Fatalf("json: %v %s", err, r.stdout)
	}
	resp, err = http.Get(js.URL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "hello" {
		t.Fatalf("GET: %s %q", resp.Status, b)
	}
	me, err := e.client().Me(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{put, r.stdout, r.stderr, e.want(0, "-v", "storage", "sign", object, "--hmac").stderr} {
		if secret := me.Organization.AignosticsBucketHMACSecretAccessKey; secret == "" || strings.Contains(out, secret) {
			t.Fatalf("the HMAC secret is in the output %q", out)
		}
	}
	if size, _, ok := e.emu.OrgObject("me/slides/hello.txt"); !ok || size != 5 {
		t.Fatalf("object: %d %v", size, ok)
	}
	// Another bucket is signed with a note; bad combinations are usage errors.
	if r := e.want(0, "storage", "sign", "gs://other-bucket/x", "--hmac"); !strings.Contains(r.stderr, "keys are for bucket "+e.emu.OrgBucket()) {
		t.Errorf("other bucket: %s", r.stderr)
	}
	if r := e.want(2, "storage", "sign", object, "--hmac", "--method", "POST"); !strings.Contains(r.stderr, "--method") {
		t.Errorf("POST: %s", r.stderr)
	}
	if r := e.want(2, "storage", "sign", object, "--hmac", "--credentials", filepath.Join(e.dir, "sa.json")); !strings.Contains(r.stderr, "--hmac and --credentials") {
		t.Errorf("--credentials: %s", r.stderr)
	}
}
