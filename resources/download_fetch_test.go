package resources

import (
	"testing"
	"time"
)

func TestContentRange(t *testing.T) {
	tests := []struct {
		in          string
		start, size int64
		ok          bool
	}{
		{"bytes 100-199/200", 100, 200, true},
		{"bytes 0-0/*", 0, -1, true},
		{" bytes 5-9/10 ", 5, 10, true},
		{"bytes */200", 0, 0, false},
		{"bytes -5-9/10", 0, 0, false},
		{"items 1-2/3", 0, 0, false},
		{"bytes 1-2", 0, 0, false},
		{"bytes a-2/3", 0, 0, false},
		{"", 0, 0, false},
		{"bytes 0-/-2", 0, 0, false},
		{"bytes 0-9/+10", 0, 0, false},
		{"bytes 9-0/10", 0, 0, false},
		{"bytes 0-9/9", 0, 0, false},
		{"bytes 0-9/10", 0, 10, true},
	}
	for _, tt := range tests {
		s, n, ok := contentRange(tt.in)
		if s != tt.start || n != tt.size || ok != tt.ok {
			t.Errorf("contentRange(%q) = %d %d %v", tt.in, s, n, ok)
		}
	}
}

func FuzzContentRange(f *testing.F) {
	f.Add("bytes 100-199/200")
	f.Add("bytes 0-0/*")
	f.Fuzz(func(t *testing.T, s string) {
		start, size, ok := contentRange(s)
		if ok && (start < 0 || size < -1 || (size >= 0 && start >= size)) {
			t.Fatalf("contentRange(%q) = %d %d", s, start, size)
		}
	})
}

func TestStrongETag(t *testing.T) {
	for in, want := range map[string]bool{`"abc"`: true, `W/"abc"`: false, `abc`: false, `"`: false, "\"a\nb\"": false, `""`: true} {
		if got := strongETag(in); got != want {
			t.Errorf("strongETag(%q) = %v", in, got)
		}
	}
}

func TestResumeBackoff(t *testing.T) {
	d := &downloader{run: &Run{c: &Client{}}, o: DownloadOptions{Attempts: 8}}
	p := d.resumePolicy()
	p.Jitter = func() float64 { return 1 }
	want := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second}
	for i, w := range want {
		if got := p.Delay(i+1, 0); got != w {
			t.Errorf("resume wait %d = %s, want %s", i+1, got, w)
		}
	}
	if p.Max() != 7 {
		t.Errorf("8 attempts allow %d retries, want 7", p.Max())
	}
	if one := (&downloader{run: &Run{c: &Client{}}, o: DownloadOptions{Attempts: 1}}).resumePolicy(); one.Max() != 0 {
		t.Errorf("1 attempt allows %d retries, want none", one.Max())
	}
}
