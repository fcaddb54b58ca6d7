package jobs

import (
	"context"
	"time"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// JiraHookStore is what the webhook receiver needs of the database on top
// of the sync's part.
type JiraHookStore interface {
	JiraStore
	// SeenJiraDelivery records a delivery id and reports whether it had
	// been seen.
	SeenJiraDelivery(ctx context.Context, id string) (bool, error)
}

// JiraHookClient is the Jira client with webhook parsing.
type JiraHookClient interface {
	Jira
	// Webhook verifies a delivery's signature and parses it.
	Webhook(body []byte, signature string) (postmortem.JiraEvent, error)
}

// JiraLoop runs the Jira sync on a schedule and refreshes the issues
// webhooks name as they arrive, one thing at a time, so a webhook and a
// cycle never write over each other.
type JiraLoop struct {
	store    JiraHookStore
	jira     JiraHookClient
	opts     JiraOptions
	interval time.Duration
	events   chan string
}

// NewJiraLoop returns a loop that runs SyncJira every interval (15 minutes
// when 0).
func NewJiraLoop(store JiraHookStore, j JiraHookClient, opts JiraOptions, interval time.Duration) *JiraLoop {
	if interval <= 0 {
		interval = 15 * time.Minute
	}
	return &JiraLoop{store: store, jira: j, opts: opts.withDefaults(), interval: interval, events: make(chan string, 256)}
}

// Run syncs at once and then every interval, and applies webhook events in
// between, until ctx ends. Errors are logged, and the next cycle tries
// again.
func (l *JiraLoop) Run(ctx context.Context) {
	log := l.opts.Logger
	cycle := func() {
		start := time.Now()
		sum, err := SyncJira(ctx, l.store, l.jira, l.opts)
		if err != nil && ctx.Err() == nil {
			log.Error("jira sync failed", "err", err)
			return
		}
		log.Info("jira sync", "created", sum.Created, "linked", sum.Linked, "updated", sum.Updated,
			"failed", sum.Failed, "waiting", sum.Waiting, "full", sum.Full, "took", time.Since(start).Round(time.Millisecond))
	}
	cycle()
	tick := time.NewTicker(l.interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			cycle()
		case key := <-l.events:
			changed, err := RefreshJira(ctx, l.store, l.jira, key)
			if err != nil {
				log.Warn("jira webhook refresh failed", "key", key, "err", err)
				continue
			}
			log.Debug("jira webhook applied", "key", key, "changed", len(changed))
		}
	}
}

// JiraWebhook takes one delivery to POST /hooks/jira: it checks the
// signature (unauthorized when bad), drops a delivery id seen before, and
// queues the issue for a read. Webhooks only hasten what polling does, so
// a full queue drops the event rather than holding Jira up.
func (l *JiraLoop) JiraWebhook(ctx context.Context, delivery, signature string, body []byte) error {
	ev, err := l.jira.Webhook(body, signature)
	if err != nil {
		return err
	}
	if delivery != "" {
		seen, err := l.store.SeenJiraDelivery(ctx, delivery)
		if err != nil {
			return err
		}
		if seen {
			return nil
		}
	}
	key := ev.Issue.Key
	if key == "" {
		key = ev.Issue.ID
	}
	select {
	case l.events <- key:
	default:
		l.opts.Logger.Warn("jira webhook queue full, left to polling", "key", key)
	}
	return nil
}
