package e2e

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/emulator/emulatortest"
)

// The artifact /file 307 to storage (another origin) is followed without
// the token, also when it points at an origin nobody expects.
func TestDownloadRedirectCarriesNoToken(t *testing.T) {
	t.Parallel()
	emu := emulatortest.StartTest(t, emulator.Options{Speed: 1000, ArtifactSize: 4 << 10})
	c := newCLI(t, emu)
	c.login()
	items := writeItems(t, t.TempDir(), 1, "redir")
	runID := strings.TrimSpace(c.must("runs", "create", "test-app:1.0.0", "--items", items))
	c.must("runs", "watch", runID, "--interval", "50ms", "--timeout", "1m")

	// A foreign origin in front of the emulator's storage records what it gets.
	storage, _ := url.Parse(emu.StorageURL())
	var mu sync.Mutex
	var auths []string
	srp := httputil.NewSingleHostReverseProxy(storage)
	foreign := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auths = append(auths, r.Header.Get("Authorization")+r.Header.Get("Cookie"))
		mu.Unlock()
		srp.ServeHTTP(w, r)
	}))
	defer foreign.Close()
	// The API, through a proxy that points /file redirects at the foreign origin.
	api, _ := url.Parse(emu.URL())
	arp := httputil.NewSingleHostReverseProxy(api)
	arp.ModifyResponse = func(resp *http.Response) error {
		if loc := resp.Header.Get("Location"); loc != "" {
			resp.Header.Set("Location", strings.Replace(loc, strings.TrimRight(emu.StorageURL(), "/"), foreign.URL, 1))
		}
		return nil
	}
	proxy := httptest.NewServer(arp)
	defer proxy.Close()
	access, _, err := emu.IssueToken(emulator.DefaultSubject)
	if err != nil {
		t.Fatal(err)
	}
	r := c.run(map[string]string{"AIGNOSTICS_API_ROOT": proxy.URL, "AIGNOSTICS_TOKEN_PROVIDER": writeScript(t, "emu-token", "echo "+access)},
		"", "runs", "download", runID, t.TempDir(), "-o", "jsonl")
	if r.code != 0 {
		t.Fatalf("download: exit %d\n%s", r.code, r.stderr)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(auths) == 0 {
		t.Fatal("no download went to the foreign origin: the test is not testing")
	}
	for _, a := range auths {
		if a != "" {
			t.Errorf("the storage origin got credentials: %q", a)
		}
	}
}
