package commands

import "testing"

func TestOrigin(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://platform.aignostics.com", "https://platform.aignostics.com:443"},
		{"http://127.0.0.1:8780", "http://127.0.0.1:8780"},
		{"http://localhost", "http://localhost:80"},
		{"http://[::1]:8780", "http://[::1]:8780"},
		{"https://[::1]", "https://[::1]:443"},
	}
	for _, tc := range tests {
		if got := origin(tc.in); got != tc.want {
			t.Errorf("origin(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
