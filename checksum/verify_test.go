package checksum

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestVerifyingWriter(t *testing.T) {
	data := []byte("hello world")
	tests := []struct {
		name     string
		want     string
		seed     int // bytes of data given to Seed instead of Write
		mismatch bool
		bad      bool
	}{
		{"match", "yZRlqg==", 0, false, false},
		{"match unpadded", "yZRlqg", 0, false, false},
		{"match with seeded prefix", "yZRlqg==", 5, false, false},
		{"mismatch", "AAAAAA==", 0, true, false},
		{"malformed want", "nope", 0, false, true},
		{"empty want", "", 0, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			v := NewVerifyingWriter(&out, tt.want)
			v.Name = "item-1/readout.csv"
			if _, err := v.Seed(bytes.NewReader(data[:tt.seed])); err != nil {
				t.Fatal(err)
			}
			if _, err := v.Write(data[tt.seed:]); err != nil {
				t.Fatal(err)
			}
			if got := out.String(); got != string(data[tt.seed:]) {
				t.Errorf("written %q, want %q", got, data[tt.seed:])
			}
			if v.Len() != int64(len(data)) || v.Sum() != "yZRlqg==" || v.Sum32() != 0xc99465aa {
				t.Errorf("Len %d Sum %s", v.Len(), v.Sum())
			}
			err := v.Verify()
			var me *MismatchError
			switch {
			case tt.mismatch:
				if !errors.Is(err, ErrMismatch) || !errors.As(err, &me) {
					t.Fatalf("Verify = %v, want a mismatch", err)
				}
				if me.Want != "AAAAAA==" || me.Got != "yZRlqg==" || me.Name != "item-1/readout.csv" {
					t.Errorf("MismatchError = %+v", me)
				}
				for _, s := range []string{"item-1/readout.csv", "AAAAAA==", "yZRlqg=="} {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("message %q lacks %q", err, s)
					}
				}
			case tt.bad:
				if !errors.Is(err, ErrMalformed) || errors.Is(err, ErrMismatch) {
					t.Fatalf("Verify = %v, want ErrMalformed", err)
				}
			default:
				if err != nil {
					t.Fatalf("Verify = %v", err)
				}
			}
		})
	}
}

type failWriter struct{ n int }

func (f failWriter) Write(p []byte) (int, error) { return min(f.n, len(p)), errors.New("disk full") }

// A short write hashes only what was written, so a retry of the rest stays consistent.
func TestVerifyingWriterShortWrite(t *testing.T) {
	v := NewVerifyingWriter(failWriter{n: 3}, Encode(Sum([]byte("hel"))))
	n, err := v.Write([]byte("hello"))
	if n != 3 || err == nil {
		t.Fatalf("Write = %d, %v", n, err)
	}
	if err := v.Verify(); err != nil {
		t.Fatalf("Verify after short write: %v", err)
	}
}

func TestCompare(t *testing.T) {
	if err := Compare("x", "yZRlqg==", 0xc99465aa); err != nil {
		t.Fatal(err)
	}
	if err := Compare("x", "yZRlqg==", 1); !errors.Is(err, ErrMismatch) {
		t.Fatalf("Compare = %v", err)
	}
}
