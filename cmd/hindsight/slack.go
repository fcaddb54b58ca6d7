package main

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/alecthomas/kong"

	"github.com/hindsight-dev/hindsight/internal/jobs"
	"github.com/hindsight-dev/hindsight/internal/slack"
)

// slackFlags are the Slack nudge settings, shared by `nudge` (as flags and
// environment variables) and `serve` (environment only, see
// slackFromEnv).
type slackFlags struct {
	Token         string `name:"slack-token" env:"HINDSIGHT_SLACK_TOKEN" hidden:"" help:"Slack bot token (xoxb-…); unset turns nudges off."`
	SigningSecret string `name:"slack-signing-secret" env:"HINDSIGHT_SLACK_SIGNING_SECRET" hidden:"" help:"Slack app's signing secret, which verifies button presses and slash commands."`
	APIURL        string `name:"slack-api-url" env:"HINDSIGHT_SLACK_API_URL" placeholder:"URL" help:"Slack Web API base URL; unset means Slack's own (https://slack.com/api/)."`
	Channel       string `name:"escalation-channel" env:"HINDSIGHT_SLACK_ESCALATION_CHANNEL" placeholder:"ID" help:"Channel id (C…) that gets the items no owner or manager can act on."`
	Schedule      string `name:"nudge-schedule" env:"HINDSIGHT_NUDGE_SCHEDULE" default:"Mon,Thu 10:00" placeholder:"DAYS HH:MM" help:"When digests go out, in each recipient's zone: days and times, entries separated by ';' (\"Mon,Thu 10:00\", \"Mon-Fri 09:30\", \"Tue 10:00,15:00; Fri 11:00\"; default ${default})."`
	EscalateAfter int    `name:"escalate-after" env:"HINDSIGHT_NUDGE_ESCALATE_AFTER" default:"3" placeholder:"N" help:"Reminders an owner may ignore before an item is escalated (default ${default})."`
	BaseURL       string `name:"base-url" env:"HINDSIGHT_BASE_URL" placeholder:"URL" help:"Hindsight's own address, for the links in digests."`
}

// slackFromEnv reads the Slack settings from the environment alone, with
// the same names and defaults as the flags of `nudge`.
func slackFromEnv() (slackFlags, error) {
	var f slackFlags
	p, err := kong.New(&f, kong.Name("hindsight"), kong.Exit(func(int) {}))
	if err != nil {
		return f, err
	}
	_, err = p.Parse(nil)
	return f, err
}

// client builds the Slack client, with digest links to Hindsight and to
// the Jira site of HINDSIGHT_JIRA_URL.
func (f slackFlags) client(rt http.RoundTripper) (*slack.Client, error) {
	jira, _ := jiraFromEnv()
	cfg := slack.Config{Token: f.Token, SigningSecret: f.SigningSecret, APIURL: f.APIURL,
		Format: slack.Format{BaseURL: f.BaseURL, JiraURL: jiraSite(jira.URL)}}
	if rt != nil {
		// serve counts the calls in its metrics through rt.
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second, Transport: rt}
	}
	return slack.New(cfg)
}

// options builds the run's options; zone is HINDSIGHT_TIMEZONE, the
// escalation channel's working hours, read as an IANA zone (UTC when
// unset or not one, which is logged).
func (f slackFlags) options(zone string, logger *slog.Logger) (jobs.NudgeOptions, error) {
	sched, err := jobs.ParseSchedule(f.Schedule)
	if err != nil {
		return jobs.NudgeOptions{}, err
	}
	loc := time.UTC
	if zone != "" {
		if l, err := time.LoadLocation(zone); err == nil {
			loc = l
		} else {
			logger.Warn("HINDSIGHT_TIMEZONE is not an IANA zone; the escalation channel keeps UTC working hours", "zone", zone)
		}
	}
	return jobs.NudgeOptions{Schedule: sched, EscalateAfter: f.EscalateAfter, Channel: f.Channel,
		ChannelZone: loc, Logger: logger}, nil
}
