package slides

import (
	"bytes"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzReadCSV: any bytes read as a metadata CSV give slides or an error,
// and slides read back write and read again as themselves.
func FuzzReadCSV(f *testing.F) {
	b, err := os.ReadFile("testdata/python-written.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte("external_id;tissue;path\na.svs;LUNG;/x/a.svs\n\"b;c\";\"q\"\"\";\n"))
	f.Add([]byte("\ufeffexternal_id;resolution_mpp;width_px\r\nx;0.0;12\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		slides, err := ReadCSV(bytes.NewReader(b), "/dir")
		if err != nil {
			return
		}
		var w bytes.Buffer
		if err := WriteCSV(&w, slides); err != nil {
			t.Fatal(err)
		}
		again, err := ReadCSV(&w, "/elsewhere")
		if err != nil {
			t.Fatalf("our own CSV does not read back: %v\n%q", err, w.String())
		}
		if diff := cmp.Diff(slides, again); diff != "" && len(slides) > 0 {
			t.Fatalf("round trip (-first +second):\n%s\n%q", diff, w.String())
		}
	})
}
