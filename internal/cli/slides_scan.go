package cli

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/aignostics/aignostics/slides"
)

// SlidesScanCmd is `slides scan`.
type SlidesScanCmd struct {
	Paths      []string `arg:"" name:"PATH" help:"Slide files, or folders walked recursively."`
	Mapping    []string `name:"mapping" sep:"none" placeholder:"'REGEX:KEY=VALUE,...'" help:"Set metadata (staining_method, tissue, disease or any key of the version's schema; also resolution_mpp, width_px, height_px) on the slides whose absolute path matches REGEX. Repeatable; a later one wins."`
	For        string   `name:"for" placeholder:"APP[:VERSION]" help:"Check every slide against this application version's input schema and report every problem (needs a login)."`
	ExternalID string   `name:"external-id" default:"relative" enum:"relative,absolute,name" help:"External id of a slide: its path relative to the PATH it was found under (relative), its absolute path (absolute, as the Python SDK), or its file name (name)."`
	CSV        string   `name:"csv" placeholder:"FILE" help:"Also write the slides as the Python SDK's semicolon-separated metadata CSV (written whole or not at all)."`
	NoChecksum bool     `name:"no-checksum" help:"Skip the CRC32C of each slide: a quick look (the CSV and --for then lack it)."`
}

// Help is shown below the flags.
func (c *SlidesScanCmd) Help() string {
	return `Prints one object per slide (path, external_id, format, media_type, width_px,
height_px, resolution_mpp, mpp_y, levels, size_bytes, checksum_base64_crc32c) and
{"path", "skipped"} for files that are no slides; the instances of a DICOM
pyramid are one slide. Exit 0 when every slide was read, 1 when a file that
looks like a slide could not be, 2 for bad paths or flags.

Examples:
  aignostics slides scan ./slides
  aignostics slides scan ./slides -o jsonl --no-checksum
  aignostics slides scan ./slides --for he-tme \
      --mapping '.*:staining_method=H&E' --mapping '/lung/:tissue=LUNG,disease=LUNG_CANCER'
  aignostics slides scan ./slides --external-id absolute --csv slides.csv`
}

