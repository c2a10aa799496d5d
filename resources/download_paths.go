package resources

import (
	"fmt"
	"mime"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// GlobalDir is the folder (under {DIR}/{run_id}) of GLOBAL-scope artifacts.
const GlobalDir = "_global"

// maxNameBytes bounds a sanitised path component, leaving room under the usual
// 255-byte limit for a collision suffix, the extension and ".part.etag".
const maxNameBytes = 200

// SanitizeName turns an untrusted string (an external id, an artifact name) into
// one path component that is safe on Linux, macOS and Windows: separators, ':',
// the other characters Windows refuses and control characters become '_';
// trailing dots and spaces are dropped; "", "." and ".." become "_"; Windows
// device names (CON, NUL, COM1, ...) get a '_' prefix; invalid UTF-8 is replaced
// and the result is at most 200 bytes.
func SanitizeName(s string) string {
	s = strings.ToValidUTF8(s, "_")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			b.WriteByte('_')
		case strings.ContainsRune(`<>:"/\|?*`, r):
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	out := strings.TrimRight(b.String(), ". ")
	if len(out) > maxNameBytes {
		cut := maxNameBytes
		for cut > 0 && !utf8.RuneStart(out[cut]) {
			cut--
		}
		out = strings.TrimRight(out[:cut], ". ")
	}
	if out == "" { // also "." and "..", emptied by the trim above
		return "_"
	}
	if windowsReserved(out) {
		out = "_" + out
	}
	return out
}

// windowsReserved reports names Windows maps to devices, with or without an
// extension (CON, CON.txt, com1.json).
func windowsReserved(s string) bool {
	base, _, _ := strings.Cut(s, ".")
	base = strings.ToUpper(strings.TrimRight(base, " "))
	switch base {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	if len(base) == 4 && (strings.HasPrefix(base, "COM") || strings.HasPrefix(base, "LPT")) {
		c := base[3]
		return c >= '0' && c <= '9'
	}
	return false
}

// ExtensionFor returns the file extension of a media type: .tiff, .png, .json
// (JSON and +json types such as GeoJSON), .csv, .parquet, or "" when unknown.
func ExtensionFor(mediaType string) string {
	mt, _, err := mime.ParseMediaType(mediaType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(mediaType))
	}
	switch mt {
	case "image/tiff", "image/tiff-fx":
		return ".tiff"
	case "image/png":
		return ".png"
	case "application/json", "text/json":
		return ".json"
	case "text/csv":
		return ".csv"
	case "application/vnd.apache.parquet", "application/parquet", "application/x-parquet":
		return ".parquet"
	}
	if strings.HasSuffix(mt, "+json") {
		return ".json"
	}
	return ""
}

// pathPlanner assigns every artifact a unique path under {dir}/{run}. Item
// folders and file names are sanitised; two external ids or artifact names that
// sanitise alike get "-2", "-3", ... suffixes, compared as macOS and Windows
// folders compare names: ignoring case and Unicode normalization (see
// collisionKey). It is used by one goroutine only.
type pathPlanner struct {
	root  string            // {dir}/{sanitised run id}
	dirs  map[string]string // external id (or "" for global) -> folder name
	taken map[string]bool   // lower-cased "folder" and "folder/file" already used
	files map[string]string // artifact id -> path
}

func newPathPlanner(dir, runID string) *pathPlanner {
	return &pathPlanner{
		root:  filepath.Join(dir, SanitizeName(runID)),
		dirs:  map[string]string{},
		taken: map[string]bool{collisionKey(GlobalDir): true, collisionKey(ManifestName): true},
		files: map[string]string{},
	}
}

// unique returns name, or name with a numeric suffix before ext, that is not yet
// taken under prefix, and marks it taken.
func (p *pathPlanner) unique(prefix, name, ext string) string {
	for n := 1; ; n++ {
		cand := name + ext
		if n > 1 {
			cand = name + "-" + strconv.Itoa(n) + ext
		}
		key := collisionKey(prefix + cand)
		if !p.taken[key] {
			p.taken[key] = true
			return cand
		}
	}
}

// path returns the file of an artifact: {root}/{item folder}/{name}{ext}. The
// same artifact id always gets the same path.
func (p *pathPlanner) path(artifactID, externalID string, global bool, name, ext string) string {
	if f, ok := p.files[artifactID]; ok {
		return f
	}
	key := "item:" + externalID
	if global {
		key = "global"
	}
	folder, ok := p.dirs[key]
	if !ok {
		if global {
			folder = GlobalDir
		} else {
			folder = p.unique("", SanitizeName(externalID), "")
		}
		p.dirs[key] = folder
	}
	file := p.unique(folder+"/", SanitizeName(name), ext)
	f := filepath.Join(p.root, folder, file)
	p.files[artifactID] = f
	return f
}

// collisionKey folds a name so that names a file system may take for the
// same file fold alike: ASCII letters to lower case, and every run of
// non-ASCII characters (with the letter a combining mark follows) to one
// '*', so that "é" precomposed (NFC, Linux, Windows) and decomposed (NFD,
// macOS) collide, as do "Ä" and "ä". It folds more than file systems do
// (different non-ASCII names may collide), which costs only a suffix.
func collisionKey(name string) string {
	var b strings.Builder
	star := false
	runes := []rune(name)
	for i, r := range runes {
		marked := i+1 < len(runes) && unicode.Is(unicode.Mn, runes[i+1])
		if r >= utf8.RuneSelf || marked {
			if !star {
				b.WriteByte('*')
				star = true
			}
			continue
		}
		star = false
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// inside reports whether path is dir itself or below it (a last defence; the
// sanitising above already makes escaping impossible).
func inside(dir, path string) error {
	rel, err := filepath.Rel(dir, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return fmt.Errorf("artifact path %q is outside %q", path, dir)
	}
	return nil
}
