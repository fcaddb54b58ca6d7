-- Slack nudges: digests of open action items sent to their owners, and
-- escalations to managers or a channel, each sent once per scheduled slot.

-- One row per digest. target is the Slack user (U…) or channel (C…) it
-- goes to; slot is the scheduled time it is for (RFC 3339, UTC). A run
-- claims (target, slot) in a transaction before it calls Slack, so two
-- processes, or a restarted one, never both send it. state is claimed,
-- sent or failed: a failed claim is taken again by the next run, and so is
-- one left claimed for longer than the lease by a run that died (the one
-- case that can repeat a message: a run that died after Slack took the
-- message and before sent_at was written). posted and ts say where Slack
-- put the message, for chat.update when a button is pressed.
CREATE TABLE nudges (
    id         INTEGER PRIMARY KEY,
    target     TEXT NOT NULL,
    slot       TEXT NOT NULL,
    channel    INTEGER NOT NULL DEFAULT 0,
    name       TEXT NOT NULL DEFAULT '',
    state      TEXT NOT NULL,
    claimed_at TEXT NOT NULL,
    claimed_by TEXT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 1,
    error      TEXT NOT NULL DEFAULT '',
    posted     TEXT NOT NULL DEFAULT '',
    ts         TEXT NOT NULL DEFAULT '',
    sent_at    TEXT,
    UNIQUE (target, slot)
);

CREATE INDEX nudges_message ON nudges (posted, ts) WHERE ts <> '';

-- The items a digest lists; reason is '' for the recipient's own items,
-- else why the item was escalated to them (postmortem.Escalate…).
CREATE TABLE nudge_items (
    nudge_id INTEGER NOT NULL REFERENCES nudges (id) ON DELETE CASCADE,
    item_id  INTEGER NOT NULL REFERENCES action_items (id),
    reason   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (nudge_id, item_id)
) WITHOUT ROWID;

CREATE INDEX nudge_items_item ON nudge_items (item_id, reason);

-- What people did to an item from Slack. snoozed_until holds it back from
-- digests; not_mine_owner is the owner who said the item is not theirs,
-- and the flag holds while the item still names them; acted_at is the
-- last press of any button, after which reminders count as ignored again.
CREATE TABLE item_slack (
    item_id        INTEGER PRIMARY KEY REFERENCES action_items (id),
    snoozed_until  TEXT NOT NULL DEFAULT '',
    not_mine_owner TEXT,
    flagged_by     TEXT NOT NULL DEFAULT '',
    last_action    TEXT NOT NULL DEFAULT '',
    acted_by       TEXT NOT NULL DEFAULT '',
    acted_at       TEXT NOT NULL DEFAULT ''
);

-- Slack's answers about people, so a run does not ask again for a day:
-- key is "email:<address>" or "id:<user id>"; user_id is '' when Slack
-- knows no such user (users_not_found); dm is the direct message channel
-- conversations.open gave.
CREATE TABLE slack_users (
    key        TEXT PRIMARY KEY COLLATE NOCASE,
    user_id    TEXT NOT NULL DEFAULT '',
    name       TEXT NOT NULL DEFAULT '',
    tz         TEXT NOT NULL DEFAULT '',
    deleted    INTEGER NOT NULL DEFAULT 0,
    dm         TEXT NOT NULL DEFAULT '',
    checked_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE INDEX people_slack_id ON people (slack_id) WHERE slack_id <> '';
