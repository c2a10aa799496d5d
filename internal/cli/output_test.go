package cli

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// testOutput is an Output over buffers.
func testOutput(format string, explicit, indent bool, width int) (*Output, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return &Output{w: &out, stderr: &errb, format: format, explicit: explicit, indent: indent, width: width}, &out, &errb
}

type sample struct {
	ID   string `json:"id"`
	Note string `json:"note"`
}

func TestOutputObject(t *testing.T) {
	t.Parallel()
	v := sample{ID: "a<1>", Note: "two\nlines"}
	fields := []Field{{"id", v.ID}, {"größe", "x"}, {"note", v.Note}}
	tests := []struct {
		format string
		indent bool
		want   string
	}{
		{FormatText, true, "id:    a<1>\ngröße: x\nnote:  two lines\n"},
		{FormatJSON, true, "{\n  \"id\": \"a<1>\",\n  \"note\": \"two\\nlines\"\n}\n"},
		{FormatJSON, false, `{"id":"a<1>","note":"two\nlines"}` + "\n"},
		{FormatJSONL, true, `{"id":"a<1>","note":"two\nlines"}` + "\n"},
	}
	for _, tc := range tests {
		o, out, errb := testOutput(tc.format, false, tc.indent, 0)
		if err := o.Object(v, fields); err != nil {
			t.Fatal(err)
		}
		if out.String() != tc.want || errb.Len() != 0 {
			t.Errorf("%s indent=%v: %q (stderr %q), want %q", tc.format, tc.indent, out.String(), errb.String(), tc.want)
		}
	}
}

func TestOutputValue(t *testing.T) {
	t.Parallel()
	v := map[string]string{"run_id": "r1"}
	tests := []struct {
		format   string
		explicit bool
		indent   bool
		want     string
	}{
		{FormatText, true, true, "r1\n"},
		{FormatJSON, false, false, "r1\n"}, // json because stdout is a pipe: still the bare value
		{FormatJSON, true, false, `{"run_id":"r1"}` + "\n"},
		{FormatJSON, true, true, "{\n  \"run_id\": \"r1\"\n}\n"},
		{FormatJSONL, true, true, `{"run_id":"r1"}` + "\n"},
	}
	for _, tc := range tests {
		o, out, _ := testOutput(tc.format, tc.explicit, tc.indent, 0)
		if o.Explicit() != (tc.explicit && tc.format != FormatText) {
			t.Errorf("%s explicit=%v: Explicit() = %v", tc.format, tc.explicit, o.Explicit())
		}
		if err := o.Value("r1", v); err != nil {
			t.Fatal(err)
		}
		if out.String() != tc.want {
			t.Errorf("%s explicit=%v indent=%v: %q, want %q", tc.format, tc.explicit, tc.indent, out.String(), tc.want)
		}
	}
}

func TestOutputNotesGoToStderr(t *testing.T) {
	t.Parallel()
	o, out, errb := testOutput(FormatJSON, true, false, 0)
	o.Notef("%d item(s) %s", 2, "pending")
	if out.Len() != 0 || errb.String() != "2 item(s) pending\n" {
		t.Errorf("stdout %q, stderr %q", out.String(), errb.String())
	}
}

func TestOutputListJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		format string
		indent bool
		n      int
		want   string
	}{
		{FormatJSON, false, 0, "[]\n"},
		{FormatJSON, true, 0, "[]\n"},
		{FormatJSON, false, 2, "[\n" + `{"id":"0","note":""},` + "\n" + `{"id":"1","note":""}` + "\n]\n"},
		{FormatJSON, true, 1, "[\n  {\n    \"id\": \"0\",\n    \"note\": \"\"\n  }\n]\n"},
		{FormatJSONL, false, 0, ""},
		{FormatJSONL, true, 2, `{"id":"0","note":""}` + "\n" + `{"id":"1","note":""}` + "\n"},
	}
	for _, tc := range tests {
		o, out, _ := testOutput(tc.format, false, tc.indent, 0)
		l := o.List("ID", "NOTE")
		for i := range tc.n {
			if err := l.Add(sample{ID: fmt.Sprint(i)}, fmt.Sprint(i), ""); err != nil {
				t.Fatal(err)
			}
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		if err := l.Close(); err != nil { // a second Close writes nothing
			t.Fatal(err)
		}
		if out.String() != tc.want || l.Len() != tc.n {
			t.Errorf("%s indent=%v n=%d: %q (len %d), want %q", tc.format, tc.indent, tc.n, out.String(), l.Len(), tc.want)
		}
	}
}

func TestOutputListAbort(t *testing.T) {
	t.Parallel()
	// No element yet: nothing at all, so stdout does not claim an empty result.
	for _, format := range []string{FormatText, FormatJSON, FormatJSONL} {
		o, out, _ := testOutput(format, false, false, 0)
		l := o.List("ID")
		l.Abort()
		if err := l.Close(); err != nil || out.Len() != 0 {
			t.Errorf("%s: aborted empty list wrote %q (%v)", format, out.String(), err)
		}
	}
	// After elements: the JSON array stays open, so a parser notices that
	// the list was cut short; the rows of a table are shown.
	o, out, _ := testOutput(FormatJSON, false, false, 0)
	l := o.List("ID")
	l.Add(sample{ID: "a"}, "a")
	l.Abort()
	if out.String() != "[\n"+`{"id":"a","note":""}`+"\n" {
		t.Errorf("aborted JSON list: %q", out.String())
	}
	if err := l.Close(); err != nil || strings.HasSuffix(out.String(), "]\n") {
		t.Errorf("Close after Abort closed the array: %q (%v)", out.String(), err)
	}
	o, out, _ = testOutput(FormatText, false, false, 0)
	l = o.List("ID")
	l.Add(nil, "a")
	l.Abort()
	if out.String() != "ID\na\n" {
		t.Errorf("aborted table: %q", out.String())
	}
}

