package emulator

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestMetaFilter(t *testing.T) {
	dec := json.NewDecoder(strings.NewReader(`{"s":"Hello","n":3,"f":1.5,"b":true,"z":null,
		"arr":["a","b"],"objs":[{"k":1},{"k":5}],"deep":{"x":{"y":"q\"uote"}},"sp ace":"v","list":[[1,2],[3]]}`))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		expr string
		want bool
	}{
		{`$.s == "Hello"`, true}, {`$.s == "hello"`, false}, {`$.s != "x"`, true}, {`$.s <> "Hello"`, false},
		{`$.s like_regex "^H"`, true}, {`$.s like_regex "^h"`, false}, {`$.s like_regex "^h" flag "i"`, true},
		{`$.s like_regex "l+" flag "q"`, false}, {`$.s like_regex "ell" flag "q"`, true},
		{`$.n == 3`, true}, {`$.n > 2.5`, true}, {`$.n >= 3`, true}, {`$.n < 3`, false}, {`$.n <= 3e0`, true},
		{`$.f == 1.5`, true}, {`$.n == "3"`, false}, {`$.s > 1`, false}, {`$.s >= "A"`, true},
		{`$.b == true`, true}, {`$.b != true`, false}, {`$.b > true`, false}, {`$.z == null`, true}, {`$.s == null`, false},
		{`$.z > null`, false}, {`$.s != null`, true},
		{`$.arr == "b"`, true}, {`$.arr[*] ? (@ == "a")`, true}, {`$.arr[1] == "b"`, true}, {`$.arr[1] == "a"`, false},
		{`$.arr[5] == "a"`, false}, {`$.s[0] == "Hello"`, true},
		{`$.objs.k == 5`, true}, {`$.objs ? (@.k > 4)`, true}, {`$.objs ? (@.k > 9)`, false}, {`$.objs[*].k == 1`, true},
		{`$.deep.x.y == "q\"uote"`, true}, {`$.deep ? (@.x.y like_regex "uote$")`, true}, {`$."sp ace" == "v"`, true},
		{`$.list[*] == 3`, true}, {`$.missing`, false}, {`$.deep`, true}, {`$`, true}, {`s == "Hello"`, true},
		{`  $.n  ==  3  `, true}, {`$.s == "a\tb"`, false},
	} {
		f, err := parseMetaFilter(tc.expr)
		if err != nil {
			t.Errorf("%s: %v", tc.expr, err)
			continue
		}
		if got := f.match(doc); got != tc.want {
			t.Errorf("%s: match %v, want %v", tc.expr, got, tc.want)
		}
		if f.match(nil) {
			t.Errorf("%s: matches null metadata", tc.expr)
		}
	}
	for _, bad := range []string{`$.a == "x" && $.b == 1`, `$.a || $.b`, `!($.a)`, `$.a + 1 == 2`, `$.a.type()`,
		`$.a like_regex "["`, `$.a like_regex "x" flag "z"`, `$.a like_regex "x" flag "x"`, `$.a like_regex x`,
		`$.a == "unterminated`, `$.a == `, `$.a ==`, `$.a[`, `$.a[x]`, `$.a[-1]`, `$.`, `$.a ? @ == 1`, `$.a ? (@ == 1`,
		`$.a ? (x == 1)`, `$.a == 1 extra`, `$.a == tru`, `$."a`, strings.Repeat("a", 1001), `$.a == "x\`} {
		if _, err := parseMetaFilter(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
