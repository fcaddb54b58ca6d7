package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// NudgeStore is the part of the database the nudges read and write.
type NudgeStore interface {
	// NudgeItems returns the live open items with their Slack state,
	// oldest postmortem first.
	NudgeItems(ctx context.Context) ([]postmortem.NudgeItem, error)
	// MemberByEmail finds a person by email, not_found when none has it.
	MemberByEmail(ctx context.Context, email string) (*postmortem.Member, error)
	// SlackLookup and SaveSlackLookup remember Slack's answers by key
	// ("email:<address>" or "id:<user id>").
	SlackLookup(ctx context.Context, key string) (postmortem.SlackLookup, bool, error)
	SaveSlackLookup(ctx context.Context, key string, l postmortem.SlackLookup) error
	// SaveSlackID stores a person's Slack id unless the directory has one.
	SaveSlackID(ctx context.Context, personID int64, slackID string) error
	// ClaimNudge records a digest for (target, slot) before it is sent
	// and reports whether this run may send it; see sqlite.DB.ClaimNudge.
	ClaimNudge(ctx context.Context, n *postmortem.Nudge, by string, at, staleBefore time.Time, maxAttempts int) (bool, error)
	// NudgeClaimable reports whether ClaimNudge would succeed, taking
	// nothing.
	NudgeClaimable(ctx context.Context, target string, slot, staleBefore time.Time, maxAttempts int) (bool, error)
	// NudgeSent records where Slack put a claimed digest, and a reminder
	// event per item saying notes[item id].
	NudgeSent(ctx context.Context, id int64, posted, ts string, at time.Time, notes map[int64]string) error
	// NudgeFailed releases a claim whose send failed, for the next run.
	NudgeFailed(ctx context.Context, id int64, reason string) error
}

// Slack is the part of the Slack client the nudges use.
type Slack interface {
	// LookupByEmail and UserInfo give not_found when Slack knows no such
	// active user.
	LookupByEmail(ctx context.Context, email string) (postmortem.SlackUser, error)
	UserInfo(ctx context.Context, id string) (postmortem.SlackUser, error)
	OpenDM(ctx context.Context, userID string) (string, error)
	PostDigest(ctx context.Context, channel string, d postmortem.Digest) (posted, ts string, err error)
}

// NudgeOptions configure Nudge. The zero value is the documented default
// without an escalation channel.
type NudgeOptions struct {
	Schedule      Schedule // zero: DefaultSchedule
	EscalateAfter int      // reminders without action before an item is escalated; default 3
	// Channel is the escalation channel's id; escalations with no manager
	// to go to are dropped (and counted) when it is empty.
	Channel     string
	ChannelZone *time.Location // the channel's working hours; default UTC
	// Lease is how long a claim may stay unsent before another run takes
	// it over, assuming its run died; default 30 minutes. A run gives up
	// on a send after half of it, so a live run never outlasts its claim.
	Lease       time.Duration
	MaxAttempts int           // sends of one digest before it is given up; default 5
	LookupTTL   time.Duration // how long Slack's answers about people are trusted; default 24 hours
	// DryRun asks Slack about people but sends nothing and writes
	// nothing; Print receives each digest a real run would send.
	DryRun bool
	Print  func(postmortem.Digest)
	RunID  string // names this run's claims; default random
	Logger *slog.Logger
	Now    func() time.Time
}

