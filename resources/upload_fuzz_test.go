package resources

import (
	"encoding/json"
	"testing"
)

// FuzzStorageDocs feeds the parsers of storage answers (initiate, list
// parts, XML errors) and of journal files arbitrary bytes: no panic, and
// what they accept is within bounds.
func FuzzStorageDocs(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0"?><InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>abc</UploadId></InitiateMultipartUploadResult>`))
	f.Add([]byte(`<ListPartsResult><IsTruncated>true</IsTruncated><NextPartNumberMarker>2</NextPartNumberMarker><Part><PartNumber>1</PartNumber><ETag>"x"</ETag><Size>5</Size></Part></ListPartsResult>`))
	f.Add([]byte(`<Error><Code>NoSuchUpload</Code><Message>gone</Message></Error>`))
	f.Add([]byte(`{"version":1,"bucket":"b","key":"k","size":10,"part_size":5,"upload_id":"u","parts":{"1":{"etag":"e","crc32c":1,"size":5}}}`))
	f.Add([]byte(`<ListPartsResult><Part><PartNumber>0</PartNumber><Size>-1</Size></Part></ListPartsResult>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if id, err := parseInitiate(data); err == nil && (id == "" || len(id) > 1024) {
			t.Fatalf("upload id %q accepted", id)
		}
		if page, err := parseListParts(data); err == nil {
			for _, p := range page.Parts {
				if p.PartNumber < 1 || p.PartNumber > MaxParts || p.Size < 0 {
					t.Fatalf("part %+v accepted", p)
				}
			}
		}
		if code, msg := parseXMLError(data); len(code) > 70 || len(msg) > 310 {
			t.Fatalf("error code %q or message %q not clipped", code, msg)
		}
		if jr, err := parseJournal(data); err == nil {
			if jr.PartSize <= 0 || len(jr.Parts) > MaxParts {
				t.Fatalf("journal %+v accepted", jr)
			}
			if _, err := json.Marshal(jr); err != nil {
				t.Fatal(err)
			}
		}
	})
}
