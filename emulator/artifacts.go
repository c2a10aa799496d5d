package emulator

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"github.com/aignostics/aignostics/checksum"
)

// artifactObject is the storage object name of an output artifact.
func artifactObject(r *run, artifactID string) string {
	return runObjectPrefix + r.ID + "/" + artifactID
}

// artifactContent is the content of output name of item i of run r.
func (p *platform) artifactContent(r *run, i int, name string) artifactBytes {
	sum := sha256.Sum256([]byte(strconv.FormatInt(p.cfg.seed, 10) + "\x00" + r.ID + "\x00" +
		strconv.Itoa(i) + "\x00" + name))
	return artifactBytes{gen: p.gen, seed: binary.BigEndian.Uint64(sum[:8]), size: p.size}
}

// artifactMetadata is the metadata of an available output artifact.
func (p *platform) artifactMetadata(r *run, i int, o outputSpec) map[string]any {
	crc := p.artifactContent(r, i, o.Name).crc32c()
	return map[string]any{"checksum_base64_crc32c": checksum.Encode(crc), "media_type": o.MimeType}
}

// itemOutputs lists the output artifacts of item i: the version's ITEM-scope
// outputs, and for the first item also the GLOBAL-scope ones (a run-level
// artifact is reported once, on item 0, and follows that item's outcome).
func itemOutputs(r *run, i int) []outputSpec {
	var out []outputSpec
	for _, o := range r.ver.Outputs {
		if o.Scope != scopeGlobal || i == 0 {
			out = append(out, o)
		}
	}
	return out
}

// findArtifact locates output artifact id in r.
func findArtifact(r *run, id string) (int, outputSpec, bool) {
	for i := range r.Items {
		for _, o := range itemOutputs(r, i) {
			if outputID(r, i, o.Name) == id {
				return i, o, true
			}
		}
	}
	return 0, outputSpec{}, false
}

// object returns a storage object of the platform: a public version document
// or an available output artifact. The storage origin serves these bytes.
func (p *platform) object(bucket, object string) (storageObject, bool) {
	if bucket != resultsBucket {
		return storageObject{}, false
	}
	if rest, ok := strings.CutPrefix(object, docObjectPrefix); ok {
		return p.documentObject(rest)
	}
	rest, ok := strings.CutPrefix(object, runObjectPrefix)
	if !ok {
		return storageObject{}, false
	}
	runID, artID, ok := strings.Cut(rest, "/")
	if !ok {
		return storageObject{}, false
	}
	p.mu.RLock()
	r, ok := p.st.byID[runID]
	var i int
	var o outputSpec
	available := false
	if ok {
		i, o, ok = findArtifact(r, artID)
		available = ok && r.DeletedAt.IsZero() && p.timing().item(r, i, p.now()).Reason == reasonSucceeded
	}
	p.mu.RUnlock()
	if !available {
		return storageObject{}, false
	}
	a := p.artifactContent(r, i, o.Name)
	crc := a.crc32c()
	return storageObject{Size: a.size, CRC32C: crc, ETag: fmt.Sprintf(`"%08x%08x"`, crc, uint32(a.seed)),
		ContentType: o.MimeType, Content: a}, true
}

// documentObject serves "{app}/{version}/{name}" of a public document.
func (p *platform) documentObject(rest string) (storageObject, bool) {
	parts := strings.SplitN(rest, "/", 3)
	if len(parts) != 3 {
		return storageObject{}, false
	}
	a, ok := p.cat.app(parts[0])
	if !ok {
		return storageObject{}, false
	}
	v, ok := a.version(parts[1])
	if !ok {
		return storageObject{}, false
	}
	for _, d := range v.Documents {
		if d.Name == parts[2] && d.Visibility == "public" {
			crc := checksum.Sum(d.Content)
			return storageObject{Size: int64(len(d.Content)), CRC32C: crc, ETag: fmt.Sprintf(`"%08x"`, crc),
				ContentType: d.MimeType, Content: bytes.NewReader(d.Content)}, true
		}
	}
	return storageObject{}, false
}
