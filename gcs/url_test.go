package gcs

import (
	"errors"
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	long := strings.Repeat("a", 63)
	tests := []struct {
		in      string
		want    URL
		errPart string // "" means success
	}{
		{"gs://my-bucket/path/to/slide.tiff", URL{"my-bucket", "path/to/slide.tiff"}, ""},
		{"GS://my-bucket/o", URL{"my-bucket", "o"}, ""},
		{"gs://b_1.example.com/a b?c#d%20", URL{"b_1.example.com", "a b?c#d%20"}, ""},
		{"gs://abc//leading-slash", URL{"abc", "/leading-slash"}, ""},
		{"gs://" + long + "/o", URL{long, "o"}, ""},
		{"gs://" + long + "." + long + "." + long + "/o", URL{long + "." + long + "." + long, "o"}, ""},
		{"gs://abc/" + strings.Repeat("é", 512), URL{"abc", strings.Repeat("é", 512)}, ""},
		{"s3://abc/o", URL{}, "must start with gs://"},
		{"gs:/abc/o", URL{}, "must start with gs://"},
		{"", URL{}, "must start with gs://"},
		{"gs://abc", URL{}, "missing object"},
		{"gs://abc/", URL{}, "missing object"},
		{"gs:///o", URL{}, "empty"},
		{"gs://ab/o", URL{}, "shorter than 3"},
		{"gs://" + long + "a/o", URL{}, "longer than 63"},
		{"gs://" + long + "a.b/o", URL{}, "part longer than 63"},
		{"gs://" + strings.Repeat(long+".", 4) + "/o", URL{}, "longer than 222"},
		{"gs://My-Bucket/o", URL{}, "only lowercase"},
		{"gs://a$c/o", URL{}, "only lowercase"},
		{"gs://-abc/o", URL{}, "start and end"},
		{"gs://abc_/o", URL{}, "start and end"},
		{"gs://a..b/o", URL{}, "empty part"},
		{"gs://192.168.5.4/o", URL{}, "IP address"},
		{"gs://1.2.3.999/o", URL{}, "IP address"},
		{"gs://goog-bucket/o", URL{}, "goog"},
		{"gs://my-google-bucket/o", URL{}, "google"},
		{"gs://abc/" + strings.Repeat("a", 1025), URL{}, "longer than 1024"},
		{"gs://abc/a\nb", URL{}, "line feed"},
		{"gs://abc/a\rb", URL{}, "carriage return"},
		{"gs://abc/.", URL{}, "not allowed"},
		{"gs://abc/..", URL{}, "not allowed"},
		{"gs://abc/\xff", URL{}, "UTF-8"},
		{"gs://abc/.well-known/acme-challenge/x", URL{}, "reserved"},
	}
	for _, tt := range tests {
		got, err := ParseURL(tt.in)
		if tt.errPart == "" {
			if err != nil || got != tt.want {
				t.Errorf("ParseURL(%.40q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			}
			continue
		}
		if err == nil || !errors.Is(err, ErrInvalidURL) || !strings.Contains(err.Error(), tt.errPart) {
			t.Errorf("ParseURL(%.40q) error = %v, want ErrInvalidURL mentioning %q", tt.in, err, tt.errPart)
		}
	}
}

func TestURLString(t *testing.T) {
	u := URL{Bucket: "abc", Object: "x/y z"}
	if got := u.String(); got != "gs://abc/x/y z" {
		t.Fatalf("String = %q", got)
	}
}

func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"gs://my-bucket/a/b.tiff", "gs://a.b.c/..", "gs://192.168.0.1/x", "gs://abc//x", "gs://abc/\xff", "GS://abc/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseURL(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidURL) {
				t.Fatalf("error %v does not wrap ErrInvalidURL", err)
			}
			return
		}
		if ValidateBucket(u.Bucket) != nil || ValidateObject(u.Object) != nil {
			t.Fatalf("accepted %+v with invalid parts", u)
		}
		if !strings.EqualFold(u.String(), s) || u.String()[5:] != s[5:] {
			t.Fatalf("String() = %q, input %q", u.String(), s)
		}
		again, err := ParseURL(u.String())
		if err != nil || again != u {
			t.Fatalf("round trip of %q: %+v, %v", s, again, err)
		}
		if strings.ContainsAny(u.Bucket, "/\r\n") || strings.ContainsAny(u.Object, "\r\n") {
			t.Fatalf("bad characters accepted in %+v", u)
		}
	})
}
