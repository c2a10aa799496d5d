//go:build unix

package oauth

import (
	"fmt"
	"os"
	"syscall"
)

// untrusted says why a token cache file may not be trusted ("" when it
// may): not a regular file, owned by another user, or open to group or
// others.
func untrusted(fi os.FileInfo) string {
	if !fi.Mode().IsRegular() {
		return "it is a " + fileKind(fi.Mode()) + ", not a regular file"
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Getuid() {
		return fmt.Sprintf("it belongs to user %d, not to this user (%d)", st.Uid, os.Getuid())
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Sprintf("its mode %04o lets group or others read or write it (want 0600)", perm)
	}
	return ""
}
