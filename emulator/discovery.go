package emulator

import "net/http"

// EmulatorInfoPath is where the emulator describes itself: a JSON document
// with "storage_url", the origin its signed URLs and the organization bucket
// live on. Only the emulator serves it (the platform answers 404), so a
// client with nothing but AIGNOSTICS_API_ROOT pointing at a local emulator
// can find its storage; STORAGE_EMULATOR_HOST, when set, wins. "min_part_size"
// is the smallest part (but the last) its multipart uploads accept
// (Options.MinPartSize), so that clients may upload in small parts to it.
const EmulatorInfoPath = "/.well-known/aignostics-emulator"

// handleInfo serves GET EmulatorInfoPath (no token needed: it holds no secret).
func (e *Emulator) handleInfo(w http.ResponseWriter, r *http.Request) {
	if !getOrHead(w, r) {
		return
	}
	sendJSON(w, http.StatusOK, map[string]any{
		"storage_url":         e.StorageURL(),
		"results_bucket":      ResultsBucket,
		"organization_bucket": e.OrgBucket(),
		"min_part_size":       e.bucket.minPart,
	})
}
