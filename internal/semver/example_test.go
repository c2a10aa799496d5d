package semver_test

import (
	"fmt"
	"slices"

	"github.com/aignostics/aignostics/internal/semver"
)

func Example() {
	var vs []semver.Version
	for _, s := range []string{"1.0.0", "1.0.0-rc.1", "0.9.12", "1.0.0-beta.11", "1.0.0-beta.2"} {
		v, err := semver.Parse(s)
		if err != nil {
			panic(err)
		}
		vs = append(vs, v)
	}
	slices.SortFunc(vs, semver.Compare)
	fmt.Println(vs)
	_, err := semver.Parse("v1.0.0")
	fmt.Println(err)
	// Output:
	// [0.9.12 1.0.0-beta.2 1.0.0-beta.11 1.0.0-rc.1 1.0.0]
	// parse version "v1.0.0": leading "v" is not part of a semantic version (use "1.0.0")
}
