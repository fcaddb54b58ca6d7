package main

import (
	"github.com/hindsight-dev/hindsight/internal/jobs"
	"github.com/hindsight-dev/hindsight/internal/server"
	"github.com/hindsight-dev/hindsight/internal/sqlite"
)

// withJira is serve's hook for Jira sync: when HINDSIGHT_JIRA_URL is set it
// starts the sync loop (a cycle at once, then every
// HINDSIGHT_JIRA_SYNC_INTERVAL, until a.ctx ends) and returns store with
// the receiver of POST /hooks/jira added; otherwise, or when the settings
// are wrong (logged), it returns store as it is, and pages are served
// without Jira. serve.go calls it where it builds the server:
//
//	server.New(a.withJira(db, serverStore{db}), cfg, a.logger)
func (a *app) withJira(db *sqlite.DB, store server.Store) server.Store {
	f, err := jiraFromEnv()
	if err != nil {
		a.logger.Error("jira settings", "err", err)
		return store
	}
	if f.URL == "" {
		return store
	}
	client, opts, err := f.clientVia(a.logger, a.callTransport("jira"))
	if err != nil {
		a.logger.Error("jira sync off", "err", err)
		return store
	}
	loop := jobs.NewJiraLoop(db, client, opts, f.Interval)
	ctx := a.ctx
	a.background.Go(func() {
		if err := client.Check(ctx); err != nil {
			a.logger.Error("jira check failed", "err", err)
		}
		loop.Run(ctx)
	})
	a.logger.Info("jira sync on", "url", f.URL, "project", f.Project, "interval", f.Interval.String())
	return jiraServerStore{Store: store, JiraLoop: loop}
}

// jiraServerStore is the server's store with the Jira webhook receiver
// (server.JiraHook) added.
type jiraServerStore struct {
	server.Store
	*jobs.JiraLoop
}

var _ server.JiraHook = jiraServerStore{}
