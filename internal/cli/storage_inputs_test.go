package cli

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aignostics/aignostics/httpx"
	"github.com/aignostics/aignostics/resources"
)

// factory builds a Factory for a direct call, with the stEnv's environment.
func (e *stEnv) factory() *Factory {
	env := Env{Getenv: func(k string) (string, bool) { v, ok := e.env[k]; return v, ok }, Clock: e.clk.Clock(), TokenSource: httpx.StaticToken(e.token)}
	env.fill()
	return newFactory(env, &Globals{}, nil)
}

func TestSignGSInputs(t *testing.T) {
	t.Parallel()
	e := newStEnv(t, 1000)
	items := []resources.ItemCreationRequest{
		{ExternalID: "a", InputArtifacts: []resources.InputArtifactCreationRequest{{Name: "wsi", DownloadURL: "https://example.com/a.tiff"}}},
		{ExternalID: "b", InputArtifacts: []resources.InputArtifactCreationRequest{{Name: "wsi", DownloadURL: "gs://aignostics-org-x/slides/b 1.tiff"}}},
	}
	// No gs:// URL: nothing to sign, no key needed.
	if n, err := signGSInputs(context.Background(), e.factory(), items[:1], InputURLExpiry, ""); n != 0 || err != nil {
		t.Fatalf("https only: %d %v", n, err)
	}
	// A gs:// URL outside the organization's bucket without credentials: a
	// config error naming the variable.
	_, err := signGSInputs(context.Background(), e.factory(), items, InputURLExpiry, "")
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Code() != 2 || !strings.Contains(err.Error(), "GOOGLE_APPLICATION_CREDENTIALS") {
		t.Fatalf("no credentials: %v", err)
	}

	creds := filepath.Join(e.dir, "sa.json")
	if err := e.emu.WriteCredentials(creds); err != nil {
		t.Fatal(err)
	}
	e.env["GOOGLE_APPLICATION_CREDENTIALS"] = creds
	e.env["STORAGE_EMULATOR_HOST"] = e.emu.StorageURL()
	n, err := signGSInputs(context.Background(), e.factory(), items, InputURLExpiry, "")
	if err != nil || n != 1 {
		t.Fatalf("sign: %d %v", n, err)
	}
	got := items[1].InputArtifacts[0].DownloadURL
	if items[0].InputArtifacts[0].DownloadURL != "https://example.com/a.tiff" ||
		!strings.HasPrefix(got, e.emu.StorageURL()+"/aignostics-org-x/slides/b%201.tiff?") || !strings.Contains(got, "X-Goog-Expires=604800") {
		t.Fatalf("signed URL %s", got)
	}
	// The emulator's storage accepts the signature (404: signature fine, no such object).
	e.clk.Advance(6 * 24 * time.Hour)
	resp, err := http.Get(got)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("storage answered %s", resp.Status)
	}

	bad := []resources.ItemCreationRequest{{ExternalID: "c", InputArtifacts: []resources.InputArtifactCreationRequest{{Name: "wsi", DownloadURL: "gs://UPPER/x"}}}}
	if _, err := signGSInputs(context.Background(), e.factory(), bad, InputURLExpiry, ""); err == nil || !strings.Contains(err.Error(), `item 0 ("c")`) {
		t.Fatalf("bad bucket: %v", err)
	}
}

// Without a service-account key, inputs in the organization's bucket are
// signed with its HMAC keys (AWS4-HMAC-SHA256, 7 days) for the storage the
// local emulator names; STORAGE_EMULATOR_HOST wins; --credentials wins over
// the HMAC keys.
func TestSignGSInputsWithOrgKeys(t *testing.T) {
	t.Parallel()
	e := newStEnv(t, 1000)
	bucket := e.emu.OrgBucket()
	items := func() []resources.ItemCreationRequest {
		return []resources.ItemCreationRequest{{ExternalID: "a", InputArtifacts: []resources.InputArtifactCreationRequest{
			{Name: "wsi", DownloadURL: "gs://" + bucket + "/me/slides/0a1b2c3d-5/a b.tiff"}}}}
	}
	it := items()
	if n, err := signGSInputs(context.Background(), e.factory(), it, InputURLExpiry, ""); n != 1 || err != nil {
		t.Fatalf("sign: %d %v", n, err)
	}
	got := it[0].InputArtifacts[0].DownloadURL
	if !strings.HasPrefix(got, e.emu.StorageURL()+"/"+bucket+"/me/slides/0a1b2c3d-5/a%20b.tiff?X-Amz-Algorithm=AWS4-HMAC-SHA256&") ||
		!strings.Contains(got, "X-Amz-Expires=604800") || !strings.Contains(got, "%2FEUROPE-WEST3%2Fs3%2Faws4_request") {
		t.Fatalf("signed URL %s", got)
	}
	e.env["STORAGE_EMULATOR_HOST"] = "127.0.0.1:1"
	it = items()
	if _, err := signGSInputs(context.Background(), e.factory(), it, InputURLExpiry, ""); err != nil || !strings.HasPrefix(it[0].InputArtifacts[0].DownloadURL, "http://127.0.0.1:1/") {
		t.Fatalf("STORAGE_EMULATOR_HOST: %v %.60s", err, it[0].InputArtifacts[0].DownloadURL)
	}
	creds := filepath.Join(e.dir, "sa.json")
	if err := e.emu.WriteCredentials(creds); err != nil {
		t.Fatal(err)
	}
	it = items()
	if _, err := signGSInputs(context.Background(), e.factory(), it, InputURLExpiry, creds); err != nil || !strings.Contains(it[0].InputArtifacts[0].DownloadURL, "X-Goog-Algorithm=GOOG4-RSA-SHA256") {
		t.Fatalf("--credentials: %v %.200s", err, it[0].InputArtifacts[0].DownloadURL)
	}
	if _, err := signGSInputs(context.Background(), e.factory(), items(), InputURLExpiry, filepath.Join(e.dir, "missing.json")); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Fatalf("missing --credentials file: %v", err)
	}
	// Six days later the URL still works.
	e.clk.Advance(6 * 24 * time.Hour)
	resp, err := http.Get(got)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound { // signature accepted, no such object
		t.Fatalf("storage answered %s", resp.Status)
	}

}
