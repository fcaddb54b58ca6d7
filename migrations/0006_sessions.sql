-- Sign-in sessions for HINDSIGHT_AUTH=oidc. hash is the SHA-256 of the
-- secret in the browser's session cookie; the secret itself is never
-- stored. subject, email and name are what the identity provider said at
-- sign-in, and role what the configuration gave them then. id_token is
-- sent back to the provider, as a hint, at sign-out. A session ends at
-- expires_at, or when its person signs out (the row is deleted); expired
-- rows are deleted as new sessions begin. last_seen_at is refreshed at
-- most about once a minute.
CREATE TABLE sessions (
    hash         TEXT PRIMARY KEY,
    subject      TEXT NOT NULL,
    email        TEXT NOT NULL DEFAULT '',
    name         TEXT NOT NULL DEFAULT '',
    role         TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
    id_token     TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE INDEX sessions_expires_at ON sessions (expires_at);
