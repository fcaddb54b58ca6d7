package main

import (
	"context"
	"io"

	"github.com/hindsight-dev/hindsight/internal/jobs"
	"github.com/hindsight-dev/hindsight/internal/server"
	"github.com/hindsight-dev/hindsight/internal/sqlite"
)

// withSlack is serve's hook for Slack nudges: when HINDSIGHT_SLACK_TOKEN is
// set it starts the nudge loop (a run at once, then every 5 minutes,
// until a.ctx ends) and returns store with the receiver of POST
// /slack/interactions and POST /slack/commands added; otherwise, or when
// the settings are wrong (logged), it returns store as it is. It goes
// around withJira and keeps its webhook receiver. The function it returns
// waits for the work that Slack buttons started (a message update, a Jira
// transition) and is to be called after the server stops:
//
//	store, wait := a.withSlack(db, a.withJira(db, serverStore{db}))
func (a *app) withSlack(db *sqlite.DB, store server.Store) (server.Store, func()) {
	none := func() {}
	f, err := slackFromEnv()
	if err != nil {
		a.logger.Error("slack settings", "err", err)
		return store, none
	}
	if f.Token == "" {
		return store, none
	}
	opts, err := f.options(a.Timezone, a.logger)
	if err != nil {
		a.logger.Error("slack nudges off", "err", err)
		return store, none
	}
	client, err := f.client(a.callTransport("slack"))
	if err != nil {
		a.logger.Error("slack nudges off", "err", err)
		return store, none
	}
	if f.SigningSecret == "" {
		a.logger.Warn("HINDSIGHT_SLACK_SIGNING_SECRET is not set: Slack buttons and /hindsight are refused")
	}
	act := jobs.NudgeActionOptions{BaseURL: f.BaseURL, Logger: a.logger}
	var done jobs.JiraCompleter
	if jf, err := jiraFromEnv(); err == nil && jf.URL != "" {
		if jc, jopts, err := jf.client(a.logger); err == nil {
			done, act.DoneTransition = jc, jopts.DoneTransition
		}
	}
	actions := jobs.NewNudgeActions(a.ctx, db, client, done, act)
	ctx := a.ctx
	a.background.Go(func() { jobs.RunNudges(ctx, db, client, opts, 0) })
	a.logger.Info("slack nudges on", "schedule", f.Schedule, "escalation_channel", f.Channel,
		"escalate_after", f.EscalateAfter)
	s := slackServerStore{Store: store, NudgeActions: actions, db: db}
	if jira, ok := store.(server.JiraHook); ok {
		return slackJiraServerStore{slackServerStore: s, JiraHook: jira}, actions.Wait
	}
	return s, actions.Wait
}

// slackServerStore is the server's store with the Slack receiver
// (server.SlackHook) added. It writes the people CSV from the database
// itself, which a wrapped store may hide.
type slackServerStore struct {
	server.Store
	*jobs.NudgeActions
	db *sqlite.DB
}

// ExportPeopleCSV writes the people directory as CSV.
func (s slackServerStore) ExportPeopleCSV(ctx context.Context, w io.Writer) error {
	return s.db.ExportPeopleCSV(ctx, w)
}

// slackJiraServerStore keeps the Jira webhook receiver of the store it
// wraps.
type slackJiraServerStore struct {
	slackServerStore
	server.JiraHook
}

var (
	_ server.SlackHook = slackServerStore{}
	_ server.JiraHook  = slackJiraServerStore{}
)
