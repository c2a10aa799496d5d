package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aignostics/aignostics/resources"
)

// RunsShareCmd shares a run with an organization.
type RunsShareCmd struct {
	RunID        string `arg:"" name:"RUN" help:"Run id, a unique prefix of 8+ characters, or latest."`
	Organization string `name:"organization" required:"" help:"Organization id whose users may read the run." placeholder:"ORG"`
}

// Help says more than the one-line summary.
func (c *RunsShareCmd) Help() string {
	return `Gives the users of the organization read access to the run (a viewer grant).
'runs grants RUN' lists the grants, 'runs unshare RUN GRANT_ID' revokes one.`
}

// Run creates the grant and prints it.
func (c *RunsShareCmd) Run(ctx context.Context, f *Factory) error {
	if strings.TrimSpace(c.Organization) == "" {
		return cliErrorf(KindUsage, "--organization must not be empty")
	}
	cl, err := f.Client()
	if err != nil {
		return err
	}
	g, err := cl.Run(c.RunID).ShareWithOrganization(ctx, c.Organization)
	if err != nil {
		return err
	}
	return f.Output().Object(g, grantFields(g))
}

// RunsGrantsCmd lists the grants on a run.
type RunsGrantsCmd struct {
	RunID string `arg:"" name:"RUN" help:"Run id, a unique prefix of 8+ characters, or latest."`
}

// Run streams the GrantReadResponse objects on the run, revoked ones included.
func (c *RunsGrantsCmd) Run(ctx context.Context, f *Factory) error {
	cl, err := f.Client()
	if err != nil {
		return err
	}
	l := f.Output().List("GRANT_ID", "SUBJECT_TYPE", "SUBJECT_ID", "RELATION", "CREATED_AT", "REVOKED")
	for g, err := range cl.Run(c.RunID).Grants(ctx) {
		if err != nil {
			l.Abort()
			return err
		}
		if err := l.Add(g, g.GrantID, string(g.SubjectType), g.SubjectID, string(g.Relation), ts(g.CreatedAt), fmt.Sprint(g.Revoked)); err != nil {
			return err
		}
	}
	return l.Close()
}

// RunsUnshareCmd revokes a grant on a run.
type RunsUnshareCmd struct {
	RunID   string `arg:"" name:"RUN" help:"Run id, a unique prefix of 8+ characters, or latest."`
	GrantID string `arg:"" name:"GRANT_ID" help:"Grant id (see 'runs grants RUN')."`
}

// Run revokes the grant after checking that it is one on this run.
func (c *RunsUnshareCmd) Run(ctx context.Context, f *Factory) error {
	cl, err := f.Client()
	if err != nil {
		return err
	}
	g, err := cl.Run(c.RunID).Unshare(ctx, c.GrantID)
	if err != nil {
		if errors.Is(err, resources.ErrNotShared) {
			return cliError(KindNotFound, fmt.Errorf("run %s: %w; nothing revoked", c.RunID, err))
		}
		return err
	}
	return f.Output().Value(fmt.Sprintf("Grant %s on run %s revoked.", g.GrantID, c.RunID), g)
}

func grantFields(g resources.GrantReadResponse) []Field {
	return []Field{
		{"grant_id", g.GrantID},
		{"resource_type", string(g.ResourceType)},
		{"resource_id", g.ResourceID},
		{"subject_type", string(g.SubjectType)},
		{"subject_id", g.SubjectID},
		{"relation", string(g.Relation)},
		{"created_by", g.CreatedBy},
		{"created_at", ts(g.CreatedAt)},
		{"revoked", fmt.Sprint(g.Revoked)},
	}
}

// RunsShareTokenCmd groups the share tokens of a run.
type RunsShareTokenCmd struct {
	Create RunsShareTokenCreateCmd `cmd:"" help:"Create a share token that reads the run; the token is printed once, on stdout."`
	List   RunsShareTokenListCmd   `cmd:"" help:"List your share tokens of the run (never their values)."`
	Revoke RunsShareTokenRevokeCmd `cmd:"" help:"Revoke a share token of the run."`
}

// Help says more than the one-line summary.
func (c *RunsShareTokenCmd) Help() string {
	return `Whoever holds a share token reads the run without a login:
  aignostics --share-token TOKEN runs describe RUN   (or AIGNOSTICS_SHARE_TOKEN=TOKEN)
The token is a secret: it is printed once, on stdout, and masked everywhere else.`
}

// RunsShareTokenCreateCmd creates a share token for a run.
type RunsShareTokenCreateCmd struct {
	RunID   string        `arg:"" name:"RUN" help:"Run id, a unique prefix of 8+ characters, or latest."`
	Expires time.Duration `name:"expires" help:"Lifetime of the token, e.g. 168h (default: no expiry)." placeholder:"D"`
}

