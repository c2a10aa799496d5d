package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/template"
	"unicode/utf8"

	"github.com/aignostics/aignostics/internal/termtext"
)

// Output formats.
const (
	FormatText  = "text"
	FormatJSON  = "json"
	FormatJSONL = "jsonl"
	// FormatWide is text whose tables show every column in full, whatever
	// the terminal's width; Output.Format reports it as FormatText.
	FormatWide = "wide"
)

// Output renders command results on stdout in the chosen format: aligned text,
// JSON (indented on a terminal) or JSON Lines.
type Output struct {
	w        io.Writer
	stderr   io.Writer
	format   string
	explicit bool
	indent   bool
	width    int                // terminal width; 0: nothing is cut
	wide     bool               // -o wide: text whose tables cut nothing
	tmpl     *template.Template // --template: every object through it
	tmplErr  error
	// errFormat is the format errors are reported in when it differs
	// from format (--template renders objects, not errors).
	errFormat string
	color     bool // states in colour (a terminal, colour allowed)
}

// Field is one line of a text rendering of an object.
type Field struct{ Key, Value string }

func (f *Factory) newOutput() *Output {
	o := f.buildOutput()
	f.out.Store(o)
	return o
}

// Output builds the output layer; a bad --template is reported by the
// command's first write (templateErr) and by run() before the command.
func (f *Factory) buildOutput() *Output {
	format, explicit := f.outputFormat()
	tty := f.IO.IsStdoutTTY()
	if format == "auto" || format == "" {
		format = FormatJSON
		if tty {
			format = FormatText
		}
	}
	wide := format == FormatWide
	if wide {
		format = FormatText
	}
	o := &Output{w: f.IO.Out, stderr: f.IO.ErrOut, format: format, explicit: explicit, indent: tty, width: f.IO.TerminalWidth(), wide: wide}
	if wide {
		o.width = 0
	}
	o.color = format == FormatText && f.IO.ColorEnabled()
	if f.Flags.Template != "" {
		o.errFormat = o.format // errors stay as -o asked
		// Objects as JSON Lines, each through the template.
		o.tmpl, o.tmplErr = f.parseTemplate(f.Flags.Template, f.IO.ColorEnabled())
		o.format, o.explicit = FormatJSONL, true
	}
	return o
}

// outputIfBuilt is the output layer when a command already built it.
func (f *Factory) outputIfBuilt() (*Output, bool) {
	o := f.out.Load()
	return o, o != nil
}

// outputFormat is the requested format and whether it was asked for
// (flag, environment or env file) rather than defaulted.
func (f *Factory) outputFormat() (string, bool) {
	if f.Flags.Output != "" {
		return f.Flags.Output, true
	}
	if s, err := f.Settings(); err == nil {
		src := s.Sources["AIGNOSTICS_OUTPUT"]
		return s.Output, src != "" && src != "default"
	}
	if v, ok := f.Getenv("AIGNOSTICS_OUTPUT"); ok && v != "" {
		return v, true
	}
	return "auto", false
}

// Format is the resolved format: text, json or jsonl.
func (o *Output) Format() string { return o.format }

// Explicit reports whether json or jsonl was asked for rather than chosen
// because stdout is not a terminal. Single-value commands print the bare value
// unless it is.
func (o *Output) Explicit() bool { return o.explicit && o.format != FormatText }

// Writer is stdout.
func (o *Output) Writer() io.Writer { return o.w }

// Notef writes a note for humans to stderr; it never reaches stdout.
// Terminal control characters in it (from the server's strings) are shown
// as escapes.
func (o *Output) Notef(format string, args ...any) {
	fmt.Fprintln(o.stderr, termtext.Text(fmt.Sprintf(format, args...)))
}

// Object writes one object: the value itself as JSON, or fields as aligned
// `key: value` lines in text.
func (o *Output) Object(v any, fields []Field) error {
	switch o.format {
	case FormatJSON:
		return o.writeJSON(v, o.indent)
	case FormatJSONL:
		return o.writeJSON(v, false)
	}
	width := 0
	for _, f := range fields {
		width = max(width, utf8.RuneCountInString(f.Key))
	}
	var b bytes.Buffer
	for _, f := range fields {
		v := oneLine(f.Value)
		if isStateField(f.Key) {
			v = paintState(o.color, v)
		}
		fmt.Fprintf(&b, "%s:%s %s\n", f.Key, strings.Repeat(" ", width-utf8.RuneCountInString(f.Key)), v)
	}
	_, err := o.w.Write(b.Bytes())
	return err
}

