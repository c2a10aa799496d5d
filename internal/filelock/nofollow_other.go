//go:build !unix

package filelock

import (
	"io/fs"
	"os"
)

// OpenNoFollow is os.OpenFile here; callers check the file type.
func OpenNoFollow(path string, flag int, perm fs.FileMode) (*os.File, error) {
	return os.OpenFile(path, flag, perm)
}
