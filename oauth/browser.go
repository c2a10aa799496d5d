package oauth

import (
	"fmt"
	"os/exec"
	"runtime"
	"strings"
)

// DefaultHasBrowser reports whether a browser can be opened: always on macOS
// and Windows; elsewhere when $BROWSER is set, or when DISPLAY or
// WAYLAND_DISPLAY is set and the session is not over SSH.
func DefaultHasBrowser(getenv func(string) (string, bool)) bool {
	return hasBrowser(runtime.GOOS, getenv)
}

func hasBrowser(goos string, getenv func(string) (string, bool)) bool {
	set := func(k string) bool { v, ok := getenv(k); return ok && v != "" }
	if set("BROWSER") {
		return true
	}
	switch goos {
	case "darwin", "windows":
		return true
	}
	if set("SSH_CONNECTION") || set("SSH_TTY") || set("SSH_CLIENT") {
		return false
	}
	return set("DISPLAY") || set("WAYLAND_DISPLAY")
}

// DefaultOpenBrowser returns a function that opens a URL with $BROWSER, or
// xdg-open, open or rundll32 depending on the OS. The browser's own output is
// discarded so that it never mixes with a command's stdout.
func DefaultOpenBrowser(getenv func(string) (string, bool)) func(url string) error {
	return func(url string) error {
		name, args := browserCommand(runtime.GOOS, getenv, url)
		cmd := exec.Command(name, args...)
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("open browser with %s: %w", name, err)
		}
		go func() { _ = cmd.Wait() }()
		return nil
	}
}

func browserCommand(goos string, getenv func(string) (string, bool), url string) (string, []string) {
	if b, ok := getenv("BROWSER"); ok && b != "" {
		// $BROWSER may list several commands separated by ':'; use the first.
		first := strings.Split(b, ":")[0]
		fields := strings.Fields(first)
		if len(fields) > 0 {
			return fields[0], append(fields[1:], url)
		}
	}
	switch goos {
	case "darwin":
		return "open", []string{url}
	case "windows":
		return "rundll32", []string{"url.dll,FileProtocolHandler", url}
	default:
		return "xdg-open", []string{url}
	}
}
