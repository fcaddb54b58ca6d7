package main

import (
	"github.com/hindsight-dev/hindsight/internal/jobs"
	"github.com/hindsight-dev/hindsight/internal/server"
	"github.com/hindsight-dev/hindsight/internal/sqlite"
)

// withSlack is serve's hook for Slack nudges: when HINDSIGHT_SLACK_TOKEN is
// set it starts the nudge loop (a run at once, then every 5 minutes, until
// a.ctx ends, in a.background) and returns the receiver of POST
// /slack/interactions and POST /slack/commands, and a function that waits
// for the work Slack buttons started (a message update, a Jira transition),
// to be called after the server stops; otherwise, or when the settings are
// wrong (logged), it returns nil and a function that does nothing.
func (a *app) withSlack(db *sqlite.DB) (server.SlackHook, func()) {
	none := func() {}
	f, err := slackFromEnv()
	if err != nil {
		a.logger.Error("slack settings", "err", err)
		return nil, none
	}
	if f.Token == "" {
		return nil, none
	}
	opts, err := f.options(a.Timezone, a.logger)
	if err != nil {
		a.logger.Error("slack nudges off", "err", err)
		return nil, none
	}
	client, err := f.client(a.callTransport("slack"))
	if err != nil {
		a.logger.Error("slack nudges off", "err", err)
		return nil, none
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
	return actions, actions.Wait
}
