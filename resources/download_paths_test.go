package resources

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestSanitizeName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"slide-001", "slide-001"},
		{"tissue_qc:tiff_heatmap", "tissue_qc_tiff_heatmap"},
		{"../../etc/passwd", ".._.._etc_passwd"},
		{"/abs/path", "_abs_path"},
		{`C:\Windows\x`, "C__Windows_x"},
		{"..", "_"},
		{".", "_"},
		{"", "_"},
		{"...", "_"},
		{"name. . ", "name"},
		{"a\x00b\nc\x7fd", "a_b_c_d"},
		{"a<b>c\"d|e?f*g", "a_b_c_d_e_f_g"},
		{"CON", "_CON"},
		{"nul.txt", "_nul.txt"},
		{"com7", "_com7"},
		{"COMX", "COMX"},
		{"console", "console"},
		{"bad\xffutf8", "bad_utf8"},
		{"ünïcödé ok", "ünïcödé ok"},
		{strings.Repeat("é", 150), strings.Repeat("é", 100)},
	}
	for _, tt := range tests {
		if got := SanitizeName(tt.in); got != tt.want {
			t.Errorf("SanitizeName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzSanitizeName(f *testing.F) {
	for _, s := range []string{"../x", "/abs", "CON.txt", "a:b", "..", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := SanitizeName(s)
		if got == "" || got == "." || got == ".." || len(got) > maxNameBytes+1 {
			t.Fatalf("SanitizeName(%q) = %q", s, got)
		}
		if strings.ContainsAny(got, "/\\:<>\"|?*\x00") || strings.HasSuffix(got, ".") || strings.HasSuffix(got, " ") {
			t.Fatalf("SanitizeName(%q) = %q keeps a forbidden character", s, got)
		}
		if windowsReserved(got) {
			t.Fatalf("SanitizeName(%q) = %q is a Windows device name", s, got)
		}
		dir := filepath.Join(t.TempDir(), "out")
		p := newPathPlanner(dir, s)
		path := p.path("a1", s, false, s, ".bin")
		if err := inside(dir, path); err != nil {
			t.Fatal(err)
		}
	})
}

func TestExtensionFor(t *testing.T) {
	tests := map[string]string{
		"image/tiff": ".tiff", "image/png": ".png", "application/json": ".json",
		"application/geo+json": ".json", "text/csv": ".csv", "text/csv; charset=utf-8": ".csv",
		"application/vnd.apache.parquet": ".parquet", "IMAGE/TIFF": ".tiff",
		"application/octet-stream": "", "": "", "nonsense": "",
	}
	for in, want := range tests {
		if got := ExtensionFor(in); got != want {
			t.Errorf("ExtensionFor(%q) = %q, want %q", in, got, want)
		}
	}
}

// Hostile external ids and names stay inside DIR, and collisions get suffixes.
func TestPathPlanner(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "results")
	p := newPathPlanner(dir, "run-1")
	root := filepath.Join(dir, "run-1")
	tests := []struct {
		id, ext, name string
		global        bool
		want          string
	}{
		{"a1", "slide-1", "tissue_qc:tiff_heatmap", false, "slide-1/tissue_qc_tiff_heatmap.tiff"},
		{"a2", "slide-1", "tissue_qc_tiff_heatmap", false, "slide-1/tissue_qc_tiff_heatmap-2.tiff"},
		{"a3", "slide-1", "TISSUE_QC_TIFF_HEATMAP", false, "slide-1/TISSUE_QC_TIFF_HEATMAP-3.tiff"},
		{"a4", "../../x", "../../y", false, ".._.._x/.._.._y.tiff"},
		{"a5", "/abs", "/etc/passwd", false, "_abs/_etc_passwd.tiff"},
		{"a6", "..", "..", false, "_/_.tiff"},
		{"a7", "_", "x", false, "_-2/x.tiff"},
		{"a8", "_global", "x", false, "_global-2/x.tiff"},
		{"a9", "slide-1", "summary", true, "_global/summary.tiff"},
		{"a10", "slide-2", "summary", true, "_global/summary-2.tiff"},
		{"a11", "Slide-1", "x", false, "Slide-1-2/x.tiff"},
		// Unicode normalization (macOS stores NFD) and non-ASCII case.
		{"a12", "caf\u00e9", "r\u00e9sum\u00e9", false, "caf\u00e9/r\u00e9sum\u00e9.tiff"},
		{"a13", "caf\u00e9", "re\u0301sume\u0301", false, "caf\u00e9/re\u0301sume\u0301-2.tiff"},
		{"a14", "cafe\u0301", "x", false, "cafe\u0301-2/x.tiff"},
		{"a15", "CAF\u00c9", "x", false, "CAF\u00c9-3/x.tiff"},
		{"a1", "other", "other", false, "slide-1/tissue_qc_tiff_heatmap.tiff"}, // same artifact, same path
	}
	for _, tt := range tests {
		got := p.path(tt.id, tt.ext, tt.global, tt.name, ".tiff")
		if want := filepath.Join(root, filepath.FromSlash(tt.want)); got != want {
			t.Errorf("path(%q, %q) = %q, want %q", tt.ext, tt.name, got, want)
		}
		if err := inside(dir, got); err != nil {
			t.Error(err)
		}
	}
	if p := newPathPlanner(dir, "../../escape"); inside(dir, p.root) != nil || filepath.Dir(p.root) != dir {
		t.Errorf("run folder %q escapes %q", p.root, dir)
	}
	if inside(dir, filepath.Join(dir, "..", "x")) == nil || inside(dir, "/elsewhere") == nil {
		t.Error("inside accepts a path outside")
	}
}

// No item folder is called manifest.json, whatever the external id.
func TestPlannerKeepsManifestName(t *testing.T) {
	dir := t.TempDir()
	p := newPathPlanner(dir, "run-1")
	for _, ext := range []string{"manifest.json", "MANIFEST.JSON"} {
		got := p.path("a-"+ext, ext, false, "readout", ".csv")
		if rel, _ := filepath.Rel(p.root, got); strings.EqualFold(strings.Split(filepath.ToSlash(rel), "/")[0], ManifestName) {
			t.Errorf("external id %q got the folder %s", ext, rel)
		}
	}
}
