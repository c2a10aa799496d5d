package semver

import (
	"cmp"
	"strings"
)

// Compare returns -1, 0 or +1 as a has lower, equal or higher precedence than b.
// Build metadata is ignored; a version with a pre-release is lower than the same
// version without; pre-release identifiers compare numerically when both are
// numeric, numeric below alphanumeric, alphanumerics in ASCII order, and a shorter
// list of identifiers is lower when all preceding ones are equal.
func Compare(a, b Version) int {
	if c := cmp.Compare(a.Major, b.Major); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Minor, b.Minor); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Patch, b.Patch); c != 0 {
		return c
	}
	switch {
	case len(a.Pre) == 0 && len(b.Pre) == 0:
		return 0
	case len(a.Pre) == 0:
		return 1
	case len(b.Pre) == 0:
		return -1
	}
	for i := 0; i < len(a.Pre) && i < len(b.Pre); i++ {
		if c := compareIdent(a.Pre[i], b.Pre[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a.Pre), len(b.Pre))
}

// compareIdent orders two pre-release identifiers.
func compareIdent(x, y string) int {
	xn, yn := allDigits(x), allDigits(y)
	switch {
	case xn && yn:
		// Without leading zeros, a longer digit string is the larger number,
		// which also handles values beyond uint64.
		x, y = strings.TrimLeft(x, "0"), strings.TrimLeft(y, "0")
		if c := cmp.Compare(len(x), len(y)); c != 0 {
			return c
		}
		return cmp.Compare(x, y)
	case xn:
		return -1
	case yn:
		return 1
	}
	return cmp.Compare(x, y)
}
