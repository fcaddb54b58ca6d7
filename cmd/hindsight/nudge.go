package main

import (
	"fmt"
	"time"

	"github.com/hindsight-dev/hindsight/internal/jobs"
	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

type nudgeCmd struct {
	Flags  slackFlags `embed:""`
	Once   bool       `help:"Run once, print a summary and exit."`
	DryRun bool       `help:"Print each digest that is due, as plain text, instead of sending it; write nothing."`
	Now    string     `placeholder:"TIME" help:"Run as if it were TIME (RFC 3339, e.g. 2026-11-19T10:30:00-05:00)."`
}

func (nudgeCmd) Help() string {
	return `Sends each owner of open action items one Slack direct message per
scheduled slot listing them all, oldest first, with Done, Snooze (one
week) and Not mine buttons. Items whose owner has left (the people
directory says so, or Slack does not know them), that nobody owns, that
their owner said are not theirs, or that were ignored for
HINDSIGHT_NUDGE_ESCALATE_AFTER reminders go to the owner's manager
(manager_email in the directory) or else to
HINDSIGHT_SLACK_ESCALATION_CHANNEL, with the reason.

A digest is due once a slot of HINDSIGHT_NUDGE_SCHEDULE has passed in
the recipient's zone (the directory's, else Slack's; a channel's is
HINDSIGHT_TIMEZONE) and none was sent for it, and is only sent between
09:00 and 17:00, Monday to Friday, there. Each is recorded before it is
sent, so a restart or a second process never sends it twice. See
README.md, "Slack".

Without --once, runs every 5 minutes until SIGINT or SIGTERM; serve does
the same and also takes the buttons at POST /slack/interactions and
/hindsight mine at POST /slack/commands. With --once, standard output
gets:

  sent D digests (L items); A already sent, R outside working hours, F failed

Examples:
  HINDSIGHT_SLACK_TOKEN=xoxb-... HINDSIGHT_SLACK_ESCALATION_CHANNEL=C0123 hindsight nudge --once
  hindsight nudge --dry-run --now 2026-11-19T10:30:00Z`
}

// Run nudges once, dry, or on the schedule.
func (c *nudgeCmd) Run(a *app) error {
	if c.Flags.Token == "" {
		return fmt.Errorf("slack nudges are off: set HINDSIGHT_SLACK_TOKEN")
	}
	opts, err := c.Flags.options(a.Timezone, a.logger)
	if err != nil {
		return err
	}
	if c.Now != "" {
		at, err := time.Parse(time.RFC3339, c.Now)
		if err != nil {
			return fmt.Errorf("--now: not an RFC 3339 time: %q", c.Now)
		}
		start := time.Now()
		opts.Now = func() time.Time { return at.Add(time.Since(start)) }
	}
	client, err := c.Flags.client(nil)
	if err != nil {
		return err
	}
	db, err := a.openStore()
	if err != nil {
		return err
	}
	defer db.Close()
	if !c.Once && !c.DryRun {
		jobs.RunNudges(a.ctx, db, client, opts, 0)
		return nil
	}
	opts.DryRun = c.DryRun
	opts.Print = func(d postmortem.Digest) {
		to := d.Name
		if d.Channel {
			to = "channel " + d.Target
		}
		fmt.Fprintf(a.stdout, "To %s (%s), for %s:\n\n%s\n", to, d.Target, d.Slot.Format("Mon 2 Jan 15:04 MST"), client.Text(d))
	}
	sum, err := jobs.Nudge(a.ctx, db, client, opts)
	if err != nil {
		return err
	}
	verb := "sent"
	if c.DryRun {
		verb = "would send"
	}
	fmt.Fprintf(a.stdout, "%s %d digests (%d items); %d already sent, %d outside working hours, %d failed\n",
		verb, sum.Digests, sum.Lines, sum.Already, sum.Resting, sum.Failed)
	if sum.Failed > 0 {
		return errReported
	}
	return nil
}
