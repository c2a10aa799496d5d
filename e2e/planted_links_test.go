//go:build unix

package e2e

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aignostics/aignostics/emulator"
	"github.com/aignostics/aignostics/emulator/emulatortest"
)

// Symbolic links planted in a download folder (final names, .part,
// .part.etag, folders) never make the download write elsewhere: links at
// file names are replaced, a linked folder is refused.
func TestDownloadNeverWritesThroughPlantedLinks(t *testing.T) {
	t.Parallel()
	emu := emulatortest.StartTest(t, emulator.Options{Speed: 1000, ArtifactSize: 4 << 10})
	c := newCLI(t, emu)
	c.login()
	items := writeItems(t, t.TempDir(), 2, "links")
	runID := strings.TrimSpace(c.must("runs", "create", "test-app:1.0.0", "--items", items))
	c.must("runs", "watch", runID, "--interval", "50ms", "--timeout", "1m")

	dir := t.TempDir()
	c.must("runs", "download", runID, dir, "-o", "json")
	var files []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() && !strings.HasSuffix(p, ".json") {
			files = append(files, p)
		}
		return nil
	})
	other := ""
	for _, f := range files[1:] {
		if filepath.Dir(f) != filepath.Dir(files[0]) {
			other = f
			break
		}
	}
	if other == "" {
		t.Fatalf("the run's files are all in one folder: %v", files)
	}

	victims := t.TempDir()
	victim := func(name string) string {
		p := filepath.Join(victims, name)
		if err := os.WriteFile(p, []byte("precious "+name), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// First file: its final name, .part and .part.etag are links.
	for i, suffix := range []string{"", ".part", ".part.etag"} {
		os.Remove(files[0])
		if err := os.Symlink(victim("v"+string(rune('0'+i))), files[0]+suffix); err != nil {
			t.Fatal(err)
		}
	}
	// A file of the other item: its folder is a link to a victim folder.
	itemDir := filepath.Dir(other)
	os.RemoveAll(itemDir)
	if err := os.Symlink(victims, itemDir); err != nil {
		t.Fatal(err)
	}

	r := c.run(nil, "", "runs", "download", runID, dir, "-o", "json")
	for i := range 3 {
		name := "v" + string(rune('0'+i))
		if b, err := os.ReadFile(filepath.Join(victims, name)); err != nil || string(b) != "precious "+name {
			t.Errorf("the file behind a planted link was changed (%d bytes, %v)", len(b), err)
		}
	}
	entries, _ := os.ReadDir(victims)
	if len(entries) != 3 {
		t.Errorf("the download wrote into the folder behind a planted link: %d entries", len(entries))
	}
	if fi, err := os.Lstat(files[0]); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("the planted link at %s was not replaced by the artifact: %v %v", files[0], fi, err)
	}
	if r.code == 0 || !strings.Contains(r.stderr, "symbolic link") {
		t.Errorf("a linked folder: exit %d, stderr %q; want a failure naming the link", r.code, r.stderr)
	}
}
