package cli

import (
	"time"

	"github.com/alecthomas/kong"

	"github.com/aignostics/aignostics/settings"
)

// Globals are the global flags, as kong sets them; nothing else. Commands
// read them through Factory.Flags; the factory turns them into settings.
type Globals struct {
	APIRoot       string           `name:"api-root" help:"Platform API root (env AIGNOSTICS_API_ROOT); selects the environment." placeholder:"URL"`
	Output        string           `name:"output" short:"o" help:"Output format: auto, text, json or jsonl (env AIGNOSTICS_OUTPUT; auto = text on a terminal, json otherwise)." placeholder:"FORMAT"`
	Verbose       bool             `name:"verbose" short:"v" help:"Log HTTP requests and decisions to stderr (secrets redacted)."`
	NoColor       bool             `name:"no-color" help:"Do not use colour (NO_COLOR is honoured too)."`
	Timeout       time.Duration    `name:"timeout" help:"Per-request timeout, e.g. 30s (env AIGNOSTICS_REQUEST_TIMEOUT_SECONDS)." placeholder:"DURATION"`
	TokenProvider string           `name:"token-provider" help:"Command that prints an access token; replaces login (env AIGNOSTICS_TOKEN_PROVIDER)." placeholder:"CMD"`
	ShareToken    settings.Secret  `name:"share-token" help:"Read a run shared with you by token, without a login: runs describe, items, results and download (env AIGNOSTICS_SHARE_TOKEN)." placeholder:"TOKEN"`
	ShowVersion   kong.VersionFlag `name:"version" help:"Print the version and exit."`
}
