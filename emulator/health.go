package emulator

import (
	"fmt"
	"net/http"
)

// checkHealth accepts the --health values.
func checkHealth(h string) error {
	switch h {
	case "up", "degraded", "down":
		return nil
	}
	return fmt.Errorf("check health %q: want up, degraded or down", h)
}

// handleHealth serves GET /health, public and with a token (a token that is
// sent must be valid): 200 UP, 200 DEGRADED or 503 DOWN.
func (e *Emulator) handleHealth(w http.ResponseWriter, r *http.Request) {
	if !getOrHead(w, r) {
		return
	}
	if r.Header.Get("Authorization") != "" {
		if _, err := e.authenticate(r); err != nil {
			writeUnauthorized(w, err)
			return
		}
	}
	e.mu.Lock()
	h := e.health
	e.mu.Unlock()
	switch h {
	case "degraded":
		sendJSON(w, http.StatusOK, map[string]string{"status": "DEGRADED", "reason": "degraded by the emulator's --health setting"})
	case "down":
		sendJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "DOWN", "reason": "down by the emulator's --health setting"})
	default:
		sendJSON(w, http.StatusOK, map[string]string{"status": "UP"})
	}
}
