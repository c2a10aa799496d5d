//go:build unix

package resources

import (
	"io/fs"
	"os"
	"syscall"
)

// openNoFollow is os.OpenFile that fails on a symlink at path and never
// blocks opening a FIFO.
func openNoFollow(path string, flag int, perm fs.FileMode) (*os.File, error) {
	return os.OpenFile(path, flag|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, perm)
}