func (o NudgeOptions) withDefaults() NudgeOptions {
	if len(o.Schedule.slots) == 0 {
		o.Schedule, _ = ParseSchedule(DefaultSchedule)
	}
	if o.EscalateAfter <= 0 {
		o.EscalateAfter = 3
	}
	if o.ChannelZone == nil {
		o.ChannelZone = time.UTC
	}
	if o.Lease <= 0 {
		o.Lease = 30 * time.Minute
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 5
	}
	if o.LookupTTL <= 0 {
		o.LookupTTL = 24 * time.Hour
	}
	if o.Print == nil {
		o.Print = func(postmortem.Digest) {}
	}
	if o.RunID == "" {
		b := make([]byte, 8)
		rand.Read(b)
		o.RunID = hex.EncodeToString(b)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// NudgeSummary counts what a run did.
type NudgeSummary struct {
	Items    int // open items looked at
	Snoozed  int // held back by a snooze
	Digests  int // sent (printed, when dry)
	Lines    int // items in those digests, escalations included
	Already  int // due digests another run had claimed or sent
	Resting  int // recipients outside their working hours
	Failed   int // sends that failed, left for the next run
	Unrouted int // escalations with neither a manager nor a channel
	Deferred int // items skipped because Slack could not be asked
}

// Nudge runs the reminders once: it routes every open item to its owner
// or, when the owner cannot act or has not, to the owner's manager or the
// escalation channel; then, for each recipient inside working hours
// (09:00-17:00, Monday to Friday, in their zone) whose latest scheduled
// slot has no digest yet, it claims the digest in the store, posts it and
// records it as sent. A claim comes before every send and is unique per
// recipient and slot, so a restarted run or a second process sends
// nothing twice; a send that fails is released for the next run.
// Failures to reach one recipient are logged and counted; Slack refusing
// the token stops the run.
func Nudge(ctx context.Context, store NudgeStore, sl Slack, o NudgeOptions) (NudgeSummary, error) {
	o = o.withDefaults()
	r := &nudgeRun{store: store, slack: sl, o: o, now: o.Now(), people: map[int64]*recipient{},
		managers: map[string]*recipient{}, targets: map[string]*target{}, zones: map[string]*time.Location{}}
	items, err := store.NudgeItems(ctx)
	if err != nil {
		return r.sum, err
	}
	r.sum.Items = len(items)
	for i := range items {
		if err := r.route(ctx, &items[i]); err != nil {
			return r.sum, err
		}
	}
	for _, key := range r.order {
		if err := r.send(ctx, r.targets[key]); err != nil {
			return r.sum, err
		}
	}
	if r.sum.Unrouted > 0 {
		o.Logger.Warn("slack escalations have nowhere to go", "items", r.sum.Unrouted,
			"hint", "set HINDSIGHT_SLACK_ESCALATION_CHANNEL")
	}
	return r.sum, nil
}

// recipient is someone (or the channel) digests can go to, or why not.
type recipient struct {
	key     string // Slack user id, or the channel id
	name    string
	channel bool
	zone    *time.Location
	gone    string // an Escalate… reason when the person cannot be reached
	why     string
	err     error // Slack could not be asked; try next run
}

// target is a recipient with the lines of its digest.
type target struct {
	*recipient
	own, esc []postmortem.DigestLine
}

type nudgeRun struct {
	store    NudgeStore
	slack    Slack
	o        NudgeOptions
	now      time.Time
	people   map[int64]*recipient
	managers map[string]*recipient // by email
	zones    map[string]*time.Location
	targets  map[string]*target
	order    []string
	sum      NudgeSummary
}

// route decides where item it goes this run.
func (r *nudgeRun) route(ctx context.Context, it *postmortem.NudgeItem) error {
	if it.Snoozed(r.now) {
		r.sum.Snoozed++
		return nil
	}
	m := it.Member
	switch {
	case m == nil && it.Owner == nil:
		return r.escalate(ctx, it, nil, postmortem.EscalateNoOwner, "nobody owns it")
	case m == nil && it.OwnerLeft():
		return r.escalate(ctx, it, nil, postmortem.EscalateOwnerLeft,
			fmt.Sprintf("%s has left (the postmortem marks them %s)", it.Owner.Name, it.Owner.Annotation))
	case m == nil:
		return r.escalate(ctx, it, nil, postmortem.EscalateUnreachable,
			fmt.Sprintf("%s is not in the people directory", it.Owner.Name))
	}
	owner, err := r.person(ctx, m)
	if err != nil {
		return err
	}
	switch {
	case owner.err != nil:
		r.sum.Deferred++
		return nil
	case owner.gone != "":
		return r.escalate(ctx, it, owner, owner.gone, owner.why)
	case it.NotMine:
		return r.escalate(ctx, it, owner, postmortem.EscalateNotMine, m.Name+" says it is not theirs: it needs a new owner")
	}
	r.add(owner, postmortem.DigestLine{Item: it.Item})
	if it.Ignored >= r.o.EscalateAfter {
		return r.escalate(ctx, it, owner, postmortem.EscalateIgnored,
			fmt.Sprintf("%s has had %d reminders of it without acting", m.Name, it.Ignored))
	}
	return nil
}

// escalate sends it to the manager of its owner when the directory names
// one who can be reached (and is neither the owner nor who flagged it),
// else to the escalation channel.
func (r *nudgeRun) escalate(ctx context.Context, it *postmortem.NudgeItem, owner *recipient, reason, why string) error {
	line := postmortem.DigestLine{Item: it.Item, Reason: reason, Why: why}
	if it.Member != nil && it.Member.ManagerEmail != "" {
		mgr, err := r.manager(ctx, it.Member.ManagerEmail)
		if err != nil {
			return err
		}
		if mgr.err != nil {
			r.sum.Deferred++
			return nil
		}
		if mgr.gone == "" && mgr.key != it.FlaggedBy && (owner == nil || mgr.key != owner.key) {
			r.add(mgr, line)
			return nil
		}
	}
	if r.o.Channel == "" {
		r.sum.Unrouted++
		return nil
	}
	ch := &recipient{key: r.o.Channel, name: "the escalation channel", channel: true, zone: r.o.ChannelZone}
	if t := r.targets[ch.key]; t != nil {
		ch = t.recipient
	}
	r.add(ch, line)
	return nil
}

// add puts a line in to's digest.
func (r *nudgeRun) add(to *recipient, line postmortem.DigestLine) {
	t := r.targets[to.key]
	if t == nil {
		t = &target{recipient: to}
		r.targets[to.key] = t
		r.order = append(r.order, to.key)
	}
	if line.Reason == "" {
		t.own = append(t.own, line)
	} else {
		t.esc = append(t.esc, line)
	}
}

// send claims, posts and records t's digest when it is due.
func (r *nudgeRun) send(ctx context.Context, t *target) error {
	local := r.now.In(t.zone)
	if !WorkingHours(local) {
		r.sum.Resting++
		return nil
	}
	slot := r.o.Schedule.Last(local)
	d := postmortem.Digest{Target: t.key, Channel: t.channel, Name: t.name, Slot: slot, Now: r.now,
		Own: t.own, Escalated: t.esc}
	n := &postmortem.Nudge{Target: t.key, Channel: t.channel, Name: t.name, Slot: slot.UTC()}
	notes := map[int64]string{}
	for _, l := range d.Lines() {
		n.Lines = append(n.Lines, postmortem.NudgeLine{ItemID: l.Item.ID, Reason: l.Reason})
		notes[l.Item.ID] = "sent to " + t.name
		if l.Reason != "" {
			notes[l.Item.ID] = "escalated to " + t.name + ": " + l.Why
		}
	}
	// Claims carry the time they are made, not the run's start: a run
	// slowed down by rate limits must not find its own claims stale.
	at := r.o.Now()
	stale := at.Add(-r.o.Lease)
	if r.o.DryRun {
		ok, err := r.store.NudgeClaimable(ctx, n.Target, n.Slot, stale, r.o.MaxAttempts)
		if err != nil {
			return err
		}
		if !ok {
			r.sum.Already++
			return nil
		}
		r.o.Print(d)
		r.sum.Digests++
		r.sum.Lines += len(n.Lines)
		return nil
	}
	ok, err := r.store.ClaimNudge(ctx, n, r.o.RunID, at, stale, r.o.MaxAttempts)
	if err != nil {
		return err
	}
	if !ok {
		r.sum.Already++
		return nil
	}
	sendCtx, cancel := context.WithTimeout(ctx, r.o.Lease/2)
	posted, ts, err := r.post(sendCtx, t, d)
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			// Stopping mid-send is a crash as far as Slack is concerned:
			// the claim stays, and only its lease lets a run retry it.
			return ctx.Err()
		}
		r.sum.Failed++
		if ferr := r.store.NudgeFailed(ctx, n.ID, err.Error()); ferr != nil {
			return ferr
		}
		if postmortem.ErrorCode(err) == postmortem.EUnauthorized {
			return err
		}
		r.o.Logger.Warn("slack digest not sent", "target", t.key, "name", t.name, "slot", n.Slot, "err", err)
		if !t.channel && errNotFound(err) {
			// Slack no longer lets us reach the user (deactivated since
			// we last looked): look again next run, which escalates.
			return r.forget(ctx, t.key)
		}
		return nil
	}
	r.sum.Digests++
	r.sum.Lines += len(n.Lines)
	// Slack has the message: record it even if the run is being stopped.
	return r.store.NudgeSent(context.WithoutCancel(ctx), n.ID, posted, ts, r.o.Now(), notes)
}

// post opens the direct message when t is a person, then posts.
func (r *nudgeRun) post(ctx context.Context, t *target, d postmortem.Digest) (posted, ts string, err error) {
	channel := t.key
	if !t.channel {
		if channel, err = r.dm(ctx, t.key); err != nil {
			return "", "", err
		}
	}
	return r.slack.PostDigest(ctx, channel, d)
}

// errNotFound reports whether err says Slack knows no such user.
func errNotFound(err error) bool {
	return postmortem.ErrorCode(err) == postmortem.ENotFound
}

// stopsRun reports whether err should stop the run rather than one recipient.
func stopsRun(ctx context.Context, err error) bool {
	return ctx.Err() != nil || postmortem.ErrorCode(err) == postmortem.EUnauthorized ||
		errors.Is(err, context.Canceled)
}
