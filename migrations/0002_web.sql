-- The web interface's data: the people directory that owners are matched
-- to, durations and tags of postmortems for the incident list, and the
-- columns and indexes the actions page filters and sorts on. Values that
-- need Go (name keys without accents, durations from the timeline) are
-- filled by the store right after this file runs, in the same transaction.

-- One row per person. aliases is a JSON array of other spellings of the
-- name; email is compared without case and is unique when given. active
-- is cleared, never the row deleted, when someone leaves.
CREATE TABLE people (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    aliases         TEXT NOT NULL DEFAULT '[]',
    email           TEXT NOT NULL DEFAULT '',
    slack_id        TEXT NOT NULL DEFAULT '',
    jira_account_id TEXT NOT NULL DEFAULT '',
    jira_username   TEXT NOT NULL DEFAULT '',
    team            TEXT NOT NULL DEFAULT '',
    manager_email   TEXT NOT NULL DEFAULT '',
    timezone        TEXT NOT NULL DEFAULT '',
    active          INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

CREATE UNIQUE INDEX people_email ON people (lower(email)) WHERE email <> '';
CREATE INDEX people_team ON people (team) WHERE team <> '';

-- The name key (lower case, no accents, spaces collapsed) of every
-- person's name and aliases: how an owner written in a document finds its
-- person. A key belongs to one person only.
CREATE TABLE person_names (
    key       TEXT PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE INDEX person_names_person ON person_names (person_id);

-- Minutes from the start of the incident to its detection and to its
-- resolution as postmortem.Derive reads the timeline, -1 when unknown.
ALTER TABLE postmortems ADD COLUMN detect_minutes INTEGER NOT NULL DEFAULT -1;
ALTER TABLE postmortems ADD COLUMN resolve_minutes INTEGER NOT NULL DEFAULT -1;

-- Ascending, so one index serves newest first (scanned backwards) for the
-- incident list and oldest first for the actions page. Status and severity
-- are for the filters' lists of values.
CREATE INDEX postmortems_date_id ON postmortems (date, id);
CREATE INDEX postmortems_status ON postmortems (status);
CREATE INDEX postmortems_severity ON postmortems (severity);

-- A postmortem's tags, kept in step with its document on every save and
-- compared without (ASCII) case.
CREATE TABLE postmortem_tags (
    postmortem_id TEXT NOT NULL REFERENCES postmortems (id) ON UPDATE CASCADE ON DELETE CASCADE,
    tag           TEXT NOT NULL COLLATE NOCASE,
    PRIMARY KEY (postmortem_id, tag)
) WITHOUT ROWID;

CREATE INDEX postmortem_tags_tag ON postmortem_tags (tag);

INSERT OR IGNORE INTO postmortem_tags (postmortem_id, tag)
SELECT p.id, trim(t.value)
FROM postmortems p, json_each(p.doc, '$.tags') t
WHERE t.type = 'text' AND trim(t.value) <> '';

-- owner_key is the name key of the item's effective owner: owner_override
-- when someone set one in Hindsight (NULL means the document's owner, ''
-- means nobody), else owner_name. doc_due is the due date the document
-- gives; due becomes the tracked one, which follows the document only when
-- the document's date changes, as status does.
ALTER TABLE action_items ADD COLUMN owner_key TEXT NOT NULL DEFAULT '';
ALTER TABLE action_items ADD COLUMN owner_override TEXT;
ALTER TABLE action_items ADD COLUMN doc_due TEXT NOT NULL DEFAULT '';

UPDATE action_items SET doc_due = due;

-- Filters by owner go through owner_key now; the rest of the actions
-- page's filters and sorts, and the per-postmortem counts of the incident
-- list, are served by these.
DROP INDEX action_items_owner;
DROP INDEX action_items_status;
CREATE INDEX action_items_owner_key ON action_items (owner_key, status) WHERE removed_at IS NULL;
CREATE INDEX action_items_annotated ON action_items (owner_key, status)
    WHERE removed_at IS NULL AND owner_override IS NULL AND owner_annotation <> '';
CREATE INDEX action_items_live ON action_items (postmortem_id, status) WHERE removed_at IS NULL;
CREATE INDEX action_items_status_due ON action_items (status, due) WHERE removed_at IS NULL;
CREATE INDEX action_items_due ON action_items (due = '', due) WHERE removed_at IS NULL;
