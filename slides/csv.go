package slides

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/aignostics/aignostics/checksum"
	"github.com/aignostics/aignostics/wsi"
)

// CSVColumns are the columns of the Python SDK's metadata CSV (`run
// prepare`), in its order.
var CSVColumns = []string{"external_id", "checksum_base64_crc32c", "resolution_mpp", "width_px",
	"height_px", "staining_method", "tissue", "disease", "platform_bucket_url"}

// csvPathColumn holds a slide's file when its external id is not its path
// (the Python SDK's external id is the absolute path, so it needs none).
const csvPathColumn = "path"

// csvIgnored are columns that are no metadata: ours, and those the Python
// SDK's Launchpad and --with-extra-metadata add.
var csvIgnored = map[string]bool{csvPathColumn: true, "path_name": true, "source": true,
	"file_size_human": true, "file_upload_progress": true, "extra": true}

// WriteCSV writes slides as the Python SDK writes its metadata CSV
// (csv.writer with delimiter ';', quotechar '"', QUOTE_MINIMAL, CRLF line
// ends): its nine columns, then a column per other metadata key, then a
// path column when some external id is not the slide's absolute path.
// Unknown values are empty, but for an unknown resolution, 0.0, as the
// Python SDK writes it (ReadCSV reads it back as unknown).
func WriteCSV(w io.Writer, slides []Slide) error {
	header := slices.Clone(CSVColumns)
	var extra []string
	needPath := false
	for _, s := range slides {
		for k := range s.Metadata {
			if !slices.Contains(header, k) && !slices.Contains(extra, k) && !csvIgnored[k] {
				extra = append(extra, k)
			}
		}
		needPath = needPath || s.ExternalID != s.Path
	}
	slices.Sort(extra)
	header = append(header, extra...)
	if needPath {
		header = append(header, csvPathColumn)
	}
	bw := bufio.NewWriter(w)
	writeRow(bw, header)
	for _, s := range slides {
		row := make([]string, len(header))
		for i, col := range header {
			row[i] = csvValue(s, col)
		}
		writeRow(bw, row)
	}
	return bw.Flush()
}

// csvValue is s's value for a column.
func csvValue(s Slide, col string) string {
	switch col {
	case "external_id":
		return s.ExternalID
	case "checksum_base64_crc32c":
		return s.Checksum
	case "resolution_mpp":
		if s.ResolutionMPP == nil {
			return "0.0" // the Python SDK's "the slide does not say"
		}
		return pyFloat(*s.ResolutionMPP)
	case "width_px":
		return intOrEmpty(s.WidthPx)
	case "height_px":
		return intOrEmpty(s.HeightPx)
	case "platform_bucket_url":
		return s.BucketURL
	case csvPathColumn:
		return s.Path
	}
	return s.Metadata[col]
}

