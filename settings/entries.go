package settings

import (
	"strconv"
	"strings"
	"time"
)

// Entry is one line of `platform info`: a variable, its effective value and
// where it came from. Note explains a value's effect when that matters.
type Entry struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Source string `json:"source"`
	Note   string `json:"note,omitempty"`
}

// Entries lists the environment name, the env files read and every setting
// variable with its effective value and source. With mask, secrets show as
// "**********" and proxy passwords are hidden.
func (s *Settings) Entries(mask bool) []Entry {
	out := []Entry{{Name: "environment", Value: s.Environment, Source: string(SourceDerived)}}
	files := Entry{Name: EnvEnvFile, Value: strings.Join(s.EnvFiles, ", "), Source: string(SourceDefault)}
	if src, ok := s.Sources[EnvEnvFile]; ok {
		files.Source = string(src)
	}
	if len(s.EnvFiles) == 0 {
		files.Note = "no env file read"
	}
	out = append(out, files)
	for _, name := range Variables() {
		src := s.Sources[name]
		if src == "" {
			src = SourceDefault
		}
		e := Entry{Name: name, Value: displayValue(name, s.value(name), mask), Source: string(src)}
		if name == EnvCacheDir && s.CacheDir == "" {
			e.Note = s.cacheDirNote
		}
		if name == EnvSSLCertFile && s.SSLCertFile != "" {
			e.Note = "replaces the system CA roots"
		}
		if name == EnvRequestsCABundle && s.RequestsCABundle != "" {
			e.Note = "added to the system CA roots"
		}
		out = append(out, e)
	}
	return out
}

// value returns the effective value of a variable as text.
func (s *Settings) value(name string) string {
	switch name {
	case EnvAPIRoot:
		return s.APIRoot
	case EnvAudience:
		return s.Audience
	case EnvAuthorizationBaseURL:
		return s.AuthorizationBaseURL
	case EnvTokenURL:
		return s.TokenURL
	case EnvDeviceURL:
		return s.DeviceURL
	case EnvJWSJSONURL:
		return s.JWSJSONURL
	case EnvRedirectURI:
		return s.RedirectURI
	case EnvClientIDInteractive:
		return s.ClientIDInteractive
	case EnvIssuer:
		return s.Issuer
	case EnvClientIDDevice:
		return s.ClientIDDevice
	case EnvScope:
		return strings.Join(s.Scope, ",")
	case EnvOrganizationID:
		return s.OrganizationID
	case EnvRefreshToken:
		return s.RefreshToken.Reveal()
	case EnvShareToken:
		return s.ShareToken.Reveal()
	case EnvCacheDir:
		return s.CacheDir
	case EnvRequestTimeout:
		return seconds(s.RequestTimeout)
	case EnvAuthorizationBackoff:
		return seconds(s.AuthorizationBackoff)
	case EnvOutput:
		return s.Output
	case EnvTokenProvider:
		return s.TokenProvider
	case EnvTokenProviderTimeout:
		return seconds(s.TokenProviderTimeout)
	case EnvGoogleCredentials:
		return s.GoogleApplicationCredentials
	case EnvStorageEmulatorHost:
		return s.StorageEmulatorHost
	case EnvRequestsCABundle:
		return s.RequestsCABundle
	case EnvSSLCertFile:
		return s.SSLCertFile
	case EnvHTTPSProxy:
		return s.HTTPSProxy
	case EnvHTTPProxy:
		return s.HTTPProxy
	case EnvNoProxy:
		return s.NoProxy
	}
	return ""
}

// seconds renders a duration as a number of seconds ("30", "1.5").
func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
}
