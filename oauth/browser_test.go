package oauth

import (
	"slices"
	"testing"
)

func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestHasBrowser(t *testing.T) {
	tests := []struct {
		goos string
		env  map[string]string
		want bool
	}{
		{"linux", nil, false},
		{"linux", map[string]string{"DISPLAY": ":0"}, true},
		{"linux", map[string]string{"WAYLAND_DISPLAY": "wayland-0"}, true},
		{"linux", map[string]string{"DISPLAY": ":0", "SSH_CONNECTION": "1 2 3 4"}, false},
		{"linux", map[string]string{"BROWSER": "firefox", "SSH_TTY": "/dev/pts/1"}, true},
		{"linux", map[string]string{"BROWSER": ""}, false},
		{"darwin", nil, true},
		{"windows", nil, true},
	}
	for _, tc := range tests {
		if got := hasBrowser(tc.goos, envOf(tc.env)); got != tc.want {
			t.Errorf("hasBrowser(%s, %v) = %v", tc.goos, tc.env, got)
		}
	}
}

func TestBrowserCommand(t *testing.T) {
	tests := []struct {
		goos string
		env  map[string]string
		want []string
	}{
		{"linux", nil, []string{"xdg-open", "U"}},
		{"darwin", nil, []string{"open", "U"}},
		{"windows", nil, []string{"rundll32", "url.dll,FileProtocolHandler", "U"}},
		{"linux", map[string]string{"BROWSER": "firefox --new-window:chromium"}, []string{"firefox", "--new-window", "U"}},
	}
	for _, tc := range tests {
		name, args := browserCommand(tc.goos, envOf(tc.env), "U")
		if got := append([]string{name}, args...); !slices.Equal(got, tc.want) {
			t.Errorf("browserCommand(%s, %v) = %v, want %v", tc.goos, tc.env, got, tc.want)
		}
	}
}