func intOrEmpty(n int64) string {
	if n <= 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

// writeRow writes one row as Python's csv module does with QUOTE_MINIMAL:
// a field is quoted when it holds the delimiter, the quote or a line
// break; quotes inside are doubled.
func writeRow(w *bufio.Writer, fields []string) {
	for i, f := range fields {
		if i > 0 {
			w.WriteByte(';')
		}
		if strings.ContainsAny(f, ";\"\r\n") {
			w.WriteByte('"')
			w.WriteString(strings.ReplaceAll(f, `"`, `""`))
			w.WriteByte('"')
			continue
		}
		w.WriteString(f)
	}
	w.WriteString("\r\n")
}

// pyFloat formats f as Python's repr does: the shortest digits that read
// back, with ".0" on whole numbers, in exponent form below 1e-4 and from
// 1e16.
func pyFloat(f float64) string {
	a := math.Abs(f)
	if a != 0 && (a < 1e-4 || a >= 1e16) {
		return strconv.FormatFloat(f, 'e', -1, 64)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".") {
		s += ".0"
	}
	return s
}

// WriteCSVFile writes the CSV to path atomically: a temporary file in the
// same directory, synced, then renamed over path.
func WriteCSVFile(path string, slides []Slide) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
			err = fmt.Errorf("write %s: %w", path, err)
		}
	}()
	if err := WriteCSV(tmp, slides); err != nil {
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// CSVError is every problem of a metadata CSV's rows.
type CSVError struct {
	Name     string   // the file, when known
	Problems []string // "line N: ..."
}

func (e *CSVError) Error() string {
	head := fmt.Sprintf("%d problem(s)", len(e.Problems))
	if e.Name != "" {
		head = e.Name + ": " + head
	}
	return head + ": " + strings.Join(e.Problems, "; ")
}

// ReadCSV reads a metadata CSV written by WriteCSV or by the Python SDK
// (semicolons, a header row, external_id required). A slide's file is the
// path column, else its external id; a relative one is taken from dir.
// Format, levels and size are not in a CSV; the media type follows the
// file name. Every problem of every row is reported at once (*CSVError).
func ReadCSV(r io.Reader, dir string) ([]Slide, error) {
	cr := csv.NewReader(r)
	cr.Comma = ';'
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &CSVError{Problems: []string{"empty: no header row"}}
	}
	if err != nil {
		return nil, err
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		header[i] = h
		if _, dup := col[h]; dup {
			return nil, &CSVError{Problems: []string{fmt.Sprintf("line 1: column %q twice", h)}}
		}
		col[h] = i
	}
	if _, ok := col["external_id"]; !ok {
		return nil, &CSVError{Problems: []string{fmt.Sprintf("line 1: no external_id column (columns: %s)", strings.Join(header, ";"))}}
	}
	var slides []Slide
	var problems []string
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		s, ps := csvSlide(header, rec, dir)
		for _, p := range ps {
			problems = append(problems, fmt.Sprintf("line %d: %s", line, p))
		}
		if len(rec) > len(header) {
			problems = append(problems, fmt.Sprintf("line %d: %d fields, the header has %d (an unquoted ';'?)", line, len(rec), len(header)))
		}
		slides = append(slides, s)
	}
	if len(problems) > 0 {
		return nil, &CSVError{Problems: problems}
	}
	return slides, nil
}

// csvSlide makes a slide of one row and lists its problems.
func csvSlide(header, rec []string, dir string) (Slide, []string) {
	var s Slide
	var ps []string
	path := ""
	for i, h := range header {
		v := ""
		if i < len(rec) {
			v = rec[i]
		}
		t := strings.TrimSpace(v)
		switch h {
		case "external_id":
			s.ExternalID = v
			if t == "" {
				ps = append(ps, "external_id is empty")
			}
		case "checksum_base64_crc32c":
			if t != "" {
				if _, err := checksum.Decode(t); err != nil {
					ps = append(ps, fmt.Sprintf("checksum_base64_crc32c %q: not base64 of a CRC32C (4 bytes)", t))
				}
			}
			s.Checksum = t
		case "resolution_mpp":
			if t == "" {
				continue
			}
			f, err := strconv.ParseFloat(t, 64)
			switch {
			case err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0:
				ps = append(ps, fmt.Sprintf("resolution_mpp %q: not a number of microns per pixel", t))
			case f > 0: // the Python SDK writes 0.0 when the slide has none
				s.ResolutionMPP = &f
			}
		case "width_px", "height_px":
			if t == "" {
				continue
			}
			n, err := strconv.ParseInt(t, 10, 64)
			if err != nil || n < 1 {
				ps = append(ps, fmt.Sprintf("%s %q: not a whole number of pixels", h, t))
			}
			if h == "width_px" {
				s.WidthPx = n
			} else {
				s.HeightPx = n
			}
		case "platform_bucket_url":
			s.BucketURL = t
		case csvPathColumn:
			path = v
		default:
			if csvIgnored[h] || v == "" {
				continue
			}
			if s.Metadata == nil {
				s.Metadata = map[string]string{}
			}
			s.Metadata[h] = v
		}
	}
	if path == "" {
		path = s.ExternalID
	}
	if path != "" {
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		s.Path = filepath.Clean(path)
	}
	s.MediaType = mediaTypeOf(s.Path)
	return s, ps
}

// mediaTypeOf is the media type a file name says.
func mediaTypeOf(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".svs", ".tif", ".tiff", ".btf":
		return wsi.MediaTypeTIFF
	case ".dcm":
		return wsi.MediaTypeDICOM
	}
	return "application/octet-stream"
}

// ReadCSVFile reads the metadata CSV at path (see ReadCSV); relative paths
// in it are taken from its directory.
func ReadCSVFile(path string) ([]Slide, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	slides, err := ReadCSV(f, filepath.Dir(abs))
	var ce *CSVError
	switch {
	case errors.As(err, &ce):
		ce.Name = path
		return nil, ce
	case err != nil:
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return slides, nil
}