// Value writes a command's single result: the bare text, unless json or jsonl
// was asked for explicitly, in which case v is written as JSON.
func (o *Output) Value(text string, v any) error {
	if o.Explicit() {
		return o.writeJSON(v, o.format == FormatJSON && o.indent)
	}
	_, err := fmt.Fprintln(o.w, termtext.Line(text))
	return err
}

// JSON writes v as JSON whatever the format (for commands whose output is
// always JSON).
func (o *Output) JSON(v any) error { return o.writeJSON(v, o.indent && o.format != FormatJSONL) }

func (o *Output) writeJSON(v any, indent bool) error {
	if o.tmplErr != nil {
		return o.tmplErr
	}
	if o.tmpl != nil {
		return o.executeTemplate(v)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if indent {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encode output: %w", err)
	}
	_, err := o.w.Write(b.Bytes())
	return err
}

// List starts a streamed list with the given text column headers.
func (o *Output) List(headers ...string) *List {
	return &List{o: o, headers: headers}
}

// List is a list being written element by element as its pages arrive: a
// JSON array, JSON Lines, or a text table whose columns are sized from the
// first rows.
//
// On a terminal, a table fits its width: id columns (a header ending in
// "ID": RUN_ID, ITEM_ID, ARTIFACT_ID, APPLICATION_ID, ...; not EXTERNAL_ID,
// the user's own name, cut in the middle) are never cut, since people copy
// them; the other columns give way, the widest
// first, down to their header's width (at least 10); when that is not
// enough, the right-most other columns are left out, with a note naming
// them and -o wide. A command gets this by naming its id columns *_ID.
type List struct {
	o       *Output
	headers []string
	n       int
	pending [][]string
	widths  []int
	shown   []int // the indexes of the columns shown, in order
	closed  bool
}

// tableSample is how many rows size the columns of a text table.
const tableSample = 50

// Add writes one element: v in JSON formats, row in text.
func (l *List) Add(v any, row ...string) error {
	defer func() { l.n++ }()
	switch l.o.format {
	case FormatJSONL:
		return l.o.writeJSON(v, false)
	case FormatJSON:
		b, err := marshal(v, l.o.indent)
		if err != nil {
			return err
		}
		sep := ",\n"
		if l.n == 0 {
			sep = "[\n"
		}
		if l.o.indent {
			b = bytes.ReplaceAll(b, []byte("\n"), []byte("\n  "))
			b = append([]byte("  "), b...)
		}
		_, err = io.WriteString(l.o.w, sep+string(b))
		return err
	}
	for i := range row {
		row[i] = oneLine(row[i])
	}
	if l.widths == nil {
		l.pending = append(l.pending, row)
		if len(l.pending) < tableSample {
			return nil
		}
		return l.flush()
	}
	return l.writeRow(row)
}

func (l *List) flush() error {
	l.widths = make([]int, len(l.headers))
	for i, h := range l.headers {
		l.widths[i] = utf8.RuneCountInString(h)
	}
	for _, r := range l.pending {
		for i := range min(len(r), len(l.widths)) {
			l.widths[i] = max(l.widths[i], utf8.RuneCountInString(r[i]))
		}
	}
	l.shown = fitColumns(l.headers, l.widths, l.o.width)
	if hidden := len(l.headers) - len(l.shown); hidden > 0 {
		var names []string
		for i, h := range l.headers {
			if !slices.Contains(l.shown, i) {
				names = append(names, h)
			}
		}
		l.o.Notef("-o wide shows the columns left out: %s", strings.Join(names, ", "))
	}
	if err := l.writeRow(l.headers); err != nil {
		return err
	}
	for _, r := range l.pending {
		if err := l.writeRow(r); err != nil {
			return err
		}
	}
	l.pending = nil
	return nil
}

// isStateField reports whether a table column or object key holds a state
// or an outcome, shown in colour on a terminal.
func isStateField(name string) bool {
	switch strings.ToUpper(name) {
	case "STATE", "TERMINATION", "TERMINATION_REASON", "OUTPUT", "OUTCOME", "STATUS", "RUN STATE":
		return true
	}
	return false
}

func isHeaderRow(row, headers []string) bool {
	return len(row) > 0 && len(headers) > 0 && &row[0] == &headers[0]
}

// isIDColumn reports whether a column holds ids, which are never cut. An
// external id is the user's own name (often a path), of any length: it is
// cut in the middle instead, keeping its end (the file name).
func isIDColumn(header string) bool {
	return strings.HasSuffix(header, "ID") && header != "EXTERNAL_ID"
}

// cutCell shortens a cell to w columns, ending in "…" (external ids: "…"
// in the middle).
func cutCell(header, cell string, w int) string {
	r := []rune(cell)
	if header == "EXTERNAL_ID" && w >= 5 {
		head := (w - 1) / 2
		return string(r[:head]) + "…" + string(r[len(r)-(w-1-head):])
	}
	return string(r[:max(w-1, 0)]) + "…"
}

// fitColumns shrinks widths (natural widths on entry) so that the table
// fits width columns (0: no limit) and returns the indexes of the columns
// to show. Id columns keep their width; the other columns shrink, the
// widest first, down to their floor (header width, at least 10, at most the
// natural width; timestamps, *_AT, keep theirs); when even the floors do not fit, right-most non-id
// columns are dropped first.
func fitColumns(headers []string, widths []int, width int) []int {
	shown := make([]int, len(widths))
	for i := range shown {
		shown[i] = i
	}
	if width <= 0 || len(widths) == 0 {
		return shown
	}
	natural := slices.Clone(widths)
	floor := make([]int, len(widths))
	for i, h := range headers {
		floor[i] = natural[i]
		if !isIDColumn(h) && !strings.HasSuffix(h, "_AT") { // a cut timestamp is no timestamp
			floor[i] = min(natural[i], max(utf8.RuneCountInString(h), 10))
		}
	}
	total := func(w func(int) int) int {
		t := 2 * (len(shown) - 1)
		for _, i := range shown {
			t += w(i)
		}
		return t
	}
	for total(func(i int) int { return floor[i] }) > width {
		drop := -1
		for k := len(shown) - 1; k > 0; k-- { // the first column always stays
			if !isIDColumn(headers[shown[k]]) {
				drop = k
				break
			}
		}
		if drop < 0 {
			break // only ids left: they are never cut, the line wraps
		}
		shown = slices.Delete(shown, drop, drop+1)
	}
	for total(func(i int) int { return widths[i] }) > width {
		wi := -1
		for _, i := range shown {
			if widths[i] > floor[i] && (wi < 0 || widths[i] > widths[wi]) {
				wi = i
			}
		}
		if wi < 0 {
			break
		}
		widths[wi]--
	}
	return shown
}

func (l *List) writeRow(row []string) error {
	var b strings.Builder
	for k, i := range l.shown {
		if i >= len(row) {
			break
		}
		cell, w := row[i], l.widths[i]
		if n := utf8.RuneCountInString(cell); n > w && l.o.width > 0 && !isIDColumn(l.headers[i]) {
			cell = cutCell(l.headers[i], cell, w)
		}
		pad := max(w-utf8.RuneCountInString(cell), 0) + 2
		if isStateField(l.headers[i]) && !isHeaderRow(row, l.headers) {
			cell = paintState(l.o.color, cell) // after measuring: escapes take no columns
		}
		b.WriteString(cell)
		if k == len(l.shown)-1 {
			break
		}
		b.WriteString(strings.Repeat(" ", pad))
	}
	_, err := io.WriteString(l.o.w, strings.TrimRight(b.String(), " ")+"\n")
	return err
}

// Close ends the list: it closes the JSON array or writes the table.
func (l *List) Close() error {
	if l.closed {
		return nil
	}
	l.closed = true
	switch l.o.format {
	case FormatJSON:
		if l.n == 0 {
			_, err := io.WriteString(l.o.w, "[]\n")
			return err
		}
		_, err := io.WriteString(l.o.w, "\n]\n")
		return err
	case FormatText:
		if l.widths == nil {
			return l.flush()
		}
	}
	return nil
}

// Abort ends a list cut short by an error: the table rows that arrived are
// shown, a started JSON array is left open (it ends with a newline, not
// "]"), so that a parser notices that the document is incomplete, and a list
// with no element writes nothing, so stdout does not claim an empty result.
// The command then exits non-zero with the error.
func (l *List) Abort() {
	if l.n == 0 {
		l.closed = true
		return
	}
	if l.o.format == FormatJSON {
		l.closed = true
		_, _ = io.WriteString(l.o.w, "\n")
		return
	}
	_ = l.Close()
}

// Len is the number of elements added so far.
func (l *List) Len() int { return l.n }

func marshal(v any, indent bool) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if indent {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode output: %w", err)
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// oneLine keeps a table cell or value on one line, with terminal control
// characters shown as escapes (termtext.Line): the strings come from the
// server, and text output reaches terminals.
func oneLine(s string) string {
	if strings.Contains(s, "\r\n") {
		s = strings.ReplaceAll(s, "\r\n", " ")
	}
	return termtext.Line(s)
}
