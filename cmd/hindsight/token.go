package main

import (
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

type tokenCmd struct {
	Create tokenCreateCmd `cmd:"" help:"Create an API token and print it, once."`
	List   tokenListCmd   `cmd:"" help:"List the API tokens, without their secrets."`
	Revoke tokenRevokeCmd `cmd:"" help:"Revoke an API token."`
}

func (tokenCmd) Help() string {
	return `API tokens sign in to the API (Authorization: Bearer hs_…) and, pasted
into the sign-in form, to the pages, when serve runs with
HINDSIGHT_AUTH=token. Each has a role: viewer reads, editor also edits
action items and people and imports, admin also exports. Only a hash of
each token is stored; the token itself is shown once, when created.

Examples:
  hindsight token create --role admin --name "Ops laptop"
  hindsight token list
  hindsight token revoke 3`
}

type tokenCreateCmd struct {
	Role string `required:"" enum:"viewer,editor,admin" placeholder:"viewer|editor|admin" help:"What the token may do."`
	Name string `placeholder:"NAME" help:"Who or what uses it; changes made with it are recorded under this name (default: the role and the date)."`
}

// Run creates the token and prints it as the last line.
func (c *tokenCreateCmd) Run(a *app) error {
	db, err := a.openStore()
	if err != nil {
		return err
	}
	defer db.Close()
	secret, hash, err := postmortem.NewToken()
	if err != nil {
		return err
	}
	name := c.Name
	if strings.TrimSpace(name) == "" {
		name = c.Role + " token"
	}
	t, err := db.CreateToken(a.ctx, name, c.Role, hash, postmortem.TokenHint(secret))
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "created token %d %q with role %s; it is shown only now:\n%s\n", t.ID, t.Name, t.Role, secret)
	return nil
}

type tokenListCmd struct{}

// Run prints one line per token.
func (tokenListCmd) Run(a *app) error {
	db, err := a.openStore()
	if err != nil {
		return err
	}
	defer db.Close()
	tokens, err := db.ListTokens(a.ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tROLE\tTOKEN\tCREATED\tLAST USED\tSTATE")
	for _, t := range tokens {
		state := "active"
		if t.Revoked() {
			state = "revoked " + t.RevokedAt
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s…\t%s\t%s\t%s\n", t.ID, t.Name, t.Role, t.Hint, t.CreatedAt, dashIfEmpty(t.LastUsedAt), state)
	}
	return w.Flush()
}

func dashIfEmpty(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

type tokenRevokeCmd struct {
	ID string `arg:"" placeholder:"ID" help:"The token's id, as token list shows it."`
}

// Run revokes the token; requests with it are refused from then on.
func (c *tokenRevokeCmd) Run(a *app) error {
	id, err := strconv.ParseInt(c.ID, 10, 64)
	if err != nil {
		return fmt.Errorf("token id %q: want the number token list shows", c.ID)
	}
	db, err := a.openStore()
	if err != nil {
		return err
	}
	defer db.Close()
	t, err := db.RevokeToken(a.ctx, id)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "revoked token %d %q\n", t.ID, t.Name)
	return nil
}
