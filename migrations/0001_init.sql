-- Hindsight's first schema: imported postmortems, their action items with
-- the tracking state that survives re-imports, item history and full-text
-- search. Timestamps are RFC 3339 in UTC.

-- One row per source document. path is the document's identity across
-- re-imports; id is the slug used in URLs and may change when the
-- document's own id does (action items follow through ON UPDATE CASCADE).
-- doc is the parsed postmortem as JSON without tracking state; missing is
-- set when the file disappears, and rows are never deleted.
CREATE TABLE postmortems (
    id             TEXT PRIMARY KEY,
    path           TEXT NOT NULL UNIQUE,
    hash           TEXT NOT NULL,
    parser_version INTEGER NOT NULL,
    title          TEXT NOT NULL DEFAULT '',
    date           TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL DEFAULT '',
    severity       TEXT NOT NULL DEFAULT '',
    summary        TEXT NOT NULL DEFAULT '',
    doc            TEXT NOT NULL,
    source_text    TEXT NOT NULL,
    search_rowid   INTEGER UNIQUE,
    imported_at    TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    missing        INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX postmortems_date ON postmortems (date DESC, id);

-- One row per action item ever seen. The doc_* columns, text, owner, due
-- and position are what the document says now; status, jira_key,
-- jira_status and note are tracked here and survive re-imports. Items the
-- document no longer lists get removed_at and are kept.
CREATE TABLE action_items (
    id               INTEGER PRIMARY KEY,
    postmortem_id    TEXT NOT NULL REFERENCES postmortems (id) ON UPDATE CASCADE,
    position         INTEGER NOT NULL,
    text             TEXT NOT NULL,
    owner_name       TEXT NOT NULL DEFAULT '',
    owner_annotation TEXT NOT NULL DEFAULT '',
    doc_status       TEXT NOT NULL DEFAULT '',
    doc_jira_key     TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL,
    jira_key         TEXT NOT NULL DEFAULT '',
    jira_status      TEXT NOT NULL DEFAULT '',
    due              TEXT NOT NULL DEFAULT '',
    note             TEXT NOT NULL DEFAULT '',
    removed_at       TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);

CREATE INDEX action_items_postmortem ON action_items (postmortem_id, position);
CREATE INDEX action_items_status ON action_items (status) WHERE removed_at IS NULL;
CREATE INDEX action_items_owner ON action_items (owner_name) WHERE removed_at IS NULL;
CREATE INDEX action_items_jira_key ON action_items (jira_key) WHERE jira_key <> '';

-- What happened to an item and who did it: "import" for changes a
-- re-import made, a user or "jira" otherwise. field is created, removed,
-- restored, text, status, jira_key, jira_status or note.
CREATE TABLE item_events (
    id      INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES action_items (id),
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL,
    field   TEXT NOT NULL,
    old     TEXT NOT NULL DEFAULT '',
    new     TEXT NOT NULL DEFAULT ''
);

CREATE INDEX item_events_item ON item_events (item_id, id);

-- Full-text search over each postmortem, one row per document, joined to
-- postmortems through postmortems.search_rowid (FTS rowids, unlike the
-- implicit rowids of postmortems, survive VACUUM).
CREATE VIRTUAL TABLE postmortem_search USING fts5 (
    id UNINDEXED,
    title,
    summary,
    sections,
    timeline,
    actions,
    tokenize = 'unicode61 remove_diacritics 2'
);
