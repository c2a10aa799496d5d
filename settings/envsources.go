package settings

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
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

// readEnvFiles returns the merged values of the env files and the names of
// the files read. With AIGNOSTICS_ENV_FILE set only that file is read and it
// must exist; otherwise ./.env and ~/.aignostics/.env are read when present,
// a key in ./.env winning.
func readEnvFiles(l *lookup, workDir, homeDir string) (map[string]string, []string, error) {
	if name, _, ok := l.get(EnvEnvFile); ok {
		vals, err := readEnvFile(name)
		if err != nil {
			return nil, nil, &Error{Setting: EnvEnvFile, Value: name, Reason: err.Error(), Err: err}
		}
		return vals, []string{name}, nil
	}
	merged := map[string]string{}
	var read []string
	var candidates []string
	if workDir != "" {
		candidates = append(candidates, filepath.Join(workDir, ".env"))
	}
	if homeDir != "" {
		candidates = append(candidates, filepath.Join(homeDir, ".aignostics", ".env"))
	}
	for _, name := range candidates {
		vals, err := readEnvFile(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, nil, &Error{Reason: "read env file " + name + ": " + err.Error(), Err: err}
		}
		read = append(read, name)
		for k, v := range vals {
			if _, seen := merged[k]; !seen {
				merged[k] = v
			}
		}
	}
	return merged, read, nil
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
