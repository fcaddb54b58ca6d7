package jobs

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// NudgeActionStore is what the digest buttons and /hindsight mine read
// and change.
type NudgeActionStore interface {
	// NudgeByMessage finds the digest sent as message ts in channel
	// posted, not_found when none was.
	NudgeByMessage(ctx context.Context, posted, ts string) (*postmortem.Nudge, error)
	NudgeItemsByID(ctx context.Context, ids []int64) ([]postmortem.NudgeItem, error)
	// SlackDone marks an item done; false when it was not open.
	SlackDone(ctx context.Context, itemID int64, by string, at time.Time) (bool, error)
	SlackSnooze(ctx context.Context, itemID int64, until time.Time, by string, at time.Time) error
	SlackNotMine(ctx context.Context, itemID int64, by, byID string, at time.Time) error
	PersonBySlackID(ctx context.Context, id string) (*postmortem.Member, error)
	MemberByEmail(ctx context.Context, email string) (*postmortem.Member, error)
	ListItems(ctx context.Context, f postmortem.ItemFilter) ([]postmortem.Item, string, error)
}

// SlackInbound is the part of the Slack client that takes Slack's
// requests and answers them.
type SlackInbound interface {
	// Verify checks a request's signature and age; unauthorized if bad.
	Verify(header http.Header, body []byte) error
	ParseClick(body []byte) (postmortem.SlackClick, error)
	ParseCommand(body []byte) (postmortem.SlackCommand, error)
	UserInfo(ctx context.Context, id string) (postmortem.SlackUser, error)
	UpdateDigest(ctx context.Context, channel, ts string, d postmortem.Digest) error
	CommandReply(d postmortem.Digest) ([]byte, error)
	TextReply(text string) ([]byte, error)
}

// JiraCompleter moves a Jira issue through a transition (none when
// transition is "") and comments on it.
type JiraCompleter interface {
	Complete(ctx context.Context, key, transition, comment string) error
}

// NudgeActionOptions configure NudgeActions. The zero value is the
// documented default.
type NudgeActionOptions struct {
	BaseURL string // Hindsight's address, for the Jira comment's link
	// DoneTransition names the Jira transition Done runs on the item's
	// issue; empty only comments.
	DoneTransition string
	SnoozeFor      time.Duration // default one week
	// Timeout bounds the work done after Slack has its answer (Jira,
	// chat.update); default 30 seconds.
	Timeout time.Duration
	Logger  *slog.Logger
	Now     func() time.Time
}

// NudgeActions answers Slack's requests: the Done, Snooze and Not mine
// buttons of digests (POST /slack/interactions) and /hindsight mine (POST
// /slack/commands). Slack wants an answer within 3 seconds, so a press
// changes the database at once and leaves the Jira call and the message
// update to a goroutine.
type NudgeActions struct {
	store NudgeActionStore
	slack SlackInbound
	jira  JiraCompleter
	o     NudgeActionOptions
	base  context.Context
	wg    sync.WaitGroup
	mu    sync.Mutex // one message update at a time
}