func TestOutputTable(t *testing.T) {
	t.Parallel()
	o, out, _ := testOutput(FormatText, false, true, 0)
	l := o.List("ID", "NAME", "NOTE")
	l.Add(nil, "1", "first", "tab\there")
	l.Add(nil, "22", "zweite Größe", "")
	l.Add(nil, "333", "x", "last")
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	want := "" +
		"ID   NAME          NOTE\n" +
		"1    first         tab here\n" +
		"22   zweite Größe\n" +
		"333  x             last\n"
	if out.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", out.String(), want)
	}
}

// TestOutputTableSizedFromTheFirstRows: the columns are sized from the
// first tableSample rows and written from then on as they come; a wider row
// later does not hold the list in memory to realign.
func TestOutputTableSizedFromTheFirstRows(t *testing.T) {
	t.Parallel()
	o, out, _ := testOutput(FormatText, false, false, 0)
	l := o.List("N", "V")
	for i := range tableSample {
		l.Add(nil, "a", fmt.Sprint(i%10))
	}
	if strings.Count(out.String(), "\n") != tableSample+1 {
		t.Fatalf("after %d rows the table is not written: %q", tableSample, out.String())
	}
	l.Add(nil, "wider", "v")
	l.Close()
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	if lines[0] != "N  V" || lines[1] != "a  0" || lines[len(lines)-1] != "wider  v" {
		t.Errorf("header %q, first %q, last %q", lines[0], lines[1], lines[len(lines)-1])
	}
}

// TestOutputTableCutsExternalIDsInTheMiddle: an external id (often a
// path) gives way like other text, keeping its end.
func TestOutputTableCutsExternalIDsInTheMiddle(t *testing.T) {
	t.Parallel()
	o, out, _ := testOutput(FormatText, false, true, 60)
	l := o.List("ITEM_ID", "EXTERNAL_ID")
	l.Add(nil, "2009e0bc-bd19-434a-955f-b917c80db454", "slides/patient-0001/very-long-name-of-a-slide-2026.svs")
	l.Close()
	want := "ITEM_ID                               EXTERNAL_ID\n" +
		"2009e0bc-bd19-434a-955f-b917c80db454  slides/pat…de-2026.svs\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}

// TestOutputTableFitsTheTerminal: on a terminal id columns (*ID) are never
// cut; the widest other columns give way (down to their header, at least 10
// characters) and cut cells end in "…"; when that is not enough, the
// right-most other columns are left out, with a note on stderr; a pipe and
// -o wide get full cells.
func TestOutputTableFitsTheTerminal(t *testing.T) {
	t.Parallel()
	row := []string{"0123456789abcdef", "a rather long description of the thing", "RUNNING", "2026-03-02T10:00:00Z"}
	for _, tc := range []struct {
		width int
		wide  bool
		want  string
		note  string
	}{
		{0, false, "" +
			"RUN_ID            DESCRIPTION                             STATE    SUBMITTED_AT\n" +
			"0123456789abcdef  a rather long description of the thing  RUNNING  2026-03-02T10:00:00Z\n", ""},
		{80, true, "" +
			"RUN_ID            DESCRIPTION                             STATE    SUBMITTED_AT\n" +
			"0123456789abcdef  a rather long description of the thing  RUNNING  2026-03-02T10:00:00Z\n", ""},
		{60, false, "" + // the widest column gives way; the id and the timestamp stay whole
			"RUN_ID            DESCRIPTION  STATE    SUBMITTED_AT\n" +
			"0123456789abcdef  a rather l…  RUNNING  2026-03-02T10:00:00Z\n", ""},
		{40, false, "" + // the timestamp is left out rather than cut
			"RUN_ID            DESCRIPTION    STATE\n" +
			"0123456789abcdef  a rather lon…  RUNNING\n", "left out: SUBMITTED_AT"},
		{10, false, "" + // only the id left: it is not cut, the line overflows
			"RUN_ID\n" +
			"0123456789abcdef\n", "left out: DESCRIPTION, STATE, SUBMITTED_AT"},
	} {
		o, out, errb := testOutput(FormatText, false, true, tc.width)
		if tc.wide {
			o.wide, o.width = true, 0
		}
		l := o.List("RUN_ID", "DESCRIPTION", "STATE", "SUBMITTED_AT")
		l.Add(nil, append([]string{}, row...)...)
		l.Close()
		if out.String() != tc.want {
			t.Errorf("width %d:\n%s\nwant:\n%s", tc.width, out.String(), tc.want)
		}
		if tc.note == "" && errb.Len() != 0 || !strings.Contains(errb.String(), tc.note) {
			t.Errorf("width %d: stderr %q, want a note %q", tc.width, errb.String(), tc.note)
		}
		for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
			if tc.width > 16 && !tc.wide && utf8.RuneCountInString(line) > tc.width {
				t.Errorf("width %d: line %q is wider", tc.width, line)
			}
		}
	}
}
