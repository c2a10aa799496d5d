package semver

import "testing"

func FuzzParse(f *testing.F) {
	for _, s := range []string{"1.2.3", "1.0.0-alpha.1+build.5", "v1.0.0", "01.0.0", "1.0.0-", "1.0.0-0.a.00", "1.2.3+x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := Parse(s)
		if err != nil {
			return
		}
		// A parsed version prints back exactly as given and re-parses to itself.
		if v.String() != s {
			t.Fatalf("Parse(%q).String() = %q", s, v.String())
		}
		w, err := Parse(v.String())
		if err != nil {
			t.Fatalf("re-parse %q: %v", v.String(), err)
		}
		if Compare(v, w) != 0 || Compare(w, v) != 0 {
			t.Fatalf("Compare(%q, itself) != 0", s)
		}
		// Dropping the pre-release never lowers precedence.
		core := Version{Major: v.Major, Minor: v.Minor, Patch: v.Patch}
		if len(v.Pre) > 0 && Compare(v, core) != -1 {
			t.Fatalf("%q is not below %q", s, core)
		}
	})
}
