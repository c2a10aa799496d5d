package wsi

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Resolution units (TIFF 6.0 tag 296).
const (
	unitNone       = 1
	unitInch       = 2
	unitCentimeter = 3
)

// tiffInfo makes an Info of a TIFF's directories: level 0 is the largest
// full-resolution image; thumbnails, labels, macro images and masks are
// not levels.
func tiffInfo(t *tiffFile) (Info, error) {
	var level0 *ifd
	for _, d := range t.ifds {
		if d.mask() || d.associated() || d.reduced() {
			continue
		}
		if level0 == nil || d.width*d.height > level0.width*level0.height {
			level0 = d
		}
	}
	if level0 == nil { // every image is marked reduced: take the largest
		for _, d := range t.ifds {
			if !d.mask() && !d.associated() && (level0 == nil || d.width*d.height > level0.width*level0.height) {
				level0 = d
			}
		}
	}
	if level0 == nil {
		return Info{}, t.s.failf("IFD 0", "only masks, labels and macro images; no main image")
	}
	info := Info{
		Format:    FormatGenericTIFF,
		MediaType: MediaTypeTIFF,
		Width:     level0.width,
		Height:    level0.height,
	}
	aperio := strings.HasPrefix(t.ifds[0].description, "Aperio")
	info.Levels = levelCount(t.ifds, level0, aperio)
	if aperio {
		desc := t.ifds[0].description
		info.Format = FormatAperio
		props := aperioProperties(desc)
		if v, ok := props["MPP"]; ok {
			mpp, err := positive(v)
			if err != nil {
				return Info{}, t.s.failf(`IFD 0 ImageDescription "MPP"`, "%q: %v", v, err)
			}
			info.MPPX, info.MPPY = mpp, mpp
		}
		if v, ok := props["AppMag"]; ok {
			mag, err := positive(v)
			if err != nil {
				return Info{}, t.s.failf(`IFD 0 ImageDescription "AppMag"`, "%q: %v", v, err)
			}
			info.ObjectivePower = mag
		}
		return info, nil
	}
	info.MPPX = tiffMPP(level0.xres, level0.resUnit)
	info.MPPY = tiffMPP(level0.yres, level0.resUnit)
	return info, nil
}

// levelCount counts level 0 and the reduced-resolution images of it, as
// OpenSlide does: tiled like it (a stripped thumbnail is no level),
// smaller, one per width. Aperio marks no level as reduced: there every
// tiled image is one; elsewhere only images marked reduced are.
func levelCount(ifds []*ifd, level0 *ifd, aperio bool) int {
	widths := map[int64]bool{level0.width: true}
	for _, d := range ifds {
		if d == level0 || d.mask() || d.associated() || d.tiled != level0.tiled {
			continue
		}
		if !d.reduced() && !(aperio && d.tiled) {
			continue // another full-resolution image (an overview, a page), not a level
		}
		if d.width >= level0.width || d.height > level0.height {
			continue
		}
		widths[d.width] = true
	}
	return len(widths)
}

func (d *ifd) mask() bool    { return d.newSubfile&subfileMask != 0 }
func (d *ifd) reduced() bool { return d.newSubfile&subfileReduced != 0 || d.oldSubfile == 2 || d.sub }

// associated reports a label, macro, thumbnail or overview image by its
// description: Aperio writes "Aperio Image Library ...\nlabel 560x560",
// other writers the bare word.
func (d *ifd) associated() bool {
	desc := d.description
	if strings.HasPrefix(desc, "Aperio") {
		i := strings.IndexAny(desc, "\r\n")
		if i < 0 {
			return false
		}
		desc = strings.TrimLeft(desc[i:], "\r\n")
	}
	word, _, _ := strings.Cut(strings.TrimSpace(desc), " ")
	switch strings.ToLower(word) {
	case "label", "macro", "thumbnail", "overview":
		return true
	}
	return false
}

// aperioProperties reads an Aperio ImageDescription as OpenSlide does:
// split on '|', the first part dropped, each other part `key = value`.
func aperioProperties(desc string) map[string]string {
	props := map[string]string{}
	parts := strings.Split(desc, "|")
	for _, p := range parts[1:] {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		props[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return props
}

// tiffMPP is the microns per pixel of a resolution: 25400/res for inch (or
// no unit given), 10000/res for centimetre, unknown (0) otherwise. It is
// computed exactly and rounded once.
func tiffMPP(res rational, unit uint16) float64 {
	var microns int64
	switch unit {
	case 0, unitInch:
		microns = 25400
	case unitCentimeter:
		microns = 10000
	default: // unitNone and units TIFF does not define
		return 0
	}
	if res.num == 0 || res.den == 0 {
		return 0
	}
	f, _ := new(big.Rat).SetFrac(big.NewInt(microns*int64(res.den)), big.NewInt(int64(res.num))).Float64()
	return f
}

// positive parses a decimal that must be a finite number above zero.
func positive(s string) (float64, error) {
	if len(s) > 64 {
		return 0, fmt.Errorf("%w: longer than 64 characters", ErrMalformed)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || f <= 0 {
		return 0, fmt.Errorf("%w: not a number above zero", ErrMalformed)
	}
	return f, nil
}
