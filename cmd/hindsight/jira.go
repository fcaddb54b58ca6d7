package main

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/alecthomas/kong"

	"github.com/hindsight-dev/hindsight/internal/jira"
	"github.com/hindsight-dev/hindsight/internal/jobs"
)

// jiraFlags are the Jira settings, shared by `sync jira` (as flags and
// environment variables) and `serve` (environment only, see jiraFromEnv).
type jiraFlags struct {
	URL            string        `name:"jira-url" env:"HINDSIGHT_JIRA_URL" placeholder:"URL" help:"Jira site or API base URL; unset turns Jira sync off."`
	Flavor         string        `name:"jira-flavor" env:"HINDSIGHT_JIRA_FLAVOR" enum:"cloud,datacenter" default:"cloud" help:"cloud or datacenter (default ${default})."`
	User           string        `name:"jira-user" env:"HINDSIGHT_JIRA_USER" placeholder:"EMAIL" help:"Cloud: the account's email, used with the API token."`
	Token          string        `name:"jira-token" env:"HINDSIGHT_JIRA_TOKEN" hidden:"" help:"Cloud: API token; Data Center: personal access token."`
	Project        string        `name:"jira-project" env:"HINDSIGHT_JIRA_PROJECT" placeholder:"KEY" help:"Project that issues are created in."`
	IssueType      string        `name:"jira-issue-type" env:"HINDSIGHT_JIRA_ISSUE_TYPE" default:"Task" help:"Issue type of created issues (default ${default})."`
	Fields         string        `name:"jira-fields" env:"HINDSIGHT_JIRA_FIELDS" placeholder:"JSON" help:"JSON object of extra fields set on created issues, e.g. {\"customfield_10020\":{\"value\":\"SRE\"}}."`
	DoneTransition string        `name:"jira-done-transition" env:"HINDSIGHT_JIRA_DONE_TRANSITION" placeholder:"NAME" help:"Transition that closes an issue when its item is marked done in Hindsight; unset leaves status to Jira."`
	WebhookSecret  string        `name:"jira-webhook-secret" env:"HINDSIGHT_JIRA_WEBHOOK_SECRET" hidden:"" help:"Secret Jira signs webhook deliveries with."`
	BaseURL        string        `name:"base-url" env:"HINDSIGHT_BASE_URL" placeholder:"URL" help:"Hindsight's own address, for links from issues back to postmortems."`
	Interval       time.Duration `name:"jira-sync-interval" env:"HINDSIGHT_JIRA_SYNC_INTERVAL" default:"15m" help:"Time between sync cycles (default ${default})."`
}

// jiraFromEnv reads the Jira settings from the environment alone, with the
// same names and defaults as the flags of `sync jira`.
func jiraFromEnv() (jiraFlags, error) {
	var f jiraFlags
	p, err := kong.New(&f, kong.Name("hindsight"), kong.Exit(func(int) {}))
	if err != nil {
		return f, err
	}
	_, err = p.Parse(nil)
	return f, err
}

// client builds the Jira client and the sync's options.
func (f jiraFlags) client(logger *slog.Logger) (*jira.Client, jobs.JiraOptions, error) {
	return f.clientVia(logger, nil)
}

// clientVia is client with its requests carried by transport, when not
// nil: serve's counts them for /metrics.
func (f jiraFlags) clientVia(logger *slog.Logger, transport http.RoundTripper) (*jira.Client, jobs.JiraOptions, error) {
	fields, err := jira.ParseFields(f.Fields)
	if err != nil {
		return nil, jobs.JiraOptions{}, err
	}
	cfg := jira.Config{
		URL: f.URL, Flavor: jira.Flavor(f.Flavor), User: f.User, Token: f.Token, Project: f.Project,
		IssueType: f.IssueType, Fields: fields, Secret: f.WebhookSecret, Transport: transport,
	}
	c, err := jira.New(cfg)
	if err != nil {
		return nil, jobs.JiraOptions{}, fmt.Errorf("jira: %w", err)
	}
	opts := jobs.JiraOptions{BaseURL: f.BaseURL, DataCenter: cfg.Flavor == jira.DataCenter,
		DoneTransition: f.DoneTransition, Logger: logger}
	return c, opts, nil
}
