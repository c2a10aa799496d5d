package resources

import "testing"

func TestOrigin(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://platform.aignostics.com", "https://platform.aignostics.com"},
		{"http://127.0.0.1:8780/", "http://127.0.0.1:8780"},
		{"http://[::1]:8780", "http://[::1]:8780"}, // the brackets stay: a loopback root
		{"not a url", ""},
	}
	for _, tc := range tests {
		if got := Origin(tc.in); got != tc.want {
			t.Errorf("Origin(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
