package postmortem

import "time"

// SlackUser is a Slack account as the nudges need it.
type SlackUser struct {
	ID      string `json:"id"`
	Name    string `json:"name"`  // real name, else display name
	Email   string `json:"email"` // empty when the bot may not see it
	TZ      string `json:"tz"`    // IANA zone; "" when Slack does not say
	Deleted bool   `json:"deleted"`
	Bot     bool   `json:"bot"`
}

// Why an item goes to someone other than (or as well as) its owner.
const (
	EscalateNoOwner     = "no_owner"    // the item names nobody
	EscalateOwnerLeft   = "owner_left"  // the directory or the document says the owner left
	EscalateSlackGone   = "slack_gone"  // Slack says the account is deactivated or unknown
	EscalateUnreachable = "unreachable" // no directory entry, or neither Slack id nor email
	EscalateIgnored     = "ignored"     // too many reminders without any action
	EscalateNotMine     = "not_mine"    // the owner said it is not theirs
)

// The buttons of a digest, as their action ids.
const (
	ActionDone    = "done"
	ActionSnooze  = "snooze"
	ActionNotMine = "not_mine"
)

// NudgeItem is an open action item as the nudge run sees it: the item
// and what Slack reminders have done to it.
type NudgeItem struct {
	Item
	// SnoozedUntil is when a snooze ends (RFC 3339); "" when none was set.
	SnoozedUntil string
	// NotMine is set while the owner who said the item is not theirs
	// still owns it; FlaggedBy is the Slack user who said so.
	NotMine   bool
	FlaggedBy string
	// Ignored counts the owner's digests listing the item that were sent
	// after its last change or Slack action.
	Ignored int
	// LastAction is the last button pressed on the item (Action…), by
	// ActedBy (a name), "" when none was.
	LastAction string
	ActedBy    string
}

// Snoozed reports whether the item is held back at now.
func (n *NudgeItem) Snoozed(now time.Time) bool {
	if n.SnoozedUntil == "" {
		return false
	}
	until, err := time.Parse(time.RFC3339, n.SnoozedUntil)
	return err == nil && now.Before(until)
}

// SlackLookup is what Slack said about a person, remembered so that runs
// do not ask again for a while. User.ID is "" when Slack knows no such
// user; DM is the direct message channel once one was opened.
type SlackLookup struct {
	User SlackUser
	DM   string
	At   time.Time
}

// DigestLine is one item of a digest.
type DigestLine struct {
	Item Item
	// Reason is "" for the recipient's own item, else one of the
	// Escalate… codes; Why says it for people.
	Reason string
	Why    string
	// Outcome, once someone has clicked a button, says what happened;
	// it replaces the buttons.
	Outcome string
}

// Digest is one Slack message: a person's open items with those escalated
// to them, or the escalations sent to a channel.
type Digest struct {
	Target    string // Slack user id, or channel id when Channel is set
	Channel   bool
	Name      string // whom it addresses
	Slot      time.Time
	Now       time.Time // ages and due dates are counted to it
	Own       []DigestLine
	Escalated []DigestLine
}

// Lines returns the own lines followed by the escalated ones.
func (d *Digest) Lines() []DigestLine {
	return append(append([]DigestLine{}, d.Own...), d.Escalated...)
}

// NudgeLine is one item a recorded nudge listed, and why.
type NudgeLine struct {
	ItemID int64
	Reason string // "" for the recipient's own item
}

// Nudge is one digest as recorded: claimed for a target and a scheduled
// slot before it is sent, then marked sent with where Slack put it.
type Nudge struct {
	ID        int64
	Target    string
	Channel   bool
	Name      string
	Slot      time.Time
	State     string // NudgeClaimed, NudgeSent or NudgeFailed
	ClaimedAt time.Time
	Attempts  int
	Posted    string // the channel the message is in (D… for a DM)
	TS        string // the message's timestamp, its id in Slack
	Lines     []NudgeLine
}

// States of a recorded nudge.
const (
	NudgeClaimed = "claimed"
	NudgeSent    = "sent"
	NudgeFailed  = "failed"
)

// SlackClick is one press of a digest's button.
type SlackClick struct {
	Action    string // Action… constant
	ItemID    int64
	UserID    string
	UserName  string
	Channel   string // where the message is
	MessageTS string
}

// SlackCommand is one slash command, /hindsight mine and the like.
type SlackCommand struct {
	Command   string
	Text      string
	UserID    string
	UserName  string
	ChannelID string
}
