package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/alecthomas/kong"

	"github.com/aignostics/aignostics/settings"
)

// Globals are the global flags, as kong sets them; nothing else. Commands
// read them through Factory.Flags; the factory turns them into settings.
type Globals struct {
	APIRoot       string           `name:"api-root" group:"global" help:"Platform API root (env AIGNOSTICS_API_ROOT); selects the environment." placeholder:"URL"`
	Output        string           `name:"output" group:"global" short:"o" help:"Output format: auto, text, wide (text, no column cut), json or jsonl (env AIGNOSTICS_OUTPUT; auto = text on a terminal, json otherwise)." placeholder:"FORMAT"`
	Verbose       bool             `name:"verbose" group:"global" short:"v" help:"Log HTTP requests and decisions to stderr (secrets redacted)."`
	NoColor       bool             `name:"no-color" group:"global" help:"Do not use colour (NO_COLOR is honoured too)."`
	Timeout       Seconds          `name:"timeout" group:"global" help:"Per-request timeout: seconds (30) or a duration (30s, 2m); never bounds a whole watch or download (env AIGNOSTICS_REQUEST_TIMEOUT_SECONDS)." placeholder:"SECONDS"`
	TokenProvider string           `name:"token-provider" group:"global" help:"Command that prints an access token; replaces login (env AIGNOSTICS_TOKEN_PROVIDER)." placeholder:"CMD"`
	Template      string           `name:"template" group:"global" help:"Print each object through this Go template instead (text/template over the JSON object; helpers json, join, timeago, truncate, color), e.g. '{{.run_id}} {{.state}}'." placeholder:"TEMPLATE"`
	ShareToken    settings.Secret  `name:"share-token" group:"global" help:"Read a run shared with you by token, without a login: runs describe, items, results and download (env AIGNOSTICS_SHARE_TOKEN)." placeholder:"TOKEN"`
	ShowVersion   kong.VersionFlag `name:"version" group:"global" help:"Print the version and exit."`
}

// Seconds is a duration given as plain seconds ("30", as the environment
// variable AIGNOSTICS_REQUEST_TIMEOUT_SECONDS takes it) or as a Go duration
// ("30s", "2m").
type Seconds time.Duration

// Decode implements kong.MapperValue.
func (s *Seconds) Decode(ctx *kong.DecodeContext) error {
	var v string
	if err := ctx.Scan.PopValueInto("duration", &v); err != nil {
		return err
	}
	d, err := parseSeconds(v)
	if err != nil {
		return err
	}
	*s = Seconds(d)
	return nil
}

// parseSeconds reads plain seconds or a Go duration.
func parseSeconds(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if n, err := strconv.ParseFloat(v, 64); err == nil {
		if !(n >= 0 && n <= 1e9) { // NaN too
			return 0, fmt.Errorf("%q: out of range", v)
		}
		return time.Duration(n * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%q: expected seconds (30) or a duration (30s, 2m)", v)
	}
	return d, nil
}

// Duration is s as a time.Duration.
func (s Seconds) Duration() time.Duration { return time.Duration(s) }

// String is the duration in Go's notation.
func (s Seconds) String() string { return time.Duration(s).String() }

// Duration is a flag value that takes a Go duration (90s, 6h) or days
// (7d, 1d12h), for validities such as storage sign --expires. Commands
// needing a duration of days use it.
type Duration time.Duration

// Decode implements kong.MapperValue.
func (d *Duration) Decode(ctx *kong.DecodeContext) error {
	var v string
	if err := ctx.Scan.PopValueInto("duration", &v); err != nil {
		return err
	}
	p, err := parseDays(v)
	if err != nil {
		return err
	}
	*d = Duration(p)
	return nil
}

// parseDays reads a Go duration with an optional leading count of days.
func parseDays(v string) (time.Duration, error) {
	s := strings.TrimSpace(v)
	bad := fmt.Errorf("%q: expected a duration such as 90m, 6h or 7d", v)
	var days time.Duration
	if i := strings.IndexByte(s, 'd'); i >= 0 {
		n, err := strconv.Atoi(s[:i])
		if err != nil || n < 0 || n > 36500 {
			return 0, bad
		}
		days, s = time.Duration(n)*24*time.Hour, s[i+1:]
		if s == "" {
			return days, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || (days > 0 && d < 0) {
		return 0, bad
	}
	return days + d, nil
}

// D is the time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// String shows whole days as days (7d), anything else as Go does.
func (d Duration) String() string {
	t := time.Duration(d)
	if t > 0 && t%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", t/(24*time.Hour))
	}
	return t.String()
}
