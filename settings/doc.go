// Package settings loads the effective configuration of the aignostics tool:
// flags, process environment, env files and defaults, the table of platform
// environments chosen by the API root, validation of every value, and the
// Secret type that keeps credentials out of output.
package settings