// shareTokenCreated is what share-token create prints in json and jsonl: the
// spec's ShareTokenCreateResponse (the value revealed, once) with the run
// and the grant that ties the token to it.
type shareTokenCreated struct {
	ShareTokenID string     `json:"share_token_id"`
	ShareToken   string     `json:"share_token"`
	CreatedAt    time.Time  `json:"created_at"`
	ExpiresAt    *time.Time `json:"expires_at"`
	Revoked      bool       `json:"revoked"`
	RunID        string     `json:"run_id"`
	GrantID      string     `json:"grant_id"`
}

// Run creates the token and its grant on the run, prints the token on
// stdout (bare, unless json or jsonl was asked for) and its id on stderr.
func (c *RunsShareTokenCreateCmd) Run(ctx context.Context, f *Factory) error {
	if c.Expires < 0 {
		return cliErrorf(KindUsage, "--expires %s: must be positive", c.Expires)
	}
	var exp *time.Time
	if c.Expires > 0 {
		t := f.Now().Add(c.Expires).UTC().Truncate(time.Second)
		exp = &t
	}
	cl, err := f.Client()
	if err != nil {
		return err
	}
	tok, g, err := cl.Run(c.RunID).CreateShareToken(ctx, exp)
	if err != nil {
		return err
	}
	o := f.Output()
	until := "does not expire"
	if tok.ExpiresAt != nil {
		until = "expires " + ts(*tok.ExpiresAt)
	}
	o.Notef("Share token %s created for run %s (%s). It is shown only this once; revoke it with: aignostics runs share-token revoke %s %s",
		tok.ShareTokenID, c.RunID, until, c.RunID, tok.ShareTokenID)
	return o.Value(tok.ShareToken.Reveal(), shareTokenCreated{
		ShareTokenID: tok.ShareTokenID, ShareToken: tok.ShareToken.Reveal(), CreatedAt: tok.CreatedAt,
		ExpiresAt: tok.ExpiresAt, Revoked: tok.Revoked, RunID: c.RunID, GrantID: g.GrantID,
	})
}

// RunsShareTokenListCmd lists the share tokens of a run.
type RunsShareTokenListCmd struct {
	RunID string `arg:"" name:"RUN" help:"Run id, a unique prefix of 8+ characters, or latest."`
}

// Run streams ShareTokenReadResponse objects (no values).
func (c *RunsShareTokenListCmd) Run(ctx context.Context, f *Factory) error {
	cl, err := f.Client()
	if err != nil {
		return err
	}
	l := f.Output().List("SHARE_TOKEN_ID", "CREATED_AT", "EXPIRES_AT", "REVOKED")
	for t, err := range cl.Run(c.RunID).ShareTokens(ctx) {
		if err != nil {
			l.Abort()
			return err
		}
		if err := l.Add(t, t.ShareTokenID, ts(t.CreatedAt), tsp(t.ExpiresAt), fmt.Sprint(t.Revoked)); err != nil {
			return err
		}
	}
	return l.Close()
}

// RunsShareTokenRevokeCmd revokes a share token of a run.
type RunsShareTokenRevokeCmd struct {
	RunID   string `arg:"" name:"RUN" help:"Run id, a unique prefix of 8+ characters, or latest."`
	TokenID string `arg:"" name:"TOKEN_ID" help:"Share token id (see 'runs share-token list RUN'), not the token itself."`
}

// Run revokes the token after checking that it has a grant on the run.
func (c *RunsShareTokenRevokeCmd) Run(ctx context.Context, f *Factory) error {
	if !looksLikeUUID(c.TokenID) {
		// Never echoed: it may be the token itself, given by mistake.
		return cliErrorf(KindUsage, "TOKEN_ID must be a share token id (a UUID, see 'aignostics runs share-token list %s'), not the token", c.RunID)
	}
	cl, err := f.Client()
	if err != nil {
		return err
	}
	t, err := cl.Run(c.RunID).RevokeShareToken(ctx, c.TokenID)
	if err != nil {
		if errors.Is(err, resources.ErrNotShared) {
			return cliError(KindNotFound, fmt.Errorf("run %s: %w; nothing revoked", c.RunID, err))
		}
		return err
	}
	return f.Output().Value(fmt.Sprintf("Share token %s of run %s revoked.", t.ShareTokenID, c.RunID), t)
}

// looksLikeUUID reports whether s has the 8-4-4-4-12 hex shape of a UUID.
func looksLikeUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if r != '-' {
				return false
			}
		case !strings.ContainsRune("0123456789abcdefABCDEF", r):
			return false
		}
	}
	return true
}
