package checksum

import (
	"net/http"
	"strings"
	"testing"
)

func TestGoogHash(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		want   string
		ok     bool
	}{
		{"comma joined", []string{"crc32c=n03x6A==,md5=Ojk9c3dhfxgoKVVHYwFbHQ=="}, "n03x6A==", true},
		{"comma joined md5 first", []string{"md5=Ojk9c3dhfxgoKVVHYwFbHQ==, crc32c=n03x6A=="}, "n03x6A==", true},
		{"two headers", []string{"md5=Ojk9c3dhfxgoKVVHYwFbHQ==", "crc32c=n03x6A=="}, "n03x6A==", true},
		{"upper case name", []string{"CRC32C=n03x6A=="}, "n03x6A==", true},
		{"spaces", []string{"  crc32c = n03x6A==  "}, "n03x6A==", true},
		{"only md5", []string{"md5=Ojk9c3dhfxgoKVVHYwFbHQ=="}, "", false},
		{"absent", nil, "", false},
		{"empty value", []string{"crc32c="}, "", false},
		{"empty then real", []string{"crc32c=", "crc32c=AAAAAA=="}, "AAAAAA==", true},
		{"no equals", []string{"crc32c"}, "", false},
		{"similar name", []string{"crc32=AAAAAA==,xcrc32c=AAAAAA=="}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for _, v := range tt.values {
				h.Add("x-goog-hash", v)
			}
			got, ok := GoogHash(h)
			if got != tt.want || ok != tt.ok {
				t.Errorf("GoogHash(%q) = %q, %v; want %q, %v", tt.values, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func FuzzGoogHash(f *testing.F) {
	f.Add("crc32c=n03x6A==,md5=Ojk9c3dhfxgoKVVHYwFbHQ==", "")
	f.Add("md5=x", "crc32c=AAAAAA==")
	f.Add(",,=,crc32c=,", " crc32c = a ")
	f.Fuzz(func(t *testing.T, a, b string) {
		h := http.Header{}
		h.Add("X-Goog-Hash", a)
		h.Add("X-Goog-Hash", b)
		v, ok := GoogHash(h)
		if ok != (v != "") {
			t.Fatalf("ok=%v with value %q", ok, v)
		}
		if ok && (strings.Contains(v, ",") || strings.TrimSpace(v) != v) {
			t.Fatalf("value %q has a separator or surrounding space", v)
		}
		if ok && !strings.Contains(strings.ToLower(a+","+b), "crc32c") {
			t.Fatalf("found %q without a crc32c entry in %q %q", v, a, b)
		}
		if ok {
			// Decoding must never panic, whatever the value.
			_, _ = Decode(v)
		}
	})
}
