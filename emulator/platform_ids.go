package emulator

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// stableUUID derives a version-4-shaped UUID from parts, so that the ids of
// items, artifacts and documents follow from the run and need no storage.
func stableUUID(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// nextID hands out a new id of kind ("run", "grant", ...); ids follow from the
// seed and a counter kept in the snapshot. The caller holds p.mu.
func (p *platform) nextID(kind string) string {
	p.st.counter++
	return stableUUID("emulator", strconv.FormatInt(p.cfg.seed, 10), kind, strconv.FormatUint(p.st.counter, 10))
}

// itemID is the id of item i of run r.
func itemID(r *run, i int) string { return stableUUID("item", r.ID, strconv.Itoa(i)) }

// outputID is the id of output artifact name of item i of run r.
func outputID(r *run, i int, name string) string {
	return stableUUID("output", r.ID, strconv.Itoa(i), name)
}

// inputID is the id of the j-th input artifact of item i of run r.
func inputID(r *run, i, j int) string {
	return stableUUID("input", r.ID, strconv.Itoa(i), strconv.Itoa(j))
}
