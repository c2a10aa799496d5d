package slides

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/aignostics/aignostics/wsi"
)

// DefaultParallel is how many files a scan reads at once unless told.
const DefaultParallel = 4

// ErrBadPath is a PATH to scan that does not exist or cannot be read.
var ErrBadPath = errors.New("bad path")

// Options tune a scan.
type Options struct {
	// NoChecksum skips the CRC32C of each slide (a quick look).
	NoChecksum bool
	// Parallel is how many files are read at once; 0 means DefaultParallel.
	Parallel int
	// ExternalID says how slides are named; "" means ExternalIDRelative.
	ExternalID ExternalID
	// Mappings set metadata (and some fields) by path, in order: a later
	// mapping wins over an earlier one.
	Mappings []Mapping
	// Progress, when set, is told how far the checksums are, after every
	// chunk read; calls are serialised.
	Progress func(Progress)
}

// Progress is how far the checksums of a scan are.
type Progress struct {
	Slides, SlidesDone int   // slides to checksum, and done
	Bytes, BytesDone   int64 // their bytes, and those read
}

// slideExtensions are names that say "slide": such a file whose content is
// no known format is an error, not a skipped file.
var slideExtensions = map[string]bool{".svs": true, ".tif": true, ".tiff": true, ".dcm": true,
	".ndpi": true, ".scn": true, ".bif": true, ".btf": true}

// looksLikeSlide reports a name with a slide extension.
func looksLikeSlide(path string) bool {
	return slideExtensions[strings.ToLower(filepath.Ext(path))]
}

// Scan finds the files under paths (files, or directories walked
// recursively in lexical order; symbolic links to directories are not
// followed) and yields an Entry for each, in that order: the slides with
// their size, resolution, external id, mapped metadata and checksum; files
// that are no slides, and the other instances of a DICOM pyramid, as
// skipped; files that look like slides but cannot be read with Err.
//
// Headers are read first, in parallel; then checksums, Options.Parallel
// files at a time, each streamed through a fixed buffer; entries are
// yielded in order as soon as their checksum is known. A non-nil error
// ends the scan: a bad PATH (ErrBadPath, before any entry) or the
// context's end.
func Scan(ctx context.Context, paths []string, opts Options) iter.Seq2[Entry, error] {
	return func(yield func(Entry, error) bool) {
		parallel := opts.Parallel
		if parallel <= 0 {
			parallel = DefaultParallel
		}
		if opts.ExternalID == "" {
			opts.ExternalID = ExternalIDRelative
		}
		roots, err := resolveRoots(paths)
		if err != nil {
			yield(Entry{}, err)
			return
		}
		files, err := walk(ctx, roots)
		if err != nil {
			yield(Entry{}, err)
			return
		}
		entries, err := inspect(ctx, files, parallel, opts)
		if err != nil {
			yield(Entry{}, err)
			return
		}
		if opts.NoChecksum {
			for _, e := range entries {
				if !yield(e, nil) {
					return
				}
			}
			return
		}
		checksumInOrder(ctx, entries, parallel, opts.Progress, yield)
	}
}

// root is one PATH argument.
type root struct {
	given, abs string
	dir        bool
}

func resolveRoots(paths []string) ([]root, error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("%w: no paths to scan", ErrBadPath)
	}
	roots := make([]root, 0, len(paths))
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadPath, err)
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrBadPath, p, err)
		}
		if !st.IsDir() && !st.Mode().IsRegular() {
			return nil, fmt.Errorf("%w: %s: not a file or directory", ErrBadPath, p)
		}
		roots = append(roots, root{given: p, abs: abs, dir: st.IsDir()})
	}
	return roots, nil
}

// file is one file found under a root, or a problem met while walking.
type file struct {
	abs, rel string
	skip     string // skipped before inspection
	err      error
}

