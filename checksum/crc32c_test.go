package checksum

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
)

func seq(n int, f func(i int) byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = f(i)
	}
	return b
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestVectors uses RFC 3720 B.4 (the first five; iSCSI shows them byte-reversed
// because it sends the CRC little-endian) plus well-known check values.
func TestVectors(t *testing.T) {
	pdu := mustHex(t, "01c00000000000000000000000000000"+
		"14000000000004000000001400000018"+
		"28000000000000000200000000000000")
	tests := []struct {
		name string
		in   []byte
		want uint32
		enc  string
	}{
		{"32 zeros", make([]byte, 32), 0x8a9136aa, "ipE2qg=="},
		{"32 ones", bytes.Repeat([]byte{0xff}, 32), 0x62a8ab43, "YqirQw=="},
		{"incrementing", seq(32, func(i int) byte { return byte(i) }), 0x46dd794e, "Rt15Tg=="},
		{"decrementing", seq(32, func(i int) byte { return byte(31 - i) }), 0x113fdb5c, "ET/bXA=="},
		{"iscsi read pdu", pdu, 0xd9963a56, "2ZY6Vg=="},
		{"check value", []byte("123456789"), 0xe3069283, "4waSgw=="},
		{"empty", nil, 0, "AAAAAA=="},
		{"hello world", []byte("hello world"), 0xc99465aa, "yZRlqg=="},
		{"a", []byte("a"), 0xc1d04330, "wdBDMA=="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sum(tt.in); got != tt.want {
				t.Errorf("Sum = %#08x, want %#08x", got, tt.want)
			}
			h := New()
			for i := range tt.in { // byte by byte: streaming gives the same value
				h.Write(tt.in[i : i+1])
			}
			if got := h.Sum32(); got != tt.want {
				t.Errorf("streaming Sum32 = %#08x, want %#08x", got, tt.want)
			}
			if got := h.Sum(nil); !bytes.Equal(got, []byte{byte(tt.want >> 24), byte(tt.want >> 16), byte(tt.want >> 8), byte(tt.want)}) {
				t.Errorf("Sum(nil) = %x, want big-endian %08x", got, tt.want)
			}
			if got := Encode(tt.want); got != tt.enc {
				t.Errorf("Encode = %q, want %q", got, tt.enc)
			}
			d, err := Decode(tt.enc)
			if err != nil || d != tt.want {
				t.Errorf("Decode(%q) = %#08x, %v; want %#08x", tt.enc, d, err, tt.want)
			}
			half := len(tt.in) / 2
			if got := Update(Sum(tt.in[:half]), tt.in[half:]); got != tt.want {
				t.Errorf("Update = %#08x, want %#08x", got, tt.want)
			}
		})
	}
}

func TestDecode(t *testing.T) {
	tests := []struct {
		in   string
		want uint32
		ok   bool
	}{
		{"ipE2qg==", 0x8a9136aa, true},
		{"ipE2qg", 0x8a9136aa, true}, // unpadded
		{"", 0, false},
		{"ipE2", 0, false},       // 3 bytes
		{"ipE2qgAA", 0, false},   // 6 bytes
		{"ipE2qg=", 0, false},    // bad padding
		{"ip!2qg==", 0, false},   // not base64
		{"ipE2qh==", 0, false},   // non-canonical trailing bits
		{"AAAAAAA=", 0, false},   // 5 bytes
		{"ipE2qg==\n", 0, false}, // trailing newline
		{"ipE2qg-_", 0, false},   // URL alphabet
		{"_____w==", 0, false},   // URL alphabet
		{"/////w==", 0xffffffff, true},
	}
	for _, tt := range tests {
		got, err := Decode(tt.in)
		if tt.ok != (err == nil) || got != tt.want {
			t.Errorf("Decode(%q) = %#x, %v; want %#x, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrMalformed) {
			t.Errorf("Decode(%q) error %v does not wrap ErrMalformed", tt.in, err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{"ipE2qg==", "ipE2qg", "", "////", "AAAAAAAAAAAA"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := Decode(s)
		if err != nil {
			return
		}
		// Whatever decodes must re-encode to the canonical form of the input.
		if enc := Encode(v); enc != s && enc != s+"==" {
			t.Fatalf("Decode(%q) = %#x, re-encodes to %q", s, v, enc)
		}
	})
}