// Run scans, prints each entry as it is known, then writes the CSV and
// checks the slides against the version.
func (c *SlidesScanCmd) Run(ctx context.Context, f *Factory) error {
	opts := slides.Options{ExternalID: slides.ExternalID(c.ExternalID), NoChecksum: c.NoChecksum}
	if _, err := slides.ParseExternalID(c.ExternalID); err != nil {
		return cliErrorf(KindUsage, "--external-id %q: must be relative, absolute or name", c.ExternalID)
	}
	for _, s := range c.Mapping {
		m, err := slides.ParseMapping(s)
		if err != nil {
			return cliErrorf(KindUsage, "--mapping: %v", err)
		}
		opts.Mappings = append(opts.Mappings, m)
	}
	if c.CSV != "" {
		if err := checkCSVTarget(c.CSV); err != nil {
			return err
		}
	}
	// The version first: a wrong name or a missing login is told before a
	// long scan, not after.
	var check *slidesCheck
	if c.For != "" {
		var err error
		if check, err = newSlidesCheck(ctx, f, c.For); err != nil {
			return err
		}
	}
	out := f.Output()
	progress := newScanProgress(f)
	opts.Progress = progress.update
	headers := []string{"EXTERNAL_ID", "FORMAT", "WIDTH", "HEIGHT", "MPP", "LEVELS", "SIZE", "CRC32C"}
	if len(opts.Mappings) > 0 {
		headers = append(headers, "METADATA")
	}
	list := out.List(headers...)
	var found []slides.Slide
	var unreadable, skipped int
	for e, err := range slides.Scan(ctx, c.Paths, opts) {
		if err != nil {
			progress.finish()
			list.Abort()
			if errors.Is(err, slides.ErrBadPath) {
				return cliError(KindInvalid, err)
			}
			return err
		}
		var werr error
		switch {
		case e.Slide != nil:
			found = append(found, *e.Slide)
			progress.around(func() { werr = list.Add(e, slideRow(e.Slide, len(opts.Mappings) > 0)...) })
		case e.Err != nil:
			unreadable++
			progress.around(func() {
				if out.Format() == FormatText {
					out.Notef("error: %v", e.Err)
					return
				}
				werr = list.Add(e)
			})
		default:
			skipped++
			progress.around(func() {
				if out.Format() == FormatText {
					out.Notef("skipped %s: %s", e.Path, e.Skipped)
					return
				}
				werr = list.Add(e)
			})
		}
		if werr != nil {
			progress.finish()
			list.Abort()
			return werr
		}
	}
	progress.finish()
	if err := list.Close(); err != nil {
		return err
	}
	if out.Format() == FormatText {
		var bytes int64
		for _, s := range found {
			bytes += s.SizeBytes
		}
		out.Notef("%d slide(s), %s; %d skipped; %d unreadable", len(found), humanBytes(bytes), skipped, unreadable)
	}
	if c.CSV != "" {
		if err := slides.WriteCSVFile(c.CSV, found); err != nil {
			return cliError(KindInvalid, err)
		}
		out.Notef("wrote %d slide(s) to %s", len(found), c.CSV)
		if c.NoChecksum {
			out.Notef("note: %s has no checksums (--no-checksum); scan again without it before submitting", c.CSV)
		}
	}
	var problems error
	if check != nil {
		problems = check.validate(f, found)
	} else {
		warnDuplicateIDs(out, found)
	}
	if unreadable > 0 {
		if problems != nil { // both: the problems as notes, the exit for the unreadable files
			out.Notef("%v", problems)
		}
		return cliErrorf(KindFailed, "%d file(s) that look like slides could not be read", unreadable)
	}
	return problems
}

// checkCSVTarget fails early when --csv cannot be written: its folder
// must exist, and it must not be a folder itself.
func checkCSVTarget(path string) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return cliErrorf(KindInvalid, "--csv %q: is a directory", path)
	}
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	if err != nil {
		return cliErrorf(KindInvalid, "--csv %q: %v", path, err)
	}
	if !st.IsDir() {
		return cliErrorf(KindInvalid, "--csv %q: %s is not a directory", path, dir)
	}
	return nil
}

// slideRow is a slide's row of the text table.
func slideRow(s *slides.Slide, withMetadata bool) []string {
	mpp := "-"
	if s.ResolutionMPP != nil {
		mpp = strconv.FormatFloat(*s.ResolutionMPP, 'g', -1, 64)
		if s.MPPY != nil && *s.MPPY != *s.ResolutionMPP {
			mpp += "×" + strconv.FormatFloat(*s.MPPY, 'g', -1, 64)
		}
	}
	sum := s.Checksum
	if sum == "" {
		sum = "-"
	}
	row := []string{s.ExternalID, string(s.Format), strconv.FormatInt(s.WidthPx, 10), strconv.FormatInt(s.HeightPx, 10),
		mpp, strconv.Itoa(s.Levels), humanBytes(s.SizeBytes), sum}
	if withMetadata {
		var kv []string
		for _, k := range slices.Sorted(maps.Keys(s.Metadata)) {
			kv = append(kv, k+"="+s.Metadata[k])
		}
		row = append(row, strings.Join(kv, ","))
	}
	return row
}

// warnDuplicateIDs tells of external ids that more than one slide has: a
// run needs them unique.
func warnDuplicateIDs(out *Output, found []slides.Slide) {
	count := map[string]int{}
	for _, s := range found {
		count[s.ExternalID]++
	}
	for _, s := range found {
		if n := count[s.ExternalID]; n > 1 {
			out.Notef("warning: %d slides have the external id %q; a run needs unique ids (try --external-id relative or absolute)", n, s.ExternalID)
			count[s.ExternalID] = 0
		}
	}
}
