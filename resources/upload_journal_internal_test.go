//go:build unix

package resources

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestJournalReadRefusesPlantedFiles: a FIFO or a symlink planted where a
// journal is kept is refused at once (a FIFO would block the open
// forever; a link would read another file), and a regular one is read.
func TestJournalReadRefusesPlantedFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	target := filepath.Join(dir, "elsewhere")
	if err := os.WriteFile(target, []byte(`{"v":1}`), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{fifo, link, dir} {
		if _, err := readBoundedFile(p, 1<<10); err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("%s: %v, want refused as not a regular file", p, err)
		}
	}
	if b, err := readBoundedFile(target, 1<<10); err != nil || string(b) != `{"v":1}` {
		t.Errorf("regular file: %q %v", b, err)
	}
	if _, err := readBoundedFile(target, 3); err == nil {
		t.Error("a file over the bound was read")
	}
}
