-- Jira sync: every open action item gets an issue (or is linked to the
-- issues its document names), and Jira's status and assignee flow back.

-- jira_state is none, creating, created, linked or failed (see
-- postmortem.JiraNone…). creating is written, with jira_attempt_at, before
-- a create call is made, and stays until the issue's key is stored: an item
-- found creating after a crash or an unanswered call is looked up in Jira
-- by its label before anything is created again. jira_attempt_at is the
-- latest attempt while creating, the refusal's time when failed.
-- jira_pushed fingerprints the summary, description and due date Jira was
-- last sent, so edits here are pushed once. jira_flag is an owner or link
-- problem for people to act on; jira_error is Jira's refusal, verbatim.
ALTER TABLE action_items ADD COLUMN jira_state TEXT NOT NULL DEFAULT 'none';
ALTER TABLE action_items ADD COLUMN jira_issue_id TEXT NOT NULL DEFAULT '';
ALTER TABLE action_items ADD COLUMN jira_attempt_at TEXT;
ALTER TABLE action_items ADD COLUMN jira_pushed TEXT NOT NULL DEFAULT '';
ALTER TABLE action_items ADD COLUMN jira_flag TEXT NOT NULL DEFAULT '';
ALTER TABLE action_items ADD COLUMN jira_error TEXT NOT NULL DEFAULT '';
ALTER TABLE action_items ADD COLUMN jira_assignee TEXT NOT NULL DEFAULT '';

CREATE INDEX action_items_jira_state ON action_items (jira_state) WHERE removed_at IS NULL;

-- One row per issue an item is linked to: the one Hindsight created, or
-- each of the keys its document names. The other columns are what the
-- last read of the issue said; unreachable is set when Jira no longer
-- shows the issue (deleted, or hidden from the account).
CREATE TABLE item_jira_links (
    item_id       INTEGER NOT NULL REFERENCES action_items (id),
    jira_key      TEXT NOT NULL,
    jira_issue_id TEXT NOT NULL DEFAULT '',
    origin        TEXT NOT NULL,
    category      TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT '',
    assignee      TEXT NOT NULL DEFAULT '',
    assignee_name TEXT NOT NULL DEFAULT '',
    resolved      TEXT NOT NULL DEFAULT '',
    unreachable   INTEGER NOT NULL DEFAULT 0,
    read_at       TEXT,
    PRIMARY KEY (item_id, jira_key)
) WITHOUT ROWID;

CREATE INDEX item_jira_links_key ON item_jira_links (jira_key);
CREATE INDEX item_jira_links_issue ON item_jira_links (jira_issue_id) WHERE jira_issue_id <> '';

-- The sync's bookmarks: "cursor" is when the last complete cycle started
-- (the next reads issues updated since), "full" when the last full
-- reconcile did.
CREATE TABLE jira_sync (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Webhook deliveries seen, by X-Atlassian-Webhook-Identifier, so Jira's
-- redeliveries are ignored; rows older than two days are dropped.
CREATE TABLE jira_deliveries (
    id          TEXT PRIMARY KEY,
    received_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE INDEX jira_deliveries_received ON jira_deliveries (received_at);

-- Jira account lookups by email. A hit is also stored on the person
-- (people.jira_account_id on Cloud, jira_username on Data Center); a miss
-- (account '') is remembered so the search is not repeated every cycle.
CREATE TABLE jira_accounts (
    email       TEXT PRIMARY KEY COLLATE NOCASE,
    account     TEXT NOT NULL DEFAULT '',
    looked_up_at TEXT NOT NULL
) WITHOUT ROWID;
