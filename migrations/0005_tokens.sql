-- API tokens for HINDSIGHT_AUTH=token. Only the SHA-256 of a token is
-- kept (hash); the secret is shown once, when it is created. hint is the
-- secret's first characters, so that `hindsight token list` can tell
-- tokens apart. A revoked token keeps its row, for the record, and signs
-- nobody in. last_used_at is refreshed at most about once a minute.
CREATE TABLE tokens (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
    hash         TEXT NOT NULL UNIQUE,
    hint         TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);
