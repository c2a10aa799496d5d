// Package plugins runs external programs on behalf of the CLI: exec token
// providers (a command that prints an access token, FR-14) and command
// plugins (executables named aignostics-<name> on PATH).
//
// Nothing here runs a shell: command lines are split into words the way a
// POSIX shell would split them, without any expansion.
package plugins
