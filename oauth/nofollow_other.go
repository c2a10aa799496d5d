//go:build !unix

package oauth

import "os"

// openNoFollow opens path for reading (callers check it is a regular file).
func openNoFollow(path string) (*os.File, error) { return os.Open(path) }

// untrusted checks only the file type here (ownership and modes are ACLs).
func untrusted(fi os.FileInfo) string {
	if !fi.Mode().IsRegular() {
		return "it is a " + fileKind(fi.Mode()) + ", not a regular file"
	}
	return ""
}
