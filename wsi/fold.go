package wsi

import (
	"fmt"
	"path/filepath"
)

// Part is a DICOM instance that Fold did not make a slide: another level
// of a pyramid, its label, overview or thumbnail, or such an image whose
// pyramid has no VOLUME instance.
type Part struct {
	Info
	// Of is the Path of the slide the instance belongs to; empty when its
	// pyramid has no VOLUME instance.
	Of     string
	Reason string
}

// Fold makes slides of inspected files. A TIFF is one slide. The DICOM
// instances of one pyramid (same directory and PyramidUID, else same
// SeriesInstanceUID) are one slide: its largest VOLUME instance, with
// Levels the number of distinct VOLUME sizes; the other instances are
// returned as parts. Slides keep the order of infos.
func Fold(infos []Info) (slides []Info, parts []Part) {
	type key struct{ dir, uid string }
	keyOf := func(i Info) key {
		uid := i.DICOM.PyramidUID
		if uid == "" {
			uid = "series:" + i.DICOM.SeriesInstanceUID
		}
		if i.DICOM.PyramidUID == "" && i.DICOM.SeriesInstanceUID == "" {
			uid = "file:" + i.Path // nothing to group by: on its own
		}
		return key{filepath.Dir(i.Path), uid}
	}
	type group struct {
		level0 int // index into infos of the largest VOLUME instance, -1 if none
		sizes  map[[2]int64]bool
	}
	groups := map[key]*group{}
	for i, info := range infos {
		if info.DICOM == nil {
			continue
		}
		k := keyOf(info)
		g := groups[k]
		if g == nil {
			g = &group{level0: -1, sizes: map[[2]int64]bool{}}
			groups[k] = g
		}
		if info.DICOM.Flavor() != "VOLUME" {
			continue
		}
		g.sizes[[2]int64{info.Width, info.Height}] = true
		if g.level0 < 0 || info.Width*info.Height > infos[g.level0].Width*infos[g.level0].Height {
			g.level0 = i
		}
	}
	for i, info := range infos {
		if info.DICOM == nil {
			slides = append(slides, info)
			continue
		}
		g := groups[keyOf(info)]
		switch {
		case g.level0 == i:
			info.Levels = len(g.sizes)
			slides = append(slides, info)
		case g.level0 < 0:
			parts = append(parts, Part{Info: info,
				Reason: fmt.Sprintf("DICOM %s image of a pyramid without a VOLUME instance", info.DICOM.Flavor())})
		default:
			level0 := infos[g.level0]
			var reason string
			switch {
			case info.DICOM.SOPInstanceUID != "" && info.DICOM.SOPInstanceUID == level0.DICOM.SOPInstanceUID:
				reason = "a copy of " + level0.Path + " (the same SOPInstanceUID)"
			case info.DICOM.Flavor() != "VOLUME":
				reason = fmt.Sprintf("the %s image of the pyramid of %s", info.DICOM.Flavor(), level0.Path)
			case info.Width == level0.Width && info.Height == level0.Height:
				reason = "another instance of level 0 of the pyramid of " + level0.Path
			default:
				reason = "a lower-resolution level of the pyramid of " + level0.Path
			}
			parts = append(parts, Part{Info: info, Of: level0.Path, Reason: reason})
		}
	}
	return slides, parts
}
