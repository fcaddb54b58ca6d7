package main

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"os"
	"strings"

	"github.com/hindsight-dev/hindsight/internal/jobs"
	"github.com/hindsight-dev/hindsight/internal/server"
	"github.com/hindsight-dev/hindsight/internal/sqlite"
)

type serveCmd struct {
	Addr        string `env:"HINDSIGHT_ADDR" default:"127.0.0.1:8080" placeholder:"HOST:PORT" help:"Address to listen on (default ${default}); port 0 picks a free one and the log says which."`
	Postmortems string `env:"HINDSIGHT_POSTMORTEMS" default:"./postmortems" placeholder:"DIR" help:"Directory imported at start-up (default ${default}); a missing one is noted and skipped."`
	Auth        string `env:"HINDSIGHT_AUTH" enum:"none,token,oidc" default:"none" placeholder:"none|token|oidc" help:"Sign-in: none (default; only on a loopback address), token (API tokens from hindsight token create, for the API and the pages) or oidc (people through an OpenID Connect provider, set with HINDSIGHT_OIDC_*; API tokens for the API)."`
	ReadOnly    bool   `name:"read-only" env:"HINDSIGHT_READ_ONLY" help:"Never write to the database (a replica or a backup copy): no import, no Jira sync or Slack nudges, every change refused with 503."`
}

func (serveCmd) Help() string {
	return `Opens (and migrates) the database, imports the postmortems directory as
import does, then serves the web interface until SIGINT or SIGTERM, when
it finishes the requests in flight and exits. GET /healthz answers ok,
/readyz whether the database is usable, /metrics serves Prometheus.

Without sign-in (HINDSIGHT_AUTH=none) it listens only on a loopback
address; to listen elsewhere, set HINDSIGHT_AUTH=token and create tokens
with hindsight token create, or set HINDSIGHT_AUTH=oidc with
HINDSIGHT_BASE_URL, HINDSIGHT_OIDC_ISSUER, HINDSIGHT_OIDC_CLIENT_ID and
HINDSIGHT_OIDC_CLIENT_SECRET (the README's Sign-in section has the rest).

With --read-only (a replica, a backup copy) the database is opened
read-only and must already have the current schema; nothing is
imported, Jira sync and Slack nudges stay off, and every change is
refused with 503 "database ... is read-only" while reading goes on.

Examples:
  hindsight serve
  HINDSIGHT_AUTH=token HINDSIGHT_ADDR=0.0.0.0:8080 hindsight serve --db /data/hindsight.db --postmortems /srv/postmortems`
}

// Run imports the postmortems directory and serves.
func (c *serveCmd) Run(a *app) error {
	if err := checkListen(c.Addr, c.Auth); err != nil {
		return err
	}
	signIn, err := a.signIn(c.Auth)
	if err != nil {
		return err
	}
	open := a.openStore
	if c.ReadOnly {
		open = a.openReadOnly
	}
	db, err := open()
	if err != nil {
		return err
	}
	defer db.Close()
	auth, err := signIn(db)
	if err != nil {
		return err
	}
	a.metrics = a.newMetrics(db)
	if c.ReadOnly {
		a.logger.Info("read-only: no import, Jira sync or Slack nudges; changes are refused", "db", db.Path())
	} else if err := c.importDir(a, db); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return err
	}
	a.logger.Info("listening", "addr", ln.Addr().String(), "url", "http://"+ln.Addr().String()+"/", "auth", c.Auth)
	// The Jira and Slack loops run on a context that ends when the server
	// has stopped, and serve waits for them, and for the work a Slack
	// button started, before the database closes: a cycle in progress
	// stops between calls and its state stays consistent.
	serveCtx := a.ctx
	loopCtx, stopLoops := context.WithCancel(a.ctx)
	a.ctx = loopCtx
	defer a.background.Wait()
	defer stopLoops()
	var jiraHook server.JiraHook
	var slackHook server.SlackHook
	waitSlack := func() {}
	if !c.ReadOnly {
		jiraHook = a.withJira(db)
		slackHook, waitSlack = a.withSlack(db)
	}
	a.ctx = serveCtx
	defer waitSlack()
	jira, _ := jiraFromEnv() // withJira has logged what is wrong with it
	cfg := server.Config{
		JiraURL:     jiraSite(jira.URL),
		JiraHook:    jiraHook,
		SlackHook:   slackHook,
		MaxFileSize: int64(a.MaxFileSize),
		Import: a.countImports(func(ctx context.Context, files []jobs.Upload) ([]jobs.FileResult, error) {
			return jobs.ImportUploads(ctx, importStore{db}, files, a.importOptions(nil))
		}),
		Auth:    auth,
		Metrics: a.metrics,
	}
	err = server.New(serverStore{db}, cfg, a.logger).Serve(a.ctx, ln)
	a.logger.Info("stopped")
	return err
}

// jiraSite returns the root of the Jira site that url, the site or its API
// base URL, belongs to: where issue links go.
func jiraSite(url string) string {
	site, _, _ := strings.Cut(url, "/rest/")
	return strings.TrimRight(site, "/")
}

// importDir imports the postmortems directory, logging what import would
// print. Only an error that stops the whole import (a locked database)
// stops the server from starting.
func (c *serveCmd) importDir(a *app, db *sqlite.DB) error {
	if _, err := os.Stat(c.Postmortems); errors.Is(err, fs.ErrNotExist) {
		a.logger.Info("no postmortems directory, nothing imported", "dir", c.Postmortems)
		return nil
	}
	report := func(p jobs.Problem) {
		switch p.Kind {
		case jobs.Failure:
			a.logger.Warn("import failed", "file", p.Location(), "err", p.Message)
		case jobs.Warning:
			a.logger.Debug("parser warning", "file", p.Location(), "warning", p.Message)
		default:
			a.logger.Info("import notice", "file", p.Location(), "notice", p.Message)
		}
	}
	sum, err := jobs.Import(a.ctx, importStore{db}, []string{c.Postmortems}, a.importOptions(report))
	if err != nil {
		return err
	}
	a.countSummary(sum)
	a.logger.Info("imported postmortems", "dir", c.Postmortems, "imported", sum.Imported, "updated", sum.Updated,
		"unchanged", sum.Unchanged, "failed", sum.Failed, "missing", len(sum.Missing))
	return nil
}
