package jsonschema

import (
	"encoding/json"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// num is a JSON number: always as float64, and exactly as a rational when its
// decimal form is small enough to hold (bounded length and exponent).
type num struct {
	float float64
	rat   *big.Rat // nil when not held exactly
	// lossy marks values that came as float64: comparisons involving them use
	// float64, since the decoder already rounded them (12345678901234567890 must
	// still equal itself), while multipleOf uses their shortest decimal form.
	lossy bool
}

// maxExactLen and maxExactExp bound the decimals converted to big.Rat.
const (
	maxExactLen = 64
	maxExactExp = 400
)

// toNum converts a decoded JSON number (or a Go integer/float) to num.
func toNum(v any) (num, bool) {
	switch x := v.(type) {
	case float64:
		return fromFloat(x)
	case float32:
		return fromFloat(float64(x))
	case int:
		return fromInt(int64(x)), true
	case int32:
		return fromInt(int64(x)), true
	case int64:
		return fromInt(x), true
	case uint32:
		return fromInt(int64(x)), true
	case uint:
		return num{float: float64(x), rat: new(big.Rat).SetUint64(uint64(x))}, true
	case uint64:
		return num{float: float64(x), rat: new(big.Rat).SetUint64(x)}, true
	case json.Number:
		return fromDecimal(string(x))
	}
	return num{}, false
}

func fromInt(i int64) num { return num{float: float64(i), rat: new(big.Rat).SetInt64(i)} }

func fromFloat(f float64) (num, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return num{}, false
	}
	r, ok := new(big.Rat).SetString(strconv.FormatFloat(f, 'g', -1, 64))
	if !ok {
		r = nil
	}
	return num{float: f, rat: r, lossy: true}, true
}

// fromDecimal parses a JSON number literal.
func fromDecimal(s string) (num, bool) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !isRange(err) {
		return num{}, false
	}
	n := num{float: f}
	if len(s) <= maxExactLen && exponent(s) <= maxExactExp {
		if r, ok := new(big.Rat).SetString(s); ok {
			n.rat = r
		}
	}
	return n, true
}

// isRange reports a ParseFloat out-of-range error (the value is still usable as ±Inf or 0).
func isRange(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// exponent returns the absolute decimal exponent written in s (0 when none).
func exponent(s string) int {
	i := strings.IndexAny(s, "eE")
	if i < 0 {
		return 0
	}
	e, err := strconv.Atoi(strings.TrimPrefix(s[i+1:], "+"))
	if err != nil {
		return math.MaxInt
	}
	if e < 0 {
		return -e
	}
	return e
}

// cmp compares two numbers: exactly when both are held exactly.
func (a num) cmp(b num) int {
	if a.rat != nil && b.rat != nil && !a.lossy && !b.lossy {
		return a.rat.Cmp(b.rat)
	}
	switch {
	case a.float < b.float:
		return -1
	case a.float > b.float:
		return 1
	}
	return 0
}

// sign returns -1, 0 or +1.
func (a num) sign() int {
	if a.rat != nil {
		return a.rat.Sign()
	}
	return a.cmp(num{})
}

// isInt reports whether a has no fractional part.
func (a num) isInt() bool {
	if a.rat != nil {
		return a.rat.IsInt()
	}
	return !math.IsInf(a.float, 0) && a.float == math.Trunc(a.float)
}

// multipleOf reports whether a is an integer multiple of m (m > 0).
func (a num) multipleOf(m num) bool {
	if a.rat != nil && m.rat != nil {
		return new(big.Rat).Quo(a.rat, m.rat).IsInt()
	}
	q := a.float / m.float
	if math.IsInf(q, 0) || math.IsNaN(q) {
		return false
	}
	return math.Abs(q-math.Round(q)) < 1e-9
}

// String formats a for messages.
func (a num) String() string {
	if a.rat != nil && a.rat.IsInt() {
		return a.rat.RatString()
	}
	return strconv.FormatFloat(a.float, 'g', -1, 64)
}
