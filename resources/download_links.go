package resources

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Someone may plant symbolic links in a download folder (a shared folder,
// an unpacked archive) so that our writes land elsewhere. Nothing is ever
// written through one: a link at a file name we write (the final name, its
// .part and .part.etag) is removed and replaced; a link among the folders
// below the download root makes the file fail. The root itself is the
// user's choice and may be a link.

// noLinksBelow fails when a folder between root (excluded) and the folder
// of path is a symbolic link.
func noLinksBelow(root, path string) error {
	rel, err := filepath.Rel(root, filepath.Dir(path))
	if err != nil || rel == "." {
		return nil
	}
	cur := root
	for _, part := range strings.Split(rel, string(filepath.Separator)) {
		cur = filepath.Join(cur, part)
		fi, err := os.Lstat(cur)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("refusing to write through the symbolic link %s in the download folder; remove it", cur)
		}
		if !fi.IsDir() {
			return fmt.Errorf("%s is in the way of a download folder: not a directory", cur)
		}
	}
	return nil
}

// replaceNonRegular removes what is at path when it is not a regular file
// (a planted symlink, a FIFO) so that it can be written anew; a directory
// there is an error.
func replaceNonRegular(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if fi.Mode().IsRegular() {
		return nil
	}
	if fi.IsDir() {
		return fmt.Errorf("%s is a directory, in the way of a downloaded file", path)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove %s (not a regular file) to download in its place: %w", path, err)
	}
	return nil
}

// writeFileNoFollow writes data to path without following a symlink there.
func writeFileNoFollow(path string, data []byte, perm fs.FileMode) error {
	if err := replaceNonRegular(path); err != nil {
		return err
	}
	f, err := openNoFollow(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	return errors.Join(err, f.Close())
}

// readSmallNoFollow reads at most limit bytes of the regular file at path.
func readSmallNoFollow(path string, limit int64) ([]byte, error) {
	f, err := openNoFollow(path, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	return io.ReadAll(io.LimitReader(f, limit))
}
