package settings

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// lookup finds the effective raw value of variables by precedence: flags,
// process environment, env files. An empty value counts as unset.
type lookup struct {
	flags  map[string]string
	getenv func(string) (string, bool)
	file   map[string]string
}

// get returns the value of name and its source; ok is false when no source
// gives a non-empty value. Proxy variables are also read in lower case
// (https_proxy, ...), the upper-case spelling winning within a source.
func (l *lookup) get(name string) (value string, src Source, ok bool) {
	names := []string{name}
	if name == EnvHTTPSProxy || name == EnvHTTPProxy || name == EnvNoProxy {
		names = append(names, strings.ToLower(name))
	}
	for _, n := range names {
		if v := l.flags[n]; v != "" {
			return v, SourceFlag, true
		}
	}
	for _, n := range names {
		if v, found := l.getenv(n); found && v != "" {
			return v, SourceEnv, true
		}
	}
	for _, n := range names {
		if v := l.file[n]; v != "" {
			return v, SourceFile, true
		}
	}
	return "", SourceDefault, false
}

// untrustedKeys are the variables that ./.env (the current directory: a
// cloned repository, an unpacked data package) may not set: they run
// programs, route traffic or change trust. The API root is judged by value
// (see trustedInWorkDir).
func untrustedKeys() []string {
	return []string{EnvTokenProvider, EnvHTTPSProxy, EnvHTTPProxy, EnvNoProxy,
		strings.ToLower(EnvHTTPSProxy), strings.ToLower(EnvHTTPProxy), strings.ToLower(EnvNoProxy),
		EnvRequestsCABundle, EnvSSLCertFile, EnvStorageEmulatorHost,
		EnvAuthorizationBaseURL, EnvTokenURL, EnvDeviceURL, EnvJWSJSONURL, EnvRedirectURI, EnvIssuer}
}

// trustedInWorkDir reports whether ./.env may set key to value: not one of
// untrustedKeys, and an API root only when it is a known environment or
// loopback (choosing staging in a project's .env stays possible).
func trustedInWorkDir(key, value string) bool {
	if slices.Contains(untrustedKeys(), key) {
		return false
	}
	if key == EnvAPIRoot {
		if _, ok := findEnvironment(value); ok {
			return true
		}
		u, err := url.Parse(strings.TrimSpace(value))
		return err == nil && (u.Scheme == "http" || u.Scheme == "https") && isLoopbackURL(u)
	}
	return true
}

// readEnvFiles returns the merged values of the env files, the names of
// the files read and the keys of ./.env that were ignored as untrusted
// (sorted). With AIGNOSTICS_ENV_FILE set only that file is read and it must
// exist; otherwise ./.env and ~/.aignostics/.env are read when present, a
// key in ./.env winning unless it is untrusted there (trustedInWorkDir).
func readEnvFiles(l *lookup, workDir, homeDir string) (map[string]string, []string, []string, error) {
	if name, _, ok := l.get(EnvEnvFile); ok {
		vals, err := readEnvFile(name)
		if err != nil {
			return nil, nil, nil, &Error{Setting: EnvEnvFile, Value: name, Reason: err.Error(), Err: err}
		}
		return vals, []string{name}, nil, nil
	}
	merged := map[string]string{}
	var read, ignored []string
	var candidates []string
	home := ""
	if homeDir != "" {
		home = filepath.Join(homeDir, ".aignostics", ".env")
	}
	if workDir != "" {
		candidates = append(candidates, filepath.Join(workDir, ".env"))
	}
	if home != "" {
		candidates = append(candidates, home)
	}
	for i, name := range candidates {
		vals, err := readEnvFile(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, nil, nil, &Error{Reason: "read env file " + name + ": " + err.Error(), Err: err}
		}
		read = append(read, name)
		inWorkDir := i == 0 && workDir != "" && !sameFile(name, home)
		for k, v := range vals {
			if inWorkDir && v != "" && !trustedInWorkDir(k, v) {
				ignored = append(ignored, k)
				continue
			}
			if _, seen := merged[k]; !seen {
				merged[k] = v
			}
		}
	}
	slices.Sort(ignored)
	return merged, read, ignored, nil
}

// sameFile reports whether a and b name the same existing file.
func sameFile(a, b string) bool {
	if b == "" {
		return false
	}
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

// readEnvFile opens and parses one env file.
func readEnvFile(name string) (map[string]string, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, fmt.Errorf("%s is a directory", name)
	}
	return ParseEnvFile(name, f)
}
