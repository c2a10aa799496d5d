//go:build !unix

package resources

import (
	"io/fs"
	"os"
)

// openNoFollow is os.OpenFile here; callers removed links at path first.
func openNoFollow(path string, flag int, perm fs.FileMode) (*os.File, error) {
	return os.OpenFile(path, flag, perm)
}
