package emulator

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/aignostics/aignostics/checksum"
	"github.com/aignostics/aignostics/gcs"
)

// checkInput reads an input URL as the platform would: a URL into the
// organization bucket on this storage origin must be validly signed now and
// name an object whose CRC32C equals the item's checksum. Other URLs are not
// fetched (the emulator never downloads inputs) and pass.
func (e *Emulator) checkInput(raw, crc string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	st, err := url.Parse(e.StorageURL())
	if err != nil || !strings.EqualFold(u.Host, st.Host) {
		return ""
	}
	bucket, object, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	if bucket != e.OrgBucket() {
		return ""
	}
	where := "gs://" + bucket + "/" + object
	r := &http.Request{Method: http.MethodGet, URL: u, Host: u.Host, Header: http.Header{}}
	if gcs.IsAWSSigned(r) {
		_, err = gcs.VerifyAWSRequest(r, e.verifyKeys().HMAC, e.now())
	} else {
		err = gcs.VerifyRequest(r, e.verifyKeys(), e.now())
	}
	if err != nil {
		return fmt.Sprintf("the platform cannot read %s: its download URL is refused (%s)", where, err)
	}
	o, ok := e.bucket.stat(object)
	if !ok {
		return fmt.Sprintf("the platform cannot read %s: the object does not exist (upload it first)", where)
	}
	want, err := checksum.Decode(crc)
	if err != nil {
		return fmt.Sprintf("the checksum_base64_crc32c %q of %s is not a CRC32C", crc, where)
	}
	if want != o.CRC32C {
		return fmt.Sprintf("the object %s has CRC32C %s, but the item's checksum_base64_crc32c is %s (the slide changed, or the wrong object was named)",
			where, checksum.Encode(o.CRC32C), checksum.Encode(want))
	}
	return ""
}
