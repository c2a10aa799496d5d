package semver

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseValid(t *testing.T) {
	tests := []struct {
		in   string
		want Version
	}{
		{"0.0.0", Version{}},
		{"1.2.3", Version{Major: 1, Minor: 2, Patch: 3}},
		{"10.20.30", Version{Major: 10, Minor: 20, Patch: 30}},
		{"1.0.0-alpha", Version{Major: 1, Pre: []string{"alpha"}}},
		{"1.0.0-alpha.1", Version{Major: 1, Pre: []string{"alpha", "1"}}},
		{"1.0.0-0.3.7", Version{Major: 1, Pre: []string{"0", "3", "7"}}},
		{"1.0.0-x.7.z.92", Version{Major: 1, Pre: []string{"x", "7", "z", "92"}}},
		{"1.0.0-x-y-z.--", Version{Major: 1, Pre: []string{"x-y-z", "--"}}},
		{"1.0.0-alpha+001", Version{Major: 1, Pre: []string{"alpha"}, Build: "001"}},
		{"1.0.0+20130313144700", Version{Major: 1, Build: "20130313144700"}},
		{"1.0.0-beta+exp.sha.5114f85", Version{Major: 1, Pre: []string{"beta"}, Build: "exp.sha.5114f85"}},
		{"1.0.0+21AF26D3----117B344092BD", Version{Major: 1, Build: "21AF26D3----117B344092BD"}},
		{"1.0.0-0A.is.legal", Version{Major: 1, Pre: []string{"0A", "is", "legal"}}},
		{"18446744073709551615.0.0", Version{Major: 1<<64 - 1}},
		{"1.2.3-99999999999999999999999", Version{Major: 1, Minor: 2, Patch: 3, Pre: []string{"99999999999999999999999"}}},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Parse(%q) (-want +got):\n%s", tt.in, diff)
		}
		if got.String() != tt.in {
			t.Errorf("Parse(%q).String() = %q", tt.in, got.String())
		}
	}
}

func TestParseInvalid(t *testing.T) {
	tests := []struct{ in, reason string }{
		{"", "empty"},
		{"v1.2.3", `leading "v"`},
		{"V1.2.3", `leading "V"`},
		{"1", "found 1 dot-separated"},
		{"1.2", "MAJOR.MINOR.PATCH"},
		{"1.2.3.4", "MAJOR.MINOR.PATCH"},
		{"01.2.3", "leading zero"},
		{"1.02.3", "leading zero"},
		{"1.2.03", "leading zero"},
		{"1..3", "empty"},
		{"1.2.", "patch version is empty"},
		{".1.2", "major version is empty"},
		{"a.b.c", "not a number"},
		{"1.2.3a", "not a number"},
		{"-1.2.3", "missing MAJOR.MINOR.PATCH"},
		{" 1.2.3", "not a number"},
		{"1.2.3 ", "not a number"},
		{"+1.2.3", "missing MAJOR.MINOR.PATCH"},
		{"1.2.3-", "empty identifier"},
		{"1.2.3-alpha..1", "empty identifier"},
		{"1.2.3-alpha.", "empty identifier"},
		{"1.2.3-01", "leading zero"},
		{"1.2.3-alpha.00", "leading zero"},
		{"1.2.3-al_pha", "invalid character"},
		{"1.2.3-alpha+", "empty identifier"},
		{"1.2.3+a..b", "empty identifier"},
		{"1.2.3+a+b", "invalid character"},
		{"1.2.3-é", "invalid character"},
		{"18446744073709551616.0.0", "too large"},
		{"1.2.3-" + strings.Repeat("a", 300), "longer than"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Parse(%q) = %v, want *Error", tt.in, err)
			continue
		}
		if !strings.Contains(err.Error(), tt.reason) {
			t.Errorf("Parse(%q) = %q, want reason containing %q", tt.in, err, tt.reason)
		}
	}
}

func TestParseBuildWithLeadingZeroAllowed(t *testing.T) {
	if _, err := Parse("1.0.0+0001.01"); err != nil {
		t.Fatalf("build metadata may have leading zeros: %v", err)
	}
}

func mustParse(t *testing.T, s string) Version {
	t.Helper()
	v, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return v
}

func TestPrecedenceChain(t *testing.T) {
	// semver.org section 11, plus core ordering.
	chain := []string{
		"0.0.1", "0.1.0", "0.9.9", "0.10.0",
		"1.0.0-0", "1.0.0-1", "1.0.0-2", "1.0.0-10", "1.0.0-99999999999999999999",
		"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
		"1.0.0-beta.11", "1.0.0-rc.1", "1.0.0",
		"1.0.1-A", "1.0.1-Z", "1.0.1-a", "1.0.1",
		"1.9.0", "1.10.0", "1.11.0", "2.0.0", "2.1.0", "2.1.1", "10.0.0",
	}
	vs := make([]Version, len(chain))
	for i, s := range chain {
		vs[i] = mustParse(t, s)
	}
	for i := range vs {
		for j := range vs {
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := Compare(vs[i], vs[j]); got != want {
				t.Errorf("Compare(%s, %s) = %d, want %d", chain[i], chain[j], got, want)
			}
		}
	}
	// Sorting a shuffled copy gives the chain back.
	r := rand.New(rand.NewPCG(1, 2))
	shuffled := slices.Clone(vs)
	r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	slices.SortFunc(shuffled, Compare)
	for i := range shuffled {
		if shuffled[i].String() != chain[i] {
			t.Fatalf("sorted[%d] = %s, want %s", i, shuffled[i], chain[i])
		}
	}
}

func TestCompareIgnoresBuild(t *testing.T) {
	pairs := [][2]string{
		{"1.0.0+a", "1.0.0+b"},
		{"1.0.0", "1.0.0+build.1"},
		{"1.0.0-rc.1+x", "1.0.0-rc.1"},
	}
	for _, p := range pairs {
		if got := Compare(mustParse(t, p[0]), mustParse(t, p[1])); got != 0 {
			t.Errorf("Compare(%s, %s) = %d, want 0", p[0], p[1], got)
		}
	}
}

func TestCompareHandBuiltLeadingZeros(t *testing.T) {
	a := Version{Major: 1, Pre: []string{"010"}}
	b := Version{Major: 1, Pre: []string{"9"}}
	if Compare(a, b) != 1 {
		t.Errorf("numeric identifiers must compare by value")
	}
}