// NewNudgeActions returns the receiver of Slack's requests. jira is nil
// when Jira is not configured. Work after the answer runs under base,
// without its cancellation, each piece bounded by o.Timeout.
func NewNudgeActions(base context.Context, store NudgeActionStore, sl SlackInbound, jira JiraCompleter, o NudgeActionOptions) *NudgeActions {
	if o.SnoozeFor <= 0 {
		o.SnoozeFor = 7 * 24 * time.Hour
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &NudgeActions{store: store, slack: sl, jira: jira, o: o, base: context.WithoutCancel(base)}
}

// Wait waits for the work started after answering Slack to finish.
func (a *NudgeActions) Wait() { a.wg.Wait() }

// SlackInteraction takes one interaction request. A bad signature or a
// stale timestamp is unauthorized, a body that is no interaction invalid.
// A press of a digest's button applies the action to its item, if the
// message is a digest Hindsight sent and lists the item; the message is
// then updated to say what happened, and Done closes the item's Jira
// issue. Anything else is acknowledged and ignored.
func (a *NudgeActions) SlackInteraction(ctx context.Context, header http.Header, body []byte) error {
	if err := a.slack.Verify(header, body); err != nil {
		return err
	}
	click, err := a.slack.ParseClick(body)
	if err != nil || click.Action == "" {
		return err
	}
	log := a.o.Logger.With("action", click.Action, "item", click.ItemID, "slack_user", click.UserID)
	n, err := a.store.NudgeByMessage(ctx, click.Channel, click.MessageTS)
	if errNotFound(err) {
		log.Warn("slack button on a message hindsight did not send", "channel", click.Channel, "ts", click.MessageTS)
		return nil
	}
	if err != nil {
		return err
	}
	if !listed(n, click.ItemID) {
		log.Warn("slack button for an item the digest does not list", "nudge", n.ID)
		return nil
	}
	by := a.who(ctx, click.UserID, click.UserName)
	now := a.o.Now()
	closeJira := false
	switch click.Action {
	case postmortem.ActionDone:
		closeJira, err = a.store.SlackDone(ctx, click.ItemID, by, now)
	case postmortem.ActionSnooze:
		err = a.store.SlackSnooze(ctx, click.ItemID, now.Add(a.o.SnoozeFor), by, now)
	case postmortem.ActionNotMine:
		err = a.store.SlackNotMine(ctx, click.ItemID, by, click.UserID, now)
	}
	if errNotFound(err) {
		log.Info("slack button for an item no longer listed")
	} else if err != nil {
		return err
	}
	log.Info("slack button applied", "by", by)
	a.later(func(ctx context.Context) {
		if closeJira {
			a.closeJira(ctx, click.ItemID, by)
		}
		if err := a.refresh(ctx, n); err != nil {
			log.Warn("slack message not updated", "err", err)
		}
	})
	return nil
}

// later runs fn after the answer, bounded by the timeout.
func (a *NudgeActions) later(fn func(ctx context.Context)) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		ctx, cancel := context.WithTimeout(a.base, a.o.Timeout)
		defer cancel()
		fn(ctx)
	}()
}

func listed(n *postmortem.Nudge, itemID int64) bool {
	for _, l := range n.Lines {
		if l.ItemID == itemID {
			return true
		}
	}
	return false
}

// who names Slack user id as the directory knows them, else as Slack
// does.
func (a *NudgeActions) who(ctx context.Context, id, handle string) string {
	if m, err := a.store.PersonBySlackID(ctx, id); err == nil {
		return m.Name
	}
	if handle != "" {
		return handle
	}
	return id
}

// closeJira runs the done transition on the item's Jira issue with a
// comment saying who closed it from Slack.
func (a *NudgeActions) closeJira(ctx context.Context, itemID int64, by string) {
	if a.jira == nil {
		return
	}
	items, err := a.store.NudgeItemsByID(ctx, []int64{itemID})
	if err != nil || len(items) == 0 || items[0].JiraKey == "" {
		return
	}
	key := items[0].JiraKey
	comment := "Marked done in Slack by " + by + " (Hindsight)."
	if a.o.BaseURL != "" {
		comment += " " + strings.TrimRight(a.o.BaseURL, "/") + "/actions/" + strconv.FormatInt(itemID, 10)
	}
	if err := a.jira.Complete(ctx, key, a.o.DoneTransition, comment); err != nil {
		a.o.Logger.Warn("jira issue not closed from slack", "item", itemID, "key", key, "err", err)
		return
	}
	a.o.Logger.Info("jira issue closed from slack", "item", itemID, "key", key)
}

// refresh redraws a digest as its items now stand: the buttons of an item
// someone acted on give way to what happened.
func (a *NudgeActions) refresh(ctx context.Context, n *postmortem.Nudge) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	ids := make([]int64, len(n.Lines))
	for i, l := range n.Lines {
		ids[i] = l.ItemID
	}
	items, err := a.store.NudgeItemsByID(ctx, ids)
	if err != nil {
		return err
	}
	byID := map[int64]postmortem.NudgeItem{}
	for _, it := range items {
		byID[it.ID] = it
	}
	now := a.o.Now()
	d := postmortem.Digest{Target: n.Target, Channel: n.Channel, Name: n.Name, Slot: n.Slot, Now: now}
	for _, l := range n.Lines {
		it, ok := byID[l.ItemID]
		if !ok {
			continue
		}
		line := postmortem.DigestLine{Item: it.Item, Reason: l.Reason, Why: reasonText(l.Reason), Outcome: outcome(it, now)}
		if l.Reason == "" {
			d.Own = append(d.Own, line)
		} else {
			d.Escalated = append(d.Escalated, line)
		}
	}
	return a.slack.UpdateDigest(ctx, n.Posted, n.TS, d)
}

