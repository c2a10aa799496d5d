package commands

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestLoginDeviceWithoutDeviceClientIsConfigError: `platform login --device`
// where no device client id is configured (the production default) is a
// configuration error (exit 2, kind config), not an unexpected failure.
func TestLoginDeviceWithoutDeviceClientIsConfigError(t *testing.T) {
	w := newPluginWorld(t)
	code, stdout, stderr := w.run("", "-o", "json", "platform", "login", "--device")
	if code != 2 {
		t.Fatalf("exit %d, want 2; stderr %q", code, stderr)
	}
	var e map[string]string
	if err := json.Unmarshal([]byte(strings.TrimSpace(stderr)), &e); err != nil {
		t.Fatalf("stderr is not one JSON error: %v\n%s", err, stderr)
	}
	if e["error"] != KindConfig || !strings.Contains(e["message"], "AIGNOSTICS_CLIENT_ID_DEVICE") {
		t.Errorf("error = %v", e)
	}
	if stdout != "" {
		t.Errorf("stdout %q", stdout)
	}
}
