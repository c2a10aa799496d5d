package cli

import (
	"context"
	"errors"

	"github.com/aignostics/aignostics/oauth"
	"github.com/aignostics/aignostics/resources"
	"github.com/aignostics/aignostics/settings"
)

// PlatformInfoCmd is `platform info`.
type PlatformInfoCmd struct {
	NoMaskSecrets bool `name:"no-mask-secrets" help:"Show secret settings and the organization's secrets unmasked."`
}

// platformInfo is the JSON form of `platform info`.
type platformInfo struct {
	Settings     []settings.Entry                    `json:"settings"`
	LoggedIn     bool                                `json:"logged_in"`
	User         *resources.UserReadResponse         `json:"user"`
	Organization *resources.OrganizationReadResponse `json:"organization"`
	UserError    string                              `json:"user_error,omitempty"`
}

// Run lists every effective setting with its source, then the user and
// organization when a login (or token provider) gives a token; it never
// starts a login.
func (c *PlatformInfoCmd) Run(ctx context.Context, f *Factory) error {
	s, err := f.Settings()
	if err != nil {
		return err
	}
	info := platformInfo{Settings: s.Entries(!c.NoMaskSecrets)}
	if _, err := healthToken(ctx, f); err == nil {
		info.LoggedIn = true
		if me, err := infoMe(ctx, f); err != nil {
			info.UserError = err.Error()
		} else {
			if !c.NoMaskSecrets {
				maskMe(&me.User, &me.Organization)
			}
			info.User, info.Organization = &me.User, &me.Organization
		}
	} else if !isLoginRequired(err) {
		info.UserError = err.Error()
	}
	var fields []Field
	for _, e := range info.Settings {
		v := e.Value
		if v == "" {
			v = "(unset)"
		}
		v += "  [" + e.Source + "]"
		if e.Note != "" {
			v += "  " + e.Note
		}
		fields = append(fields, Field{e.Name, v})
	}
	switch {
	case info.User != nil:
		fields = append(fields, userFields(*info.User, *info.Organization)...)
	case info.UserError != "":
		fields = append(fields, Field{"user", "unavailable: " + info.UserError})
	default:
		fields = append(fields, Field{"user", "not logged in"})
	}
	return f.Output().Object(info, fields)
}

func infoMe(ctx context.Context, f *Factory) (resources.MeReadResponse, error) {
	client, err := f.Client()
	if err != nil {
		return resources.MeReadResponse{}, err
	}
	return client.Me(ctx)
}

func isLoginRequired(err error) bool { return errors.Is(err, oauth.ErrLoginRequired) }