// outcome says what happened to an item someone acted on, "" when it
// still waits for them.
func outcome(it postmortem.NudgeItem, now time.Time) string {
	by := ""
	if it.ActedBy != "" {
		by = " by " + it.ActedBy
	}
	switch {
	case it.Removed:
		return "Removed from its postmortem."
	case it.Status == postmortem.StatusDone:
		if it.LastAction == postmortem.ActionDone {
			return "Done: marked" + by + "."
		}
		return "Done."
	case it.Status == postmortem.StatusWontDo:
		return "Won't do."
	case it.Snoozed(now):
		until, _ := time.Parse(time.RFC3339, it.SnoozedUntil)
		return "Snoozed until " + until.Format("Mon 2 Jan") + by + "."
	case it.NotMine:
		return "Not mine, says " + strings.TrimPrefix(by, " by ") + ": escalated for a new owner."
	}
	return ""
}

// reasonText says an escalation reason for people, when only its code is
// at hand.
func reasonText(code string) string {
	switch code {
	case postmortem.EscalateNoOwner:
		return "nobody owns it"
	case postmortem.EscalateOwnerLeft:
		return "its owner has left"
	case postmortem.EscalateSlackGone:
		return "its owner's Slack account is gone"
	case postmortem.EscalateUnreachable:
		return "its owner cannot be reached on Slack"
	case postmortem.EscalateIgnored:
		return "its owner has not acted on several reminders"
	case postmortem.EscalateNotMine:
		return "its owner says it is not theirs"
	}
	return ""
}

// SlackCommand answers a slash command with the JSON of an ephemeral
// message: `/hindsight mine` lists the caller's open items, oldest first;
// anything else says what the command can do. A bad signature or a stale
// timestamp is unauthorized.
func (a *NudgeActions) SlackCommand(ctx context.Context, header http.Header, body []byte) ([]byte, error) {
	if err := a.slack.Verify(header, body); err != nil {
		return nil, err
	}
	cmd, err := a.slack.ParseCommand(body)
	if err != nil {
		return nil, err
	}
	if sub := strings.ToLower(cmd.Text); sub != "mine" && sub != "" {
		return a.slack.TextReply("Try `" + cmd.Command + " mine` for your open action items.")
	}
	m, err := a.caller(ctx, cmd.UserID)
	if errNotFound(err) {
		return a.slack.TextReply("Hindsight's people directory does not know you yet, so it cannot tell which action items are yours. " +
			"Ask whoever keeps the directory to add your email or Slack id.")
	}
	if err != nil {
		return nil, err
	}
	now := a.o.Now()
	items, _, err := a.store.ListItems(ctx, postmortem.ItemFilter{Owner: m.Name, OpenOnly: true, Limit: 500, Now: now})
	if err != nil {
		return nil, err
	}
	d := postmortem.Digest{Target: cmd.UserID, Name: m.Name, Now: now}
	for _, it := range items {
		d.Own = append(d.Own, postmortem.DigestLine{Item: it})
	}
	return a.slack.CommandReply(d)
}

// caller finds the directory's person for Slack user id: by the Slack id
// the directory has, else by the email Slack gives (asked with a short
// deadline, as Slack waits only 3 seconds for the answer).
func (a *NudgeActions) caller(ctx context.Context, id string) (*postmortem.Member, error) {
	m, err := a.store.PersonBySlackID(ctx, id)
	if !errNotFound(err) {
		return m, err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	u, err := a.slack.UserInfo(ctx, id)
	if err != nil {
		return nil, err
	}
	if u.Email == "" {
		return nil, postmortem.Errorf(postmortem.ENotFound, "Slack gives no email for %s", id)
	}
	return a.store.MemberByEmail(ctx, u.Email)
}
