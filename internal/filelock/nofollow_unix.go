//go:build unix

package filelock

import (
	"io/fs"
	"os"
	"syscall"
)

// OpenNoFollow is os.OpenFile that fails on a symlink at path and never
// blocks opening a FIFO.
func OpenNoFollow(path string, flag int, perm fs.FileMode) (*os.File, error) {
	return os.OpenFile(path, flag|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, perm)
}
