//go:build !unix

package oauth

import "os"

// untrusted checks only the file type here (ownership and modes are ACLs).
func untrusted(fi os.FileInfo) string {
	if !fi.Mode().IsRegular() {
		return "it is a " + fileKind(fi.Mode()) + ", not a regular file"
	}
	return ""
}
