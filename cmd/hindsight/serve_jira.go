package main

import (
	"github.com/hindsight-dev/hindsight/internal/jobs"
	"github.com/hindsight-dev/hindsight/internal/server"
	"github.com/hindsight-dev/hindsight/internal/sqlite"
)

// withJira is serve's hook for Jira sync: when HINDSIGHT_JIRA_URL is set it
// starts the sync loop (a cycle at once, then every
// HINDSIGHT_JIRA_SYNC_INTERVAL, until a.ctx ends, in a.background) and
// returns the receiver of POST /hooks/jira; otherwise, or when the settings
// are wrong (logged), it returns nil, and pages are served without Jira.
func (a *app) withJira(db *sqlite.DB) server.JiraHook {
	f, err := jiraFromEnv()
	if err != nil {
		a.logger.Error("jira settings", "err", err)
		return nil
	}
	if f.URL == "" {
		return nil
	}
	client, opts, err := f.clientVia(a.logger, a.callTransport("jira"))
	if err != nil {
		a.logger.Error("jira sync off", "err", err)
		return nil
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
	return loop
}
