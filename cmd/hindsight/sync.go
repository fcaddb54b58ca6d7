package main

import (
	"fmt"

	"github.com/hindsight-dev/hindsight/internal/jobs"
)

type syncCmd struct {
	Jira syncJiraCmd `cmd:"" help:"Create and link Jira issues for action items and read their status back."`
}

type syncJiraCmd struct {
	Flags  jiraFlags `embed:""`
	Once   bool      `help:"Run one cycle, print its summary and exit."`
	DryRun bool      `help:"Print what would be created, linked and updated; write nothing to Jira or the database."`
}

func (syncJiraCmd) Help() string {
	return `Gives every open action item a Jira issue and keeps the item in step
with it. An item whose postmortem names issue keys is linked to them;
any other gets a new issue in HINDSIGHT_JIRA_PROJECT, labelled hindsight
and hindsight-item-<id>, assigned to the owner's Jira account from the
people directory (found by email when missing). Jira then owns the
item's status and assignee; Hindsight owns its text and due date. See
README.md, "Jira".

Without --once, a cycle runs every HINDSIGHT_JIRA_SYNC_INTERVAL until
SIGINT or SIGTERM; serve does the same and also takes webhooks at
POST /hooks/jira. With --once, one cycle runs and standard output gets:

  created C, linked L, updated U, failed F

Items Jira refused are reported on standard error; the exit status is
then 1.

Examples:
  HINDSIGHT_JIRA_URL=https://example.atlassian.net HINDSIGHT_JIRA_USER=bot@example.com \
  HINDSIGHT_JIRA_TOKEN=... HINDSIGHT_JIRA_PROJECT=OPS hindsight sync jira --once
  hindsight sync jira --dry-run`
}

// Run syncs once, dry, or on the schedule.
func (c *syncJiraCmd) Run(a *app) error {
	if c.Flags.URL == "" {
		return fmt.Errorf("jira sync is off: set HINDSIGHT_JIRA_URL")
	}
	client, opts, err := c.Flags.client(a.logger)
	if err != nil {
		return err
	}
	if err := client.Check(a.ctx); err != nil {
		return err
	}
	db, err := a.openStore()
	if err != nil {
		return err
	}
	defer db.Close()
	if !c.Once && !c.DryRun {
		jobs.NewJiraLoop(db, client, opts, c.Flags.Interval).Run(a.ctx)
		return nil
	}
	opts.DryRun = c.DryRun
	opts.Report = func(act jobs.JiraAction) {
		switch {
		case act.Kind == "fail":
			fmt.Fprintf(a.stderr, "item %d: %s\n", act.ItemID, act.Detail)
		case c.DryRun:
			fmt.Fprintf(a.stdout, "would %s\n", act)
		}
	}
	sum, err := jobs.SyncJira(a.ctx, db, client, opts)
	if err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, sum)
	if sum.Failed > 0 {
		return errReported
	}
	return nil
}
