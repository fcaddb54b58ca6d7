package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hindsight-dev/hindsight/internal/postmortem"
)

// sessionColumns are the columns scanSession reads.
const sessionColumns = `subject, email, name, role, id_token, created_at, expires_at, last_seen_at`

func scanSession(row scanner) (*postmortem.Session, error) {
	var s postmortem.Session
	var created, expires, seen string
	if err := row.Scan(&s.Subject, &s.Email, &s.Name, &s.Role, &s.IDToken, &created, &expires, &seen); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		text string
		to   *time.Time
	}{{created, &s.CreatedAt}, {expires, &s.ExpiresAt}, {seen, &s.LastSeenAt}} {
		t, err := time.Parse(time.RFC3339, f.text)
		if err != nil {
			return nil, fmt.Errorf("session time %q: %w", f.text, err)
		}
		*f.to = t
	}
	return &s, nil
}

// CreateSession stores s under hash, the SHA-256 of its cookie's secret,
// and deletes the sessions that expired before s began. A role outside
// postmortem.Roles, an empty subject or hash, or an expiry before the
// start gives invalid naming the field.
func (d *DB) CreateSession(ctx context.Context, hash string, s *postmortem.Session) error {
	switch {
	case postmortem.RoleRank(s.Role) == 0:
		return &postmortem.Error{Code: postmortem.EInvalid, Field: "role", Message: fmt.Sprintf("unknown role %q", s.Role)}
	case s.Subject == "":
		return &postmortem.Error{Code: postmortem.EInvalid, Field: "subject", Message: "a session needs a subject"}
	case hash == "":
		return &postmortem.Error{Code: postmortem.EInvalid, Field: "hash", Message: "no session hash"}
	case !s.ExpiresAt.After(s.CreatedAt):
		return &postmortem.Error{Code: postmortem.EInvalid, Field: "expires_at", Message: "a session must end after it begins"}
	}
	tx, err := d.writer.BeginTx(ctx, nil)
	if err != nil {
		return d.wrap("create session", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, stamp(s.CreatedAt)); err != nil {
		return d.wrap("create session", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO sessions (hash, `+sessionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		hash, s.Subject, s.Email, s.Name, s.Role, s.IDToken, stamp(s.CreatedAt), stamp(s.ExpiresAt), stamp(s.CreatedAt))
	if err != nil {
		return d.wrap("create session", err)
	}
	return d.wrap("create session", tx.Commit())
}

// SessionByHash returns the session stored under hash, expired or not,
// or not_found.
func (d *DB) SessionByHash(ctx context.Context, hash string) (*postmortem.Session, error) {
	tx, err := d.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, d.wrap("find session", err)
	}
	defer tx.Rollback()
	s, err := scanSession(tx.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, postmortem.Errorf(postmortem.ENotFound, "no such session")
	}
	return s, d.wrap("find session", err)
}

// TouchSession records that the session stored under hash was used at
// at; an unknown hash is no error.
func (d *DB) TouchSession(ctx context.Context, hash string, at time.Time) error {
	tx, err := d.writer.BeginTx(ctx, nil)
	if err != nil {
		return d.wrap("touch session", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE hash = ?`, stamp(at), hash); err != nil {
		return d.wrap("touch session", err)
	}
	return d.wrap("touch session", tx.Commit())
}

// DeleteSession forgets the session stored under hash, which then signs
// nobody in; an unknown hash is no error.
func (d *DB) DeleteSession(ctx context.Context, hash string) error {
	tx, err := d.writer.BeginTx(ctx, nil)
	if err != nil {
		return d.wrap("delete session", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE hash = ?`, hash); err != nil {
		return d.wrap("delete session", err)
	}
	return d.wrap("delete session", tx.Commit())
}
