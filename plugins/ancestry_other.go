//go:build !linux

package plugins

// selfAncestors cannot be counted here; ChainEnv alone guards.
func selfAncestors() int { return 0 }
