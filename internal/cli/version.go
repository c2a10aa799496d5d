package cli

import (
	"runtime"
	"runtime/debug"
)

// VersionCmd prints what this build is.
type VersionCmd struct{}

// versionInfo is the JSON form of `aignostics version`.
type versionInfo struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	GoVersion string `json:"go_version"`
	Platform  string `json:"platform"`
}

// Run prints the version, commit and Go version.
func (c *VersionCmd) Run(f *Factory) error {
	v := versionInfo{Version: f.Version, Commit: f.Commit, GoVersion: f.GoVersion, Platform: runtime.GOOS + "/" + runtime.GOARCH}
	return f.Output().Object(v, []Field{{"version", v.Version}, {"commit", v.Commit}, {"go", v.GoVersion}, {"platform", v.Platform}})
}

// BuildInfo reads the version, commit and Go version of this binary from its
// build information: the main module's version ("dev" for a local build) and
// the VCS revision when the build recorded one.
func BuildInfo() (version, commit, goVersion string) {
	version, commit, goVersion = "dev", "unknown", runtime.Version()
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		version = v
	}
	dirty := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			commit = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if dirty && commit != "unknown" {
		commit += "-dirty"
	}
	return
}