// walk lists the files under the roots, each once.
func walk(ctx context.Context, roots []root) ([]file, error) {
	var files []file
	seen := map[string]bool{}
	add := func(f file) {
		if !seen[f.abs] {
			seen[f.abs] = true
			files = append(files, f)
		}
	}
	for _, r := range roots {
		if !r.dir {
			add(file{abs: r.abs, rel: "."})
			continue
		}
		// Walk the directory a root names even when the root is a
		// symbolic link to it; report paths under the root as given.
		walkRoot := r.abs
		if resolved, err := filepath.EvalSymlinks(r.abs); err == nil {
			walkRoot = resolved
		}
		err := filepath.WalkDir(walkRoot, func(p string, d fs.DirEntry, err error) error {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			rel, rerr := filepath.Rel(walkRoot, p)
			if rerr != nil {
				rel = p
			}
			f := file{abs: filepath.Join(r.abs, rel), rel: rel}
			switch {
			case err != nil:
				f.err = err
				if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
					f.err = fmt.Errorf("%s: %s: %w", f.abs, pe.Op, pe.Err)
				}
				add(f)
				if d != nil && d.IsDir() && p != walkRoot {
					return fs.SkipDir
				}
				return nil
			case d.IsDir():
				return nil
			case d.Type().IsRegular():
			case d.Type()&fs.ModeSymlink != 0:
				st, err := os.Stat(p)
				switch {
				case err != nil:
					f.skip = "broken symbolic link"
				case st.IsDir():
					f.skip = "symbolic link to a directory (not followed)"
				case !st.Mode().IsRegular():
					f.skip = "not a regular file"
				}
			default:
				f.skip = "not a regular file"
			}
			add(f)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return files, nil
}

// inspect reads the headers of files in parallel, folds DICOM pyramids and
// makes the entries, in the order of files.
func inspect(ctx context.Context, files []file, parallel int, opts Options) ([]Entry, error) {
	infos := make([]wsi.Info, len(files))
	errs := make([]error, len(files))
	err := forEach(ctx, len(files), parallel, func(i int) {
		if files[i].skip == "" && files[i].err == nil {
			infos[i], errs[i] = wsi.Inspect(files[i].abs)
		}
	})
	if err != nil {
		return nil, err
	}
	entries := make([]Entry, len(files))
	var read []wsi.Info
	index := map[string]int{}
	for i, f := range files {
		e := Entry{Path: f.abs}
		var ns *wsi.NotSlideError
		switch {
		case f.err != nil:
			e.Err = f.err
		case f.skip != "":
			e.Skipped = f.skip
		case errors.As(errs[i], &ns) && !ns.Recognized && looksLikeSlide(f.abs):
			e.Err = fmt.Errorf("%s: named like a slide, but not a TIFF or DICOM file (%s)", f.abs, ns.Reason)
		case errors.As(errs[i], &ns):
			e.Skipped = ns.Reason
		case errs[i] != nil:
			e.Err = errs[i]
		default:
			read = append(read, infos[i])
			index[f.abs] = i
		}
		entries[i] = e
	}
	folded, parts := wsi.Fold(read)
	for _, p := range parts {
		entries[index[p.Path]].Skipped = p.Reason
	}
	for _, info := range folded {
		i := index[info.Path]
		s := &Slide{
			Path:          info.Path,
			ExternalID:    opts.ExternalID.of(info.Path, files[i].rel),
			Format:        info.Format,
			MediaType:     info.MediaType,
			WidthPx:       info.Width,
			HeightPx:      info.Height,
			ResolutionMPP: mpp(info.MPPX),
			MPPY:          mpp(info.MPPY),
			Levels:        info.Levels,
			SizeBytes:     info.Size,
		}
		for _, m := range opts.Mappings {
			m.apply(s)
		}
		entries[i].Slide = s
	}
	return entries, nil
}

func mpp(v float64) *float64 {
	if v <= 0 {
		return nil
	}
	return &v
}

// forEach calls f(0..n-1) on at most parallel goroutines; it stops
// starting calls when ctx ends, and returns ctx's error then.
func forEach(ctx context.Context, n, parallel int, f func(i int)) error {
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(parallel, n) {
		wg.Go(func() {
			for i := range next {
				f(i)
			}
		})
	}
	var err error
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(next)
	wg.Wait()
	return err
}
